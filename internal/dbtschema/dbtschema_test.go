package dbtschema

import "testing"

// The checker refuses what dbt's docs do not allow, so a file it accepts
// means something.
func TestParse(t *testing.T) {
	good := `version: 2
sources:
  - name: s
    schema: x
    tables:
      - name: t
        columns:
          - name: c
            data_tests:
              - not_null
              - accepted_values:
                  arguments: {values: [a, b]}
              - relationships:
                  arguments: {to: "source('s', 'u')", field: id}
                  config: {severity: warn}
`
	if _, err := Parse([]byte(good)); err != nil {
		t.Fatalf("a documented file refused: %v", err)
	}
	for name, bad := range map[string]string{
		"version 1":          "version: 1\nsources: []\n",
		"unknown source key": "version: 2\nsources:\n  - name: s\n    tabels: []\n",
		"unknown column key": "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: c\n            test: [x]\n",
		"unknown test":       "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: c\n            data_tests: [uniq]\n",
		"no values":          "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: c\n            data_tests:\n              - accepted_values: {arguments: {}}\n",
		"values at the top":  "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: c\n            data_tests:\n              - accepted_values: {values: [a]}\n",
		"to not a relation":  "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: c\n            data_tests:\n              - relationships: {arguments: {to: u, field: id}}\n",
		"bad severity":       "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: c\n            data_tests:\n              - unique: {arguments: {}, config: {severity: loud}}\n",
		"repeated column":    "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: c\n          - name: c\n",
		"table without name": "version: 2\nsources:\n  - name: s\n    tables:\n      - description: x\n",
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
