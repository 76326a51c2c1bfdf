package sffake

import (
	"encoding/json"
	"net/http"
)

// The JSON shapes of the service's answers, as gosnowflake v1.19.1 reads them.

func writeJSON(w http.ResponseWriter, v any) {
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(err)
	}
}

// Column is one result column: its name and Snowflake type ("text", "fixed",
// "real", "boolean", "variant", "timestamp_tz"...). Cells are always strings.
type Column struct{ Name, Type string }

type column = Column

func result(typeID int, cols []column, rows [][]any) map[string]any {
	rt := make([]map[string]any, len(cols))
	for i, c := range cols {
		rt[i] = map[string]any{"name": c.Name, "type": c.Type, "nullable": true, "length": 16777216, "precision": 38, "scale": 0}
	}
	if rows == nil {
		rows = [][]any{}
	}
	return map[string]any{"success": true, "code": nil, "message": nil, "data": map[string]any{
		"queryId": "01b2c3d4-0000-0000-0000-000000000001", "queryResultFormat": "json",
		"statementTypeId": typeID, "rowtype": rt, "rowset": rows, "total": len(rows), "returned": len(rows),
		"finalDatabaseName": "ANALYTICS", "finalSchemaName": "SYNCTRACK", "finalWarehouseName": "LOAD_WH",
	}}
}

func sqlError(code, state, msg string) map[string]any {
	return map[string]any{"success": false, "code": code, "message": msg,
		"data": map[string]any{"sqlState": state, "queryId": "01b2c3d4-0000-0000-0000-00000000dead", "errorCode": code}}
}
