// Package loader decides what to load: it lists the bucket, classifies objects,
// plans against the ledger, stages files and hands batches to a warehouse.
package loader

import "github.com/synctrack/synctrack/warehouse"

// These are the warehouse's types; the aliases keep loader code short.
type (
	Object  = warehouse.Object
	Kind    = warehouse.Kind
	RunMeta = warehouse.RunMeta
)

const (
	KindRecords  = warehouse.KindRecords
	KindMetadata = warehouse.KindMetadata
	KindFact     = warehouse.KindFact
	KindIgnored  = warehouse.KindIgnored
)
