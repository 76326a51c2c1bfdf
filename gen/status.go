package gen

import "strconv"

// Status values as the vendor writes them. NULL and DUPLICATE are the
// invalid-data checks; a row may also carry SQL NULL.
const (
	StatusSucceeded = "succeeded"
	StatusRejected  = "rejected"
	StatusNull      = "NULL"
	StatusDuplicate = "DUPLICATE"
)

// addressable copies of the status values, shared by all records
var statusSucceeded, statusRejected, statusNull, statusDuplicate = StatusSucceeded, StatusRejected, StatusNull, StatusDuplicate

type outcome uint8

const (
	oSucceeded outcome = iota
	oRejected
	oNull
	oDuplicate
	oSQLNull
)

// outcomeOf maps a hash to an outcome: about 80% succeeded, 12% rejected,
// 2.5% NULL, 2.5% DUPLICATE, 3% SQL NULL.
func outcomeOf(h uint64) outcome {
	switch x := h % 1000; {
	case x < 800:
		return oSucceeded
	case x < 920:
		return oRejected
	case x < 945:
		return oNull
	case x < 970:
		return oDuplicate
	}
	return oSQLNull
}

// recordOutcome decides a record's outcome in a run: most records keep the
// same outcome in every run of a sync, about 15% flap from run to run.
func recordOutcome(h, hr uint64) outcome {
	if h>>32%100 < 15 {
		return outcomeOf(hr)
	}
	return outcomeOf(h)
}

func (o outcome) status() *string {
	switch o {
	case oSucceeded:
		return &statusSucceeded
	case oRejected:
		return &statusRejected
	case oNull:
		return &statusNull
	case oDuplicate:
		return &statusDuplicate
	}
	return nil
}

// RejectionTemplates counts the distinct rejection message templates.
const RejectionTemplates = 11

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// appendSFID appends a Salesforce-style 18 character record id.
func appendSFID(dst []byte, prefix string, h uint64) []byte {
	dst = append(dst, prefix...)
	for i := len(prefix); i < 18; i++ {
		dst = append(dst, alnum[h%62])
		h = h/62 ^ mix(h, uint64(i))>>8
	}
	return dst
}

// appendRejection appends a realistic destination error whose embedded
// values vary, so that grouping needs normalisation.
func appendRejection(dst []byte, h uint64, ident []byte) []byte {
	a, b := mix(h, 1), mix(h, 2)
	first, last := firstLower[a%12], lastLower[b%12]
	switch h % RejectionTemplates {
	case 0:
		bad := [...]string{"@@example", "@example..com", ".example.com", "@", "@exa mple.com"}
		return append(append(append(append(dst, "INVALID_EMAIL_ADDRESS: invalid email address: "...), first...), '.'), (last + bad[b%5])...)
	case 1:
		return append(appendSFID(append(dst, "Record "...), "0035g00000", a), " not found"...)
	case 2:
		dst = append(dst, "value '"...)
		dst = strconv.AppendUint(append(dst, "ABC-"...), a%100000, 10)
		dst = strconv.AppendUint(append(dst, "' exceeds maximum length of "...), 5+b%20, 10)
		fields := [...]string{"Phone", "PostalCode", "State", "Title"}
		return append(append(append(dst, ` for field "`...), fields[a>>40%4]...), '"')
	case 3:
		return appendSFID(append(dst, "duplicate value found: External_Id__c duplicates value on record with id: "...), "0035g0000", a)
	case 4:
		return append(strconv.AppendUint(append(dst, "rate limit exceeded, retry after "...), 5+a%120, 10), " seconds"...)
	case 5:
		return append(appendUUID(append(dst, "Request "...), a, b), " failed: 503 Service Unavailable"...)
	case 6:
		dst = strconv.AppendUint(append(dst, "FIELD_CUSTOM_VALIDATION_EXCEPTION: Annual revenue must be positive (value: -"...), a%1000000, 10)
		return append(strconv.AppendUint(append(dst, '.'), 10+b%90, 10), ')')
	case 7:
		props := [...]string{"favorite_color", "lead_score_v2", "Company Size", "utm_source"}
		return append(append(append(dst, `Property "`...), props[a%4]...), `" does not exist on object type COMPANY`...)
	case 8:
		return append(strconv.AppendUint(append(dst, "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record or "...), 1+a%200, 10), " records"...)
	case 9:
		dst = strconv.AppendUint(append(dst, `HTTP 400: {"error":"invalid_phone","detail":"+1-555-`...), 1000+a%9000, 10)
		return append(dst, ` is not a valid phone number"}`...)
	}
	dst = strconv.AppendUint(append(dst, "Invalid date format for field 'birthday': '"...), 10+a%18, 10)
	dst = strconv.AppendUint(append(dst, '/'), 10+b%18, 10)
	dst = append(strconv.AppendUint(append(dst, "/19"...), 10+a>>20%89, 10), "' for record "...)
	return append(dst, ident...)
}

// appendInvalid appends the message of a NULL or DUPLICATE row.
func appendInvalid(dst []byte, o outcome, nullField string, ident []byte) []byte {
	if o == oNull {
		return append(append(append(dst, "Required field \""...), nullField...), "\" is NULL"...)
	}
	return append(append(dst, "Duplicate identifier in batch: "...), ident...)
}
