package sffake

import (
	"fmt"
	"strings"
)

// A small interpreter for the statements that write load_ledger, so the
// fake's ledger follows the SQL synctrack sends, whatever rule that SQL
// encodes, instead of a copy of the rule written in Go: a broken UPDATE or
// MERGE gives a wrong ledger here too, and the tests' expectations, written
// by hand, catch it. It reads the grammar those statements use:
//
//	UPDATE t [a] SET c = e, ... [FROM source a2] WHERE e
//	MERGE INTO t a USING source a2 ON e
//	  WHEN MATCHED THEN UPDATE SET c = e, ... WHEN NOT MATCHED THEN INSERT (c, ...) VALUES (e, ...)
//	source: (SELECT e AS c, ... FROM VALUES (e, ...), ...)
//	e: literals, NULL, [alias.]"COL", columnN, f(e), e = e, e <> e, e IN (...),
//	   CASE WHEN e THEN e ... [ELSE e] END,
//	   e IS [NOT] NULL, AND, OR, NOT, parentheses
//
// Values are strings or nil (SQL NULL); functions other than COALESCE
// (TO_TIMESTAMP_TZ: the fake keeps times as ISO text) return their argument.

type row map[string]any // column name (as stored, upper case) -> string or nil

// parser reads tokens; a syntax error panics with errSyntax, recovered by run.
type parser struct {
	toks []token
	pos  int
}

type errSyntax struct{ msg string }

func (p *parser) fail(format string, args ...any) {
	panic(errSyntax{fmt.Sprintf(format, args...) + fmt.Sprintf(" (at token %d of %d)", p.pos, len(p.toks))})
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{}
}

func (p *parser) is(words ...string) bool {
	for i, w := range words {
		if p.pos+i >= len(p.toks) {
			return false
		}
		t := p.toks[p.pos+i]
		if (t.kind != 'i' && t.kind != 'p') || t.text != w {
			return false
		}
	}
	return true
}

func (p *parser) accept(words ...string) bool {
	if p.is(words...) {
		p.pos += len(words)
		return true
	}
	return false
}

func (p *parser) expect(words ...string) {
	if !p.accept(words...) {
		p.fail("want %s, have %q", strings.Join(words, " "), p.peek().text)
	}
}

// name reads an identifier, quoted (as written) or bare (upper-cased).
func (p *parser) name() string {
	t := p.peek()
	if t.kind != 'i' && t.kind != 'q' {
		p.fail("want a name, have %q", t.text)
	}
	p.pos++
	return t.text
}

// table reads "SCHEMA"."TABLE" and returns the table's name.
func (p *parser) table() string {
	n := p.name()
	for p.accept(".") {
		n = p.name()
	}
	return n
}

// expr is an expression, evaluated against named rows (alias -> row).
type expr func(env map[string]row) any

func (p *parser) expr() expr {
	l := p.and()
	for p.accept("OR") {
		a, b := l, p.and()
		l = func(env map[string]row) any { return or3(a(env), b(env)) }
	}
	return l
}

func (p *parser) and() expr {
	l := p.not()
	for p.accept("AND") {
		a, b := l, p.not()
		l = func(env map[string]row) any { return and3(a(env), b(env)) }
	}
	return l
}

func (p *parser) not() expr {
	if p.accept("NOT") {
		e := p.not()
		return func(env map[string]row) any {
			if v, ok := e(env).(bool); ok {
				return !v
			}
			return nil
		}
	}
	return p.cmp()
}

func (p *parser) cmp() expr {
	l := p.primary()
	switch {
	case p.accept("="), p.accept("<>"):
		neq := p.toks[p.pos-1].text == "<>"
		r := p.primary()
		return func(env map[string]row) any {
			a, b := l(env), r(env)
			if a == nil || b == nil {
				return nil
			}
			return (a == b) != neq
		}
	case p.accept("IS", "NOT", "NULL"):
		return func(env map[string]row) any { return l(env) != nil }
	case p.accept("IS", "NULL"):
		return func(env map[string]row) any { return l(env) == nil }
	case p.accept("IN"):
		list := p.list()
		return func(env map[string]row) any {
			a := l(env)
			if a == nil {
				return nil
			}
			for _, e := range list {
				if e(env) == a {
					return true
				}
			}
			return false
		}
	}
	return l
}

// list reads ( e, e, ... ).
func (p *parser) list() []expr {
	p.expect("(")
	var out []expr
	for {
		out = append(out, p.expr())
		if !p.accept(",") {
			break
		}
	}
	p.expect(")")
	return out
}

func (p *parser) primary() expr {
	t := p.peek()
	switch {
	case t.kind == 's' || t.kind == 'n':
		p.pos++
		return func(map[string]row) any { return t.text }
	case p.accept("NULL"):
		return func(map[string]row) any { return nil }
	case p.accept("("):
		e := p.expr()
		p.expect(")")
		return e
	case p.accept("CASE"):
		return p.caseWhen()
	case t.kind == 'i' && p.pos+1 < len(p.toks) && p.toks[p.pos+1].text == "(":
		p.pos++
		args := p.list()
		if t.text == "COALESCE" {
			return func(env map[string]row) any {
				for _, a := range args {
					if v := a(env); v != nil {
						return v
					}
				}
				return nil
			}
		}
		return args[0]
	}
	col := p.name()
	alias := ""
	if p.accept(".") {
		alias, col = col, p.name()
	}
	return func(env map[string]row) any {
		if alias != "" {
			return env[alias][col]
		}
		for _, r := range env {
			if v, ok := r[col]; ok {
				return v
			}
		}
		return nil
	}
}

func and3(a, b any) any {
	if a == false || b == false {
		return false
	}
	if a == nil || b == nil {
		return nil
	}
	return true
}

func or3(a, b any) any {
	if a == true || b == true {
		return true
	}
	if a == nil || b == nil {
		return nil
	}
	return false
}

// caseWhen reads the rest of CASE WHEN e THEN e ... [ELSE e] END: the
// first branch whose condition is true, else the ELSE (or NULL).
func (p *parser) caseWhen() expr {
	var conds, vals []expr
	for p.accept("WHEN") {
		conds = append(conds, p.expr())
		p.expect("THEN")
		vals = append(vals, p.expr())
	}
	if len(conds) == 0 {
		p.fail("CASE without WHEN")
	}
	otherwise := func(map[string]row) any { return nil }
	if p.accept("ELSE") {
		otherwise = p.expr()
	}
	p.expect("END")
	return func(env map[string]row) any {
		for i, c := range conds {
			if c(env) == true {
				return vals[i](env)
			}
		}
		return otherwise(env)
	}
}
