package sql

import (
	"regexp"
	"strings"
	"testing"
)

// sfReserved are Snowflake's reserved keywords: as an unquoted column or alias
// they would not parse, so templates must not use them bare.
var sfReserved = strings.Fields(`ACCOUNT ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT
CONNECTION CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER
DATABASE DELETE DISTINCT DROP ELSE EXISTS FALSE FOLLOWING FOR FROM FULL GRANT GROUP GSCLUSTER HAVING
ILIKE IN INCREMENT INNER INSERT INTERSECT INTO IS ISSUE JOIN LATERAL LEFT LIKE LOCALTIME LOCALTIMESTAMP
MINUS NATURAL NOT NULL OF ON OR ORDER ORGANIZATION QUALIFY REGEXP REVOKE RIGHT RLIKE ROW ROWS SAMPLE
SCHEMA SELECT SET SOME START TABLE TABLESAMPLE THEN TO TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING
VALUES VIEW WHEN WHENEVER WHERE WITH`)

var (
	literals = regexp.MustCompile(`'(?:[^'\\]|\\.|'')*'`)
	quoted   = regexp.MustCompile(`"[^"]*"`)
	// bareNames are the names a template writes bare: alias.column and AS alias.
	bareNames = regexp.MustCompile(`(?:\b[a-z]+\.|\bAS )([A-Za-z_][A-Za-z0-9_$]*)\b`)
)

// TestSnowflakeNamesResolveUnquoted: every name the Snowflake templates create
// or reference is either unquoted or quoted upper case, so it is the same name
// a user's unquoted SQL (and the tables synctrack creates) resolves to, and no
// bare name is a reserved word. JSON field paths are data and may be any case;
// templates have none.
func TestSnowflakeNamesResolveUnquoted(t *testing.T) {
	d := dialectNamed(t, "snowflake")
	ts, err := List("snowflake")
	if err != nil {
		t.Fatal(err)
	}
	reserved := map[string]bool{}
	for _, w := range sfReserved {
		reserved[w] = true
	}
	for _, tp := range ts {
		sql, err := Render(d, "synctrack", tp.Name, valuesFor(tp, allValues()))
		if err != nil {
			t.Fatal(err)
		}
		var body []string
		for _, line := range strings.Split(sql, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				body = append(body, line)
			}
		}
		text := literals.ReplaceAllString(strings.Join(body, "\n"), "''")
		for _, q := range quoted.FindAllString(text, -1) {
			// A quoted name with a lower-case letter is case-sensitive in
			// Snowflake: a user's unquoted reference would not find it.
			if strings.ToUpper(q) != q {
				t.Errorf("%s: case-sensitive lower-case name %s", tp.Name, q)
			}
		}
		for _, m := range bareNames.FindAllStringSubmatch(text, -1) {
			if reserved[strings.ToUpper(m[1])] {
				t.Errorf("%s: bare name %q is a reserved word", tp.Name, m[1])
			}
		}
		if !strings.Contains(text, `"SYNCTRACK".`) {
			t.Errorf("%s: tables not qualified by the upper-case schema:\n%s", tp.Name, text)
		}
	}
}
