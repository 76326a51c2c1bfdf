package sffake

// describe answers a statement sent describe-only, as Snowflake does: it
// compiles it and runs nothing, answering with its result columns and its
// statement type id (0x1000 SELECT, 0x3xxx DML, 0x6xxx DDL...), no rows.
// The fake answers as it would run it, on copies of its state it then
// throws away, so a described write changes nothing.
func (f *Server) describe(q string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.described = append(f.described, q)
	committed, pending, inTx := f.committed, f.pending, f.inTx
	f.committed = committed.clone()
	if pending != nil {
		f.pending = pending.clone()
	}
	res := f.answer(q)
	f.committed, f.pending, f.inTx = committed, pending, inTx
	if data, ok := res["data"].(map[string]any); ok && res["success"] == true {
		data["rowset"], data["total"], data["returned"] = [][]any{}, 0, 0
	}
	return res
}

// Described returns the statements sent describe-only, in order (they are
// in Statements too).
func (f *Server) Described() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.described...)
}

// Parameters returns the session parameters each query request carried
// (MULTI_STATEMENT_COUNT, ...), in order; nil for a request without any.
func (f *Server) Parameters() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.params...)
}
