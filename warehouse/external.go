package warehouse

import "context"

// ExternalTables is a warehouse that can leave records files in the bucket and
// query them in place (--mode external) instead of copying their rows.
type ExternalTables interface {
	// UseExternalTables makes LoadRecords register each file's run folder
	// with an external table and write the file's ledger row; no row is
	// copied. Call it before the first load.
	UseExternalTables()
}

// BucketSetup is a warehouse that reads the bucket through an object of its
// own, which it can create given the bucket URL (Snowflake's external stage).
type BucketSetup interface {
	SetUpBucket(ctx context.Context, bucketURL string) error
}

// Notifier is a warehouse whose --setup can make it refresh on the bucket's
// own event notifications (Snowflake's AUTO_REFRESH): it says where the
// bucket must send them, or "" when that is off.
type Notifier interface {
	NotificationChannel() string
}
