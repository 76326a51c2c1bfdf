package sffake

import "fmt"

// write runs an UPDATE or MERGE on a table the fake keeps rows of (see
// sql.go) and returns the rows it changed.
func (s *fakeState) write(q string) (n int, err error) {
	toks, err := tokenize(q)
	if err != nil {
		return 0, err
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(errSyntax)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("fake Snowflake cannot read this statement: %s", e.msg)
		}
	}()
	p := &parser{toks: toks}
	switch {
	case p.accept("UPDATE"):
		n = s.update(p)
	case p.accept("MERGE", "INTO"):
		n = s.merge(p)
	default:
		p.fail("not an UPDATE or MERGE")
	}
	p.accept(";")
	if p.pos != len(p.toks) {
		p.fail("trailing %q", p.peek().text)
	}
	return n, nil
}

type assignment struct {
	col string
	e   expr
}

func (p *parser) assignments() []assignment {
	var out []assignment
	for {
		col := p.name()
		p.expect("=")
		out = append(out, assignment{col, p.expr()})
		if !p.accept(",") {
			return out
		}
	}
}

func apply(r row, set []assignment, env map[string]row) {
	vals := make([]any, len(set))
	for i, a := range set { // every right side sees the row before the update
		vals[i] = a.e(env)
	}
	for i, a := range set {
		r[a.col] = vals[i]
	}
}

// alias reads an optional table alias.
func (p *parser) alias(next ...string) string {
	if t := p.peek(); (t.kind == 'i' || t.kind == 'q') && !p.is(next...) {
		return p.name()
	}
	return ""
}

func (s *fakeState) update(p *parser) int {
	table := p.table()
	a := p.alias("SET")
	p.expect("SET")
	set := p.assignments()
	src := []row{nil}
	b, from := "", p.accept("FROM")
	if from {
		src = p.source()
		b = p.alias("WHERE")
	}
	where := func(map[string]row) any { return true }
	var ac, bc [2]string
	join := false
	if p.accept("WHERE") {
		ac, bc, join = p.joinKey("")
		where = p.expr()
	}
	n := 0
	env := map[string]row{}
	if !from || !join {
		for _, r := range s.rows[table] {
			for _, sr := range src {
				env[a] = r
				if from {
					env[b] = sr
				}
				if where(env) == true {
					apply(r, set, env)
					n++
					break
				}
			}
		}
		return n
	}
	// Each target row is updated once, by the first source row that matches.
	rows := s.rows[table]
	done := map[int]bool{}
	pg := pair(rows, a, ac, bc, true)
	for _, sr := range src {
		for _, i := range pg.candidates(sr) {
			if done[i] {
				continue
			}
			env[a], env[b] = rows[i], sr
			if where(env) == true {
				apply(rows[i], set, env)
				done[i] = true
				n++
			}
		}
	}
	return n
}

func (s *fakeState) merge(p *parser) int {
	table := p.table()
	a := p.alias("USING")
	p.expect("USING")
	src := p.source()
	b := p.alias("ON")
	p.expect("ON")
	ac, bc, join := p.joinKey("WHEN")
	on := p.expr()
	p.expect("WHEN", "MATCHED", "THEN", "UPDATE", "SET")
	set := p.assignments()
	p.expect("WHEN", "NOT", "MATCHED", "THEN", "INSERT", "(")
	var cols []string
	for {
		cols = append(cols, p.name())
		if !p.accept(",") {
			break
		}
	}
	p.expect(")")
	p.expect("VALUES")
	vals := p.list()
	if len(vals) != len(cols) {
		p.fail("INSERT of %d columns with %d values", len(cols), len(vals))
	}
	n := 0
	pg := pair(s.rows[table], a, ac, bc, join)
	env := map[string]row{}
	for _, sr := range src {
		matched := false
		for _, i := range pg.candidates(sr) {
			r := s.rows[table][i]
			env[a], env[b] = r, sr
			if on(env) == true {
				apply(r, set, env)
				matched = true
				n++
			}
		}
		if !matched {
			nr := row{}
			for i, c := range cols {
				nr[c] = vals[i](map[string]row{b: sr})
			}
			s.rows[table] = append(s.rows[table], nr)
			pg.add(nr, len(s.rows[table])-1)
			n++
		}
	}
	return n
}

// source reads (SELECT e AS c, ... FROM VALUES (...), ...) into rows named
// by the AS names; VALUES columns are column1, column2, ... as in Snowflake.
func (p *parser) source() []row {
	p.expect("(")
	p.expect("SELECT")
	type out struct {
		e    expr
		name string
	}
	var sel []out
	for {
		e := p.expr()
		p.expect("AS")
		sel = append(sel, out{e, p.name()})
		if !p.accept(",") {
			break
		}
	}
	p.expect("FROM")
	p.expect("VALUES")
	var rows []row
	for {
		vals := p.list()
		in := row{}
		for i, v := range vals {
			in[fmt.Sprintf("COLUMN%d", i+1)] = v(nil)
		}
		r := row{}
		for _, o := range sel {
			r[o.name] = o.e(map[string]row{"": in})
		}
		rows = append(rows, r)
		if !p.accept(",") {
			break
		}
	}
	p.expect(")")
	return rows
}

// joinKey finds, in the expression starting at p.pos and ending at the
// token stop (or the statement's end), a first conjunct a.X = b.Y with no
// OR beside it at the top level: every match must then have equal X and Y,
// so rows can be paired by a hash index instead of comparing all pairs.
// It reads nothing; ok is false when the expression has no such shape.
func (p *parser) joinKey(stop string) (ac, bc [2]string, ok bool) {
	t := p.toks[p.pos:]
	if len(t) < 7 || t[1].text != "." || t[3].text != "=" || t[5].text != "." {
		return ac, bc, false
	}
	depth := 0
	for i, tok := range t {
		switch {
		case tok.kind == 'p' && tok.text == "(":
			depth++
		case tok.kind == 'p' && tok.text == ")":
			depth--
		case depth == 0 && tok.kind == 'i' && tok.text == stop:
			t = t[:i]
		case depth == 0 && tok.kind == 'i' && tok.text == "OR":
			return ac, bc, false
		}
		if len(t) == i {
			break
		}
	}
	if len(t) > 7 && t[7].text != "AND" {
		return ac, bc, false
	}
	return [2]string{t[0].text, t[2].text}, [2]string{t[4].text, t[6].text}, true
}

// pairing gives, for a source row, the indexes of the target rows worth
// testing: those whose join column equals the source's, or all of them
// without a join key.
type pairing struct {
	ok         bool
	tcol, scol string
	byValue    map[any][]int
	n          int
}

func pair(rows []row, ta string, ac, bc [2]string, ok bool) *pairing {
	pg := &pairing{ok: ok, n: len(rows)}
	if !ok {
		return pg
	}
	pg.tcol, pg.scol = ac[1], bc[1]
	if ac[0] != ta {
		pg.tcol, pg.scol = bc[1], ac[1]
	}
	pg.byValue = map[any][]int{}
	for i, r := range rows {
		pg.add(r, i)
	}
	return pg
}

func (pg *pairing) add(r row, i int) {
	if pg.ok {
		pg.byValue[r[pg.tcol]] = append(pg.byValue[r[pg.tcol]], i)
	}
	pg.n = max(pg.n, i+1)
}

func (pg *pairing) candidates(src row) []int {
	if pg.ok {
		return pg.byValue[src[pg.scol]]
	}
	all := make([]int, pg.n)
	for i := range all {
		all[i] = i
	}
	return all
}
