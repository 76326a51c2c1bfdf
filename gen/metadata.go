package gen

import (
	"encoding/json"
	"time"
)

// metadata.json key styles, chosen by run (global index modulo 3).
const (
	StyleSnake  = 0 // flat snake_case
	StyleCamel  = 1 // flat camelCase, numeric orgId
	StyleNested = 2 // snake_case with nested source / destination, no sync_run_id
)

type snakeMeta struct {
	OrgID               string          `json:"org_id"`
	WorkspaceID         string          `json:"workspace_id"`
	SyncConfigurationID string          `json:"sync_configuration_id"`
	SyncRunID           string          `json:"sync_run_id"`
	SourceType          string          `json:"source_type"`
	SourceObjectID      string          `json:"source_object_id"`
	DestinationType     string          `json:"destination_type"`
	DestinationID       string          `json:"destination_id"`
	DestinationObjectID string          `json:"destination_object_id"`
	StartedAt           string          `json:"started_at"`
	Schema              json.RawMessage `json:"record_payload_schema"`
}

type camelMeta struct {
	OrgID               json.Number     `json:"orgId"`
	WorkspaceID         string          `json:"workspaceId"`
	SyncConfigurationID string          `json:"syncConfigurationId"`
	SyncRunID           string          `json:"syncRunId"`
	SourceType          string          `json:"sourceType"`
	SourceObjectID      string          `json:"sourceObjectId"`
	DestinationType     string          `json:"destinationType"`
	DestinationID       string          `json:"destinationId"`
	DestinationObjectID string          `json:"destinationObjectId"`
	RunStartedAt        string          `json:"runStartedAt,omitempty"`
	StartedAt           string          `json:"startedAt,omitempty"`
	Schema              json.RawMessage `json:"recordPayloadSchema"`
}

type typeID struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	ObjectID string `json:"object_id,omitempty"`
}

type nestedMeta struct {
	OrgID               string          `json:"org_id"`
	WorkspaceID         string          `json:"workspace_id"`
	SyncConfigurationID string          `json:"sync_configuration_id"`
	Source              typeID          `json:"source"`
	Destination         typeID          `json:"destination"`
	StartedAt           string          `json:"started_at"`
	Schema              json.RawMessage `json:"record_payload_schema"`
}

// payloadSchema renders the run's payload schema as a JSON object in field
// order: field name -> JSON type.
func payloadSchema(fields []field) json.RawMessage {
	b := []byte{'{'}
	for i := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(append(b, fields[i].key...), '"'), fields[i].typ...), '"')
	}
	return append(b, '}')
}

// metadataJSON renders the metadata.json of a run in the run's key style.
func metadataJSON(run *runPlan) ([]byte, error) {
	s, org := run.sync, run.sync.org
	schema := payloadSchema(run.fields)
	switch run.style {
	case StyleCamel:
		m := camelMeta{OrgID: json.Number(org.id), WorkspaceID: org.workspace,
			SyncConfigurationID: s.id, SyncRunID: run.id, SourceType: s.source.Type,
			SourceObjectID: s.source.ID, DestinationType: run.dest.Type, DestinationID: run.dest.ID,
			DestinationObjectID: run.dobj.ID, Schema: schema}
		started := run.start.Format("2006-01-02T15:04:05.000Z07:00")
		if run.idx%2 == 0 {
			m.RunStartedAt = started
		} else {
			m.StartedAt = started
		}
		return json.Marshal(m)
	case StyleNested:
		return json.MarshalIndent(nestedMeta{OrgID: org.id, WorkspaceID: org.workspace,
			SyncConfigurationID: s.id,
			Source:              typeID{Type: s.source.Type, ID: s.source.ID},
			Destination:         typeID{Type: run.dest.Type, ID: run.dest.ID, ObjectID: run.dobj.ID},
			StartedAt:           run.start.Format("2006-01-02T15:04:05.000000-07:00"),
			Schema:              schema}, "", "  ")
	}
	return json.Marshal(snakeMeta{OrgID: org.id, WorkspaceID: org.workspace,
		SyncConfigurationID: s.id, SyncRunID: run.id, SourceType: s.source.Type,
		SourceObjectID: s.source.ID, DestinationType: run.dest.Type, DestinationID: run.dest.ID,
		DestinationObjectID: run.dobj.ID, StartedAt: run.start.Format(time.RFC3339), Schema: schema})
}
