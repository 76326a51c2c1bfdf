package sql

// View is one analysis rendered as the body of a view.
type View struct{ Name, Body string }

// Views renders every template of d that needs no parameter as the body of a
// view named as the template, over the tables in schema: what every load and
// `synctrack views` install, so a BI tool can select run_summary without
// pasting SQL. Engines run CREATE OR REPLACE VIEW (or their API) on each.
func Views(d Dialect, schema string) ([]View, error) {
	ts, err := List(d.Name())
	if err != nil {
		return nil, err
	}
	var out []View
	for _, t := range ts {
		if !t.View {
			continue
		}
		body, err := Render(d, schema, t.Name, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, View{t.Name, body})
	}
	return out, nil
}
