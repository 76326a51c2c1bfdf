package badparquet

import "fmt"

// RenameColumn returns file with the top-level column called from renamed to
// to in its schema (a leaf: its chunks' paths are renamed too).
func RenameColumn(file []byte, from, to string) ([]byte, error) {
	meta, start, err := footer(file)
	if err != nil {
		return nil, err
	}
	found := false
	for i := range meta.Schema[1:] {
		if meta.Schema[i+1].Name == from {
			meta.Schema[i+1].Name, found = to, true
		}
	}
	if !found {
		return nil, fmt.Errorf("no column %q", from)
	}
	for i := range meta.RowGroups {
		for j := range meta.RowGroups[i].Columns {
			p := meta.RowGroups[i].Columns[j].MetaData.PathInSchema
			if len(p) > 0 && p[0] == from {
				p[0] = to
			}
		}
	}
	return withFooter(file[:start], meta)
}
