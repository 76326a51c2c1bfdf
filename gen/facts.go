package gen

import (
	"io"

	"github.com/parquet-go/parquet-go"
)

// SourceObject is a row of metadata/ORG/source_objects.parquet.
type SourceObject struct {
	ID               string  `parquet:"id"`
	Type             string  `parquet:"type,dict"`
	Name             string  `parquet:"name"`
	ModelID          *string `parquet:"model_id,optional"`
	BusinessObjectID *string `parquet:"business_object_id,optional"`
	FilterSegmentID  *string `parquet:"filter_segment_id,optional"`
	CohortID         *string `parquet:"cohort_id,optional"`
}

// NamedObject is a row of destinations.parquet or destination_objects.parquet.
type NamedObject struct {
	ID   string `parquet:"id"`
	Type string `parquet:"type,dict"`
	Name string `parquet:"name"`
}

// Fact table names, the file names under metadata/ORG/ without .parquet.
const (
	FactSourceObjects      = "source_objects"
	FactDestinations       = "destinations"
	FactDestinationObjects = "destination_objects"
)

func writeRows[T any](w io.Writer, rows []T) error {
	schema := parquet.NewSchema("schema", parquet.SchemaOf(new(T)))
	pw := parquet.NewGenericWriter[T](w, writerOptions(schema)...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// factJob is one fact table of an org: its name, row count and writer.
type factJob struct {
	name  string
	rows  int
	write func(io.Writer) error
}

// factJobs lists the fact tables of an org as of the last refresh: runs may
// reference destinations created after it (see plan).
func factJobs(org *orgPlan) []factJob {
	var src []SourceObject
	for _, o := range org.sources {
		src = append(src, SourceObject{ID: o.ID, Type: o.Type, Name: o.Name, ModelID: o.ModelID,
			BusinessObjectID: o.BusinessObjectID, FilterSegmentID: o.FilterSegmentID, CohortID: o.CohortID})
	}
	named := func(objs []*object) []NamedObject {
		out := make([]NamedObject, 0, len(objs))
		for _, o := range objs {
			out = append(out, NamedObject{ID: o.ID, Type: o.Type, Name: o.Name})
		}
		return out
	}
	dests, dobjs := named(org.dests), named(org.dobjs)
	return []factJob{
		{FactSourceObjects, len(src), func(w io.Writer) error { return writeRows(w, src) }},
		{FactDestinations, len(dests), func(w io.Writer) error { return writeRows(w, dests) }},
		{FactDestinationObjects, len(dobjs), func(w io.Writer) error { return writeRows(w, dobjs) }},
	}
}
