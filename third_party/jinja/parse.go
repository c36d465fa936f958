package jinja

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// =============================================================================
// Expression tokenizer
// =============================================================================

type tokKind int

const (
	tokName     tokKind = iota // identifier or keyword
	tokInt                     // integer literal
	tokFloat                   // float literal
	tokString                  // string literal
	tokOp                      // operator (+, -, ==, etc)
	tokComma                   // ,
	tokDot                     // .
	tokColon                   // :
	tokLParen                  // (
	tokRParen                  // )
	tokLBracket                // [
	tokRBracket                // ]
	tokLBrace                  // {
	tokRBrace                  // }
	tokPipe                    // |
	tokTilde                   // ~
	tokPower                   // **
	tokFloorDiv                // //
	tokEOF
)

type tok struct {
	kind tokKind
	val  string
}

func tokenizeExpr(s string) ([]tok, error) {
	var tokens []tok
	i := 0

	for i < len(s) {
		ch := s[i]

		// Skip whitespace.
		if ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v' {
			i++
			continue
		}

		// String literals, unescaped as Python unescapes them.
		if ch == '\'' || ch == '"' {
			quote := ch
			j := i + 1
			for j < len(s) && s[j] != quote {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unexpected end of string literal")
			}
			tokens = append(tokens, tok{kind: tokString, val: pyUnescape(s[i+1 : j])})
			i = j + 1
			continue
		}

		// Numbers: integers, and floats with a fraction and/or an
		// exponent (1.5, 1e20, 2E3, 1.5e-3); "_" may separate digits.
		if ch >= '0' && ch <= '9' {
			start := i
			digits := func() {
				for i < len(s) && ((s[i] >= '0' && s[i] <= '9') || (s[i] == '_' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9')) {
					i++
				}
			}
			digits()
			isFloat := false
			// As Python's float_re, (?<!\.): after a dot (x.0.1) a
			// number is an integer attribute, not a float.
			afterDot := start > 0 && s[start-1] == '.'
			if !afterDot && i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
				isFloat = true
				i++
				digits()
			}
			if !afterDot && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
				j := i + 1
				if j < len(s) && (s[j] == '+' || s[j] == '-') {
					j++
				}
				if j < len(s) && s[j] >= '0' && s[j] <= '9' {
					isFloat = true
					i = j
					digits()
				}
			}
			val := strings.ReplaceAll(s[start:i], "_", "")
			if isFloat {
				tokens = append(tokens, tok{kind: tokFloat, val: val})
			} else {
				tokens = append(tokens, tok{kind: tokInt, val: val})
			}
			continue
		}

		// Identifiers and keywords.
		if ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') {
			start := i
			for i < len(s) && (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')) {
				i++
			}
			tokens = append(tokens, tok{kind: tokName, val: s[start:i]})
			continue
		}

		// Two-character operators.
		if i+1 < len(s) {
			two := s[i : i+2]
			switch two {
			case "**":
				tokens = append(tokens, tok{kind: tokPower, val: two})
				i += 2
				continue
			case "//":
				tokens = append(tokens, tok{kind: tokFloorDiv, val: two})
				i += 2
				continue
			case "==", "!=", "<=", ">=":
				tokens = append(tokens, tok{kind: tokOp, val: two})
				i += 2
				continue
			}
		}

		// Single-character tokens.
		switch ch {
		case ',':
			tokens = append(tokens, tok{kind: tokComma, val: ","})
		case '.':
			tokens = append(tokens, tok{kind: tokDot, val: "."})
		case ':':
			tokens = append(tokens, tok{kind: tokColon, val: ":"})
		case '(':
			tokens = append(tokens, tok{kind: tokLParen, val: "("})
		case ')':
			tokens = append(tokens, tok{kind: tokRParen, val: ")"})
		case '[':
			tokens = append(tokens, tok{kind: tokLBracket, val: "["})
		case ']':
			tokens = append(tokens, tok{kind: tokRBracket, val: "]"})
		case '{':
			tokens = append(tokens, tok{kind: tokLBrace, val: "{"})
		case '}':
			tokens = append(tokens, tok{kind: tokRBrace, val: "}"})
		case '|':
			tokens = append(tokens, tok{kind: tokPipe, val: "|"})
		case '~':
			tokens = append(tokens, tok{kind: tokTilde, val: "~"})
		case '+', '-', '*', '/', '%', '<', '>':
			tokens = append(tokens, tok{kind: tokOp, val: string(ch)})
		case '=':
			tokens = append(tokens, tok{kind: tokOp, val: "="})
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, fmt.Errorf("unexpected char %q", r)
		}
		i++
	}

	tokens = append(tokens, tok{kind: tokEOF, val: ""})
	return tokens, nil
}

// pyUnescape decodes the backslash escapes of a Python string literal
// (\n, \t, \\, \', \", \xhh, \uhhhh, \Uhhhhhhhh, octal, \a \b \f \v
// \r); an unknown escape keeps its backslash, as in Python.
func pyUnescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '\\', '\'', '"':
			b.WriteByte(c)
		case '\n':
			// A backslash at the end of a line continues it.
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
			if i+1+n <= len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(c)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(c)
		}
	}
	return b.String()
}

// =============================================================================
// Expression parser (recursive descent)
// =============================================================================

type exprParser struct {
	tokens []tok
	pos    int
}

func newExprParser(tokens []tok) *exprParser {
	return &exprParser{tokens: tokens, pos: 0}
}

func (p *exprParser) peek() tok {
	if p.pos >= len(p.tokens) {
		return tok{kind: tokEOF}
	}
	return p.tokens[p.pos]
}

func (p *exprParser) advance() tok {
	t := p.peek()
	p.pos++
	return t
}

func (p *exprParser) expect(kind tokKind, val string) (tok, error) {
	t := p.advance()
	if t.kind != kind {
		return t, fmt.Errorf("expected %q but got %q", val, t.val)
	}
	if val != "" && t.val != val {
		return t, fmt.Errorf("expected %q but got %q", val, t.val)
	}
	return t, nil
}

func (p *exprParser) matchName(name string) bool {
	if p.peek().kind == tokName && p.peek().val == name {
		p.advance()
		return true
	}
	return false
}

// parseExpr is the public entry point. Like Jinja's parse_tuple, a
// top-level comma makes a tuple ({{ 1, 2 }} prints "(1, 2)").
func parseExpr(s string) (expr, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("expected an expression")
	}

	tokens, err := tokenizeExpr(s)
	if err != nil {
		return nil, err
	}
	p := newExprParser(tokens)
	e, err := p.parseExpression()
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tokComma {
		items := []expr{e}
		for p.peek().kind == tokComma {
			p.advance()
			if p.peek().kind == tokEOF {
				break
			}
			item, err := p.parseExpression()
			if err != nil {
				return nil, err
			}
			items = append(items, item)
		}
		e = &listExpr{items: items, tuple: true}
	}

	if p.peek().kind != tokEOF {
		return nil, fmt.Errorf("unexpected token %q after expression", p.peek().val)
	}

	return e, nil
}

// The grammar and precedence follow Jinja's parser: condexpr < or < and <
// not < compare < math1 (+ -) < concat (~) < math2 (* / // %) < pow <
// unary; filters and tests bind to the unary operand ("-1 | abs" is 1,
// "n + 1 is odd" tests 1).

// parseExpression handles the lowest precedence: inline if/else.
func (p *exprParser) parseExpression() (expr, error) {
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}

	// Handle inline if: expr if condition [else expr]
	for p.peek().kind == tokName && p.peek().val == "if" {
		p.advance()
		cond, err := p.parseOr()
		if err != nil {
			return nil, err
		}

		var falseExpr expr
		if p.matchName("else") {
			falseExpr, err = p.parseExpression()
			if err != nil {
				return nil, err
			}
		}

		e = &condExpr{
			trueExpr:  e,
			condition: cond,
			falseExpr: falseExpr,
		}
	}

	return e, nil
}

func (p *exprParser) parseOr() (expr, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}

	for p.peek().kind == tokName && p.peek().val == "or" {
		p.advance()
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &binExpr{op: "or", left: left, right: right}
	}

	return left, nil
}

func (p *exprParser) parseAnd() (expr, error) {
	left, err := p.parseNot()
	if err != nil {
		return nil, err
	}

	for p.peek().kind == tokName && p.peek().val == "and" {
		p.advance()
		right, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		left = &binExpr{op: "and", left: left, right: right}
	}

	return left, nil
}

func (p *exprParser) parseNot() (expr, error) {
	if p.peek().kind == tokName && p.peek().val == "not" {
		p.advance()
		operand, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "not", operand: operand}, nil
	}

	return p.parseComparison()
}

// parseComparison parses a comparison chain; like Python, a < b < c is
// a < b and b < c with b evaluated once.
func (p *exprParser) parseComparison() (expr, error) {
	first, err := p.parseAddSub()
	if err != nil {
		return nil, err
	}
	chain := &cmpChainExpr{operands: []expr{first}}
	left := first

	for {
		t := p.peek()

		// Standard comparison operators.
		if t.kind == tokOp {
			switch t.val {
			case "==", "!=", "<", ">", "<=", ">=":
				p.advance()
				right, err := p.parseAddSub()
				if err != nil {
					return nil, err
				}
				chain.ops = append(chain.ops, t.val)
				chain.operands = append(chain.operands, right)
				left = &binExpr{op: t.val, left: left, right: right}
				continue
			}
		}

		// "in" operator.
		if t.kind == tokName && t.val == "in" {
			p.advance()
			right, err := p.parseAddSub()
			if err != nil {
				return nil, err
			}
			chain.ops = append(chain.ops, "in")
			chain.operands = append(chain.operands, right)
			left = &binExpr{op: "in", left: left, right: right}
			continue
		}

		// "not in" operator.
		if t.kind == tokName && t.val == "not" && p.pos+1 < len(p.tokens) && p.tokens[p.pos+1].kind == tokName && p.tokens[p.pos+1].val == "in" {
			p.advance() // not
			p.advance() // in
			right, err := p.parseAddSub()
			if err != nil {
				return nil, err
			}
			chain.ops = append(chain.ops, "not in")
			chain.operands = append(chain.operands, right)
			left = &binExpr{op: "not in", left: left, right: right}
			continue
		}

		break
	}

	if len(chain.ops) > 1 {
		return chain, nil
	}
	return left, nil
}

func (p *exprParser) parseAddSub() (expr, error) {
	left, err := p.parseConcat()
	if err != nil {
		return nil, err
	}

	for p.peek().kind == tokOp && (p.peek().val == "+" || p.peek().val == "-") {
		op := p.advance().val
		right, err := p.parseConcat()
		if err != nil {
			return nil, err
		}
		left = &binExpr{op: op, left: left, right: right}
	}

	return left, nil
}

func (p *exprParser) parseConcat() (expr, error) {
	left, err := p.parseMulDiv()
	if err != nil {
		return nil, err
	}

	for p.peek().kind == tokTilde {
		p.advance()
		right, err := p.parseMulDiv()
		if err != nil {
			return nil, err
		}
		left = &binExpr{op: "~", left: left, right: right}
	}

	return left, nil
}

func (p *exprParser) parseMulDiv() (expr, error) {
	left, err := p.parsePower()
	if err != nil {
		return nil, err
	}

	for {
		t := p.peek()
		if t.kind == tokOp && (t.val == "*" || t.val == "/" || t.val == "%") {
			op := p.advance().val
			right, err := p.parsePower()
			if err != nil {
				return nil, err
			}
			left = &binExpr{op: op, left: left, right: right}
			continue
		}
		if t.kind == tokFloorDiv {
			p.advance()
			right, err := p.parsePower()
			if err != nil {
				return nil, err
			}
			left = &binExpr{op: "//", left: left, right: right}
			continue
		}
		break
	}

	return left, nil
}

func (p *exprParser) parsePower() (expr, error) {
	left, err := p.parseUnary(true)
	if err != nil {
		return nil, err
	}

	for p.peek().kind == tokPower {
		p.advance()
		right, err := p.parseUnary(true)
		if err != nil {
			return nil, err
		}
		left = &binExpr{op: "**", left: left, right: right}
	}

	return left, nil
}

func (p *exprParser) parseUnary(withFilter bool) (expr, error) {
	var e expr
	var err error
	if p.peek().kind == tokOp && (p.peek().val == "-" || p.peek().val == "+") {
		op := p.advance().val
		operand, err := p.parseUnary(false)
		if err != nil {
			return nil, err
		}
		e = &unaryExpr{op: op, operand: operand}
	} else {
		e, err = p.parseAtom()
		if err != nil {
			return nil, err
		}
	}
	e, err = p.parsePostfix(e)
	if err != nil {
		return nil, err
	}
	if withFilter {
		return p.parseFilterExpr(e)
	}
	return e, nil
}

// parsePostfix parses attribute access, subscripts and calls.
func (p *exprParser) parsePostfix(e expr) (expr, error) {
	var err error
	for {
		t := p.peek()

		// Attribute access: e.attr; e.0 is e[0].
		if t.kind == tokDot {
			p.advance()
			attrTok := p.advance()
			switch attrTok.kind {
			case tokName:
				e = &attrExpr{obj: e, attr: attrTok.val}
			case tokInt:
				n, _ := strconv.ParseInt(attrTok.val, 10, 64)
				e = &itemExpr{obj: e, key: &litExpr{val: NewInt(n)}}
			default:
				return nil, fmt.Errorf("expected attribute name after '.', got %q", attrTok.val)
			}
			continue
		}

		// Subscript / slice: e[key] or e[start:stop]
		if t.kind == tokLBracket {
			p.advance()

			// Check for slice: e[start:stop:step]
			var startExpr, stopExpr, stepExpr expr
			isSlice := false

			if p.peek().kind == tokColon {
				isSlice = true
			} else {
				startExpr, err = p.parseExpression()
				if err != nil {
					return nil, err
				}
				if p.peek().kind == tokColon {
					isSlice = true
				}
			}

			if isSlice {
				if p.peek().kind == tokColon {
					p.advance()
				}
				if p.peek().kind != tokRBracket && p.peek().kind != tokColon {
					stopExpr, err = p.parseExpression()
					if err != nil {
						return nil, err
					}
				}
				if p.peek().kind == tokColon {
					p.advance()
					if p.peek().kind != tokRBracket {
						stepExpr, err = p.parseExpression()
						if err != nil {
							return nil, err
						}
					}
				}
				if _, err := p.expect(tokRBracket, "]"); err != nil {
					return nil, err
				}
				e = &sliceExpr{obj: e, start: startExpr, stop: stopExpr, step: stepExpr}
			} else {
				if _, err := p.expect(tokRBracket, "]"); err != nil {
					return nil, err
				}
				e = &itemExpr{obj: e, key: startExpr}
			}
			continue
		}

		// Function call: e(args)
		if t.kind == tokLParen {
			p.advance()
			args, kwargs, err := p.parseCallArgs()
			if err != nil {
				return nil, err
			}
			e = &callExpr{fn: e, args: args, kwargs: kwargs}
			continue
		}

		break
	}

	return e, nil
}

// parseFilterExpr parses filters, tests and calls following an operand.
func (p *exprParser) parseFilterExpr(e expr) (expr, error) {
	var err error
	for {
		t := p.peek()

		// Filter: e | filtername or e | filtername(args)
		if t.kind == tokPipe {
			p.advance()
			filterTok := p.advance()
			if filterTok.kind != tokName {
				return nil, fmt.Errorf("expected filter name after '|', got %q", filterTok.val)
			}
			name := filterTok.val
			for p.peek().kind == tokDot && p.pos+1 < len(p.tokens) && p.tokens[p.pos+1].kind == tokName {
				p.advance()
				name += "." + p.advance().val
			}

			var filterArgs []expr
			var filterKwargs []kwarg
			if p.peek().kind == tokLParen {
				p.advance()
				filterArgs, filterKwargs, err = p.parseCallArgs()
				if err != nil {
					return nil, err
				}
			}

			e = &filterExpr{
				expr:   e,
				name:   name,
				args:   filterArgs,
				kwargs: filterKwargs,
			}
			continue
		}

		// Test: e is [not] name, e is name(args) or e is name arg.
		if t.kind == tokName && t.val == "is" {
			p.advance()
			negated := p.matchName("not")
			testTok := p.advance()
			if testTok.kind != tokName {
				return nil, fmt.Errorf("expected test name after 'is', got %q", testTok.val)
			}
			testName := testTok.val
			for p.peek().kind == tokDot && p.pos+1 < len(p.tokens) && p.tokens[p.pos+1].kind == tokName {
				p.advance()
				testName += "." + p.advance().val
			}

			var testArgs []expr
			var testKwargs []kwarg
			nt := p.peek()
			switch {
			case nt.kind == tokLParen:
				p.advance()
				testArgs, testKwargs, err = p.parseCallArgs()
				if err != nil {
					return nil, err
				}
			case (nt.kind == tokName || nt.kind == tokString || nt.kind == tokInt || nt.kind == tokFloat ||
				nt.kind == tokLBracket || nt.kind == tokLBrace) &&
				!(nt.kind == tokName && (nt.val == "else" || nt.val == "or" || nt.val == "and")):
				if nt.kind == tokName && nt.val == "is" {
					return nil, fmt.Errorf("you cannot chain multiple tests with is")
				}
				arg, err := p.parseAtom()
				if err != nil {
					return nil, err
				}
				arg, err = p.parsePostfix(arg)
				if err != nil {
					return nil, err
				}
				testArgs = []expr{arg}
			}

			e = &testExpr{
				expr:    e,
				name:    testName,
				negated: negated,
				args:    testArgs,
				kwargs:  testKwargs,
			}
			continue
		}

		// Call of a filter's or test's result.
		if t.kind == tokLParen {
			p.advance()
			args, kwargs, err := p.parseCallArgs()
			if err != nil {
				return nil, err
			}
			e = &callExpr{fn: e, args: args, kwargs: kwargs}
			continue
		}

		break
	}

	return e, nil
}

func (p *exprParser) parseAtom() (expr, error) {
	t := p.peek()

	// None / none
	if t.kind == tokName && (t.val == "None" || t.val == "none") {
		p.advance()
		return &litExpr{val: None()}, nil
	}

	// True / true
	if t.kind == tokName && (t.val == "True" || t.val == "true") {
		p.advance()
		return &litExpr{val: NewBool(true)}, nil
	}

	// False / false
	if t.kind == tokName && (t.val == "False" || t.val == "false") {
		p.advance()
		return &litExpr{val: NewBool(false)}, nil
	}

	// Integer literal.
	if t.kind == tokInt {
		p.advance()
		n, err := strconv.ParseInt(t.val, 10, 64)
		if err != nil {
			f, _ := strconv.ParseFloat(t.val, 64)
			return &litExpr{val: NewFloat(f)}, nil
		}
		return &litExpr{val: NewInt(n)}, nil
	}

	// Float literal.
	if t.kind == tokFloat {
		p.advance()
		f, _ := strconv.ParseFloat(t.val, 64)
		return &litExpr{val: NewFloat(f)}, nil
	}

	// String literal; adjacent literals concatenate.
	if t.kind == tokString {
		p.advance()
		s := t.val
		for p.peek().kind == tokString {
			s += p.advance().val
		}
		return &litExpr{val: NewString(s)}, nil
	}

	// Identifier.
	if t.kind == tokName {
		p.advance()
		return &nameExpr{name: t.val}, nil
	}

	// Parenthesized expression or tuple.
	if t.kind == tokLParen {
		p.advance()
		if p.peek().kind == tokRParen {
			p.advance()
			return &listExpr{items: nil, tuple: true}, nil
		}
		e, err := p.parseExpression()
		if err != nil {
			return nil, err
		}

		// Check if tuple: (a, b, ...)
		if p.peek().kind == tokComma {
			items := []expr{e}
			for p.peek().kind == tokComma {
				p.advance()
				if p.peek().kind == tokRParen {
					break
				}
				item, err := p.parseExpression()
				if err != nil {
					return nil, err
				}
				items = append(items, item)
			}
			if _, err := p.expect(tokRParen, ")"); err != nil {
				return nil, err
			}
			return &listExpr{items: items, tuple: true}, nil
		}

		if _, err := p.expect(tokRParen, ")"); err != nil {
			return nil, err
		}
		return e, nil
	}

	// List literal: [a, b, ...]
	if t.kind == tokLBracket {
		p.advance()
		var items []expr
		for p.peek().kind != tokRBracket && p.peek().kind != tokEOF {
			item, err := p.parseExpression()
			if err != nil {
				return nil, err
			}
			items = append(items, item)
			if p.peek().kind == tokComma {
				p.advance()
			} else if p.peek().kind != tokRBracket {
				return nil, fmt.Errorf("expected ',' or ']' in list, got %q", p.peek().val)
			}
		}
		if _, err := p.expect(tokRBracket, "]"); err != nil {
			return nil, err
		}
		return &listExpr{items: items}, nil
	}

	// Dict literal: {k: v, ...}
	if t.kind == tokLBrace {
		p.advance()
		var pairs []dictPair
		for p.peek().kind != tokRBrace && p.peek().kind != tokEOF {
			key, err := p.parseExpression()
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(tokColon, ":"); err != nil {
				return nil, err
			}
			value, err := p.parseExpression()
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, dictPair{key: key, value: value})
			if p.peek().kind == tokComma {
				p.advance()
			} else if p.peek().kind != tokRBrace {
				return nil, fmt.Errorf("expected ',' or '}' in dict, got %q", p.peek().val)
			}
		}
		if _, err := p.expect(tokRBrace, "}"); err != nil {
			return nil, err
		}
		return &dictExpr{pairs: pairs}, nil
	}

	if t.kind == tokEOF {
		return nil, fmt.Errorf("unexpected end of expression")
	}
	return nil, fmt.Errorf("unexpected token %q", t.val)
}

// parseCallArgs parses call arguments with Jinja's rules: positional
// arguments, then name=value, with at most one *seq (before any **) and
// one **mapping (last).
func (p *exprParser) parseCallArgs() ([]expr, []kwarg, error) {
	var args []expr
	var kwargs []kwarg
	dynArgs, dynKwargs := false, false
	invalid := fmt.Errorf("invalid syntax for function call expression")

	for p.peek().kind != tokRParen && p.peek().kind != tokEOF {
		t := p.peek()
		switch {
		case t.kind == tokOp && t.val == "*":
			if dynArgs || dynKwargs {
				return nil, nil, invalid
			}
			p.advance()
			val, err := p.parseExpression()
			if err != nil {
				return nil, nil, err
			}
			args = append(args, &starExpr{expr: val})
			dynArgs = true
		case t.kind == tokPower:
			if dynKwargs {
				return nil, nil, invalid
			}
			p.advance()
			val, err := p.parseExpression()
			if err != nil {
				return nil, nil, err
			}
			kwargs = append(kwargs, kwarg{name: "**", value: val})
			dynKwargs = true
		case t.kind == tokName && p.pos+1 < len(p.tokens) && p.tokens[p.pos+1].kind == tokOp && p.tokens[p.pos+1].val == "=":
			if dynKwargs {
				return nil, nil, invalid
			}
			name := p.advance().val
			p.advance() // skip =
			val, err := p.parseExpression()
			if err != nil {
				return nil, nil, err
			}
			kwargs = append(kwargs, kwarg{name: name, value: val})
		default:
			if dynArgs || dynKwargs || len(kwargs) > 0 {
				return nil, nil, invalid
			}
			arg, err := p.parseExpression()
			if err != nil {
				return nil, nil, err
			}
			args = append(args, arg)
		}

		if p.peek().kind == tokComma {
			p.advance()
		} else if p.peek().kind != tokRParen {
			return nil, nil, fmt.Errorf("expected ',' or ')' in call, got %q", p.peek().val)
		}
	}

	if _, err := p.expect(tokRParen, ")"); err != nil {
		return nil, nil, err
	}

	return args, kwargs, nil
}

// =============================================================================
// Template parser (segments -> AST nodes)
// =============================================================================

func parseTemplate(segs []segment) ([]node, error) {
	// White space control was applied by scan, which only ever touches
	// the text next to a tag, as Python's lexer does.
	p := &templateParser{segs: segs, pos: 0}
	nodes, err := p.parseUntil("")
	if err != nil {
		return nil, err
	}
	return nodes, nil
}

type templateParser struct {
	segs []segment
	pos  int
}

func (p *templateParser) done() bool {
	return p.pos >= len(p.segs)
}

func (p *templateParser) peek() *segment {
	if p.done() {
		return nil
	}
	return &p.segs[p.pos]
}

func (p *templateParser) advance() *segment {
	s := p.peek()
	p.pos++
	return s
}

// parseUntil parses nodes until we hit a statement starting with one of the
// stop keywords (e.g., "endif", "endfor", "elif", "else"). Returns the nodes
// collected so far. The stop keyword segment is NOT consumed.
func (p *templateParser) parseUntil(stopKeywords ...string) ([]node, error) {
	var nodes []node

	for !p.done() {
		seg := p.peek()

		if seg.kind == segStmt {
			keyword := stmtKeyword(seg.text)
			if slices.Contains(stopKeywords, keyword) {
				return nodes, nil
			}
		}

		start := len(nodes)
		switch seg.kind {
		case segText:
			p.advance()
			nodes = append(nodes, &textNode{text: seg.text})

		case segComment:
			p.advance()
			// Comments produce no output but may affect whitespace.

		case segExpr:
			p.advance()
			e, err := parseExpr(seg.text)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", seg.line, err)
			}
			nodes = append(nodes, &outputNode{expression: e})

		case segStmt:
			keyword := stmtKeyword(seg.text)
			switch keyword {
			case "if":
				n, err := p.parseIf()
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, n)

			case "for":
				n, err := p.parseFor()
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, n)

			case "set":
				n, err := p.parseSet()
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, n)

			case "macro":
				n, err := p.parseMacro()
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, n)

			case "call":
				n, err := p.parseCall()
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, n)

			case "filter":
				n, err := p.parseFilterBlock()
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, n)

			case "raw":
				n, err := p.parseRaw()
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, n)

			case "with":
				n, err := p.parseWith()
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, n)

			case "break":
				p.advance()
				nodes = append(nodes, &breakNode{})

			case "continue":
				p.advance()
				nodes = append(nodes, &continueNode{})

			case "generation":
				// generation/endgeneration mark assistant output; a
				// tracking render records where it lands.
				p.advance()
				body, err := p.parseUntil("endgeneration")
				if err != nil {
					return nil, err
				}
				if p.done() || stmtKeyword(p.peek().text) != "endgeneration" {
					return nil, fmt.Errorf("line %d: unclosed generation block", seg.line)
				}
				p.advance()
				nodes = append(nodes, &generationNode{body: body})

			default:
				return nil, fmt.Errorf("line %d: unknown statement %q", seg.line, keyword)
			}

		default:
			p.advance()
		}
		// The nodes this segment started remember its template line, so
		// that a render error names it.
		for i := start; i < len(nodes); i++ {
			if _, text := nodes[i].(*textNode); !text {
				nodes[i] = &lineNode{line: seg.line, node: nodes[i]}
			}
		}
	}

	return nodes, nil
}

func (p *templateParser) parseIf() (*ifNode, error) {
	n := &ifNode{}

	// Parse initial "if" branch.
	seg := p.advance()
	condStr := strings.TrimPrefix(strings.TrimSpace(seg.text), "if")
	cond, err := parseExpr(condStr)
	if err != nil {
		return nil, fmt.Errorf("line %d: if condition: %w", seg.line, err)
	}

	body, err := p.parseUntil("elif", "else", "endif")
	if err != nil {
		return nil, err
	}
	n.branches = append(n.branches, condBranch{condition: cond, body: body})

	// Parse elif / else branches.
	for !p.done() {
		seg := p.peek()
		keyword := stmtKeyword(seg.text)

		if keyword == "elif" {
			p.advance()
			condStr := strings.TrimPrefix(strings.TrimSpace(seg.text), "elif")
			cond, err := parseExpr(condStr)
			if err != nil {
				return nil, fmt.Errorf("line %d: elif condition: %w", seg.line, err)
			}
			body, err := p.parseUntil("elif", "else", "endif")
			if err != nil {
				return nil, err
			}
			n.branches = append(n.branches, condBranch{condition: cond, body: body})
			continue
		}

		if keyword == "else" {
			p.advance()
			body, err := p.parseUntil("endif")
			if err != nil {
				return nil, err
			}
			n.branches = append(n.branches, condBranch{condition: nil, body: body})
			continue
		}

		if keyword == "endif" {
			p.advance()
			return n, nil
		}

		break
	}

	return nil, fmt.Errorf("unclosed if block")
}

func (p *templateParser) parseFor() (*forNode, error) {
	seg := p.advance()
	n := &forNode{}

	// Parse: for [key,] val in iter [if filter] [recursive]
	forExpr := strings.TrimPrefix(strings.TrimSpace(seg.text), "for")
	forExpr = strings.TrimSpace(forExpr)

	// Find "in" keyword to split vars from iterable.
	inIdx := findKeyword(forExpr, "in")
	if inIdx < 0 {
		return nil, fmt.Errorf("line %d: for loop missing 'in'", seg.line)
	}

	varPart := strings.TrimSpace(forExpr[:inIdx])
	iterPart := strings.TrimSpace(forExpr[inIdx+2:])

	// Parse variables: key, val or just val
	if strings.HasPrefix(varPart, "(") && strings.HasSuffix(varPart, ")") {
		varPart = strings.TrimSpace(varPart[1 : len(varPart)-1])
	}
	vars := splitVars(varPart)
	for _, v := range vars {
		if !isIdentifier(v) {
			return nil, fmt.Errorf("line %d: invalid for loop variables: %q", seg.line, varPart)
		}
	}
	switch len(vars) {
	case 0:
		return nil, fmt.Errorf("line %d: invalid for loop variables: %q", seg.line, varPart)
	case 1:
		n.valVar = vars[0]
		if strings.Contains(varPart, ",") {
			n.targets = vars
		}
	case 2:
		n.keyVar = vars[0]
		n.valVar = vars[1]
	default:
		n.targets = vars
	}

	// Check for "if" filter clause and "recursive" keyword at the end.
	ifIdx := findKeyword(iterPart, "if")
	recIdx := findKeyword(iterPart, "recursive")

	if recIdx >= 0 {
		n.recursive = true
		iterPart = strings.TrimSpace(iterPart[:recIdx])
		// Re-check for "if" in the truncated part.
		ifIdx = findKeyword(iterPart, "if")
	}

	if ifIdx >= 0 {
		filterStr := strings.TrimSpace(iterPart[ifIdx+2:])
		iterPart = strings.TrimSpace(iterPart[:ifIdx])
		fe, err := parseExpr(filterStr)
		if err != nil {
			return nil, fmt.Errorf("line %d: for filter: %w", seg.line, err)
		}
		n.filterExpr = fe
	}

	iter, err := parseExpr(iterPart)
	if err != nil {
		return nil, fmt.Errorf("line %d: for iterable: %w", seg.line, err)
	}
	n.iter = iter

	body, err := p.parseUntil("else", "endfor")
	if err != nil {
		return nil, err
	}
	n.body = body

	// Check for else.
	if !p.done() && stmtKeyword(p.peek().text) == "else" {
		p.advance()
		elseBody, err := p.parseUntil("endfor")
		if err != nil {
			return nil, err
		}
		n.elseBody = elseBody
	}

	if p.done() || stmtKeyword(p.peek().text) != "endfor" {
		return nil, fmt.Errorf("unclosed for block")
	}
	p.advance()

	return n, nil
}

func (p *templateParser) parseSet() (node, error) {
	seg := p.advance()
	setExpr := strings.TrimPrefix(strings.TrimSpace(seg.text), "set")
	setExpr = strings.TrimSpace(setExpr)

	// Block set assignment: {% set var %}body{% endset %}
	if !strings.Contains(setExpr, "=") {
		target := strings.TrimSpace(setExpr)
		body, err := p.parseUntil("endset")
		if err != nil {
			return nil, err
		}
		if p.done() || stmtKeyword(p.peek().text) != "endset" {
			return nil, fmt.Errorf("line %d: unclosed set block", seg.line)
		}
		p.advance()
		return &setBlockNode{target: target, body: body}, nil
	}

	// Inline set: {% set var = expr %}
	before, after, ok := strings.Cut(setExpr, "=")
	if !ok {
		return nil, fmt.Errorf("line %d: set statement missing '='", seg.line)
	}

	target := strings.TrimSpace(before)
	valueStr := strings.TrimSpace(after)

	val, err := parseExpr(valueStr)
	if err != nil {
		return nil, fmt.Errorf("line %d: set value: %w", seg.line, err)
	}

	// Check for namespace: ns.attr = value
	if before, after, ok := strings.Cut(target, "."); ok {
		return &setNode{
			namespace: before,
			target:    after,
			value:     val,
		}, nil
	}

	return &setNode{target: target, value: val}, nil
}

func (p *templateParser) parseMacro() (*macroNode, error) {
	seg := p.advance()
	macroExpr := strings.TrimPrefix(strings.TrimSpace(seg.text), "macro")
	macroExpr = strings.TrimSpace(macroExpr)

	// Parse name and params: name(param1, param2=default). The defaults
	// are expressions and may hold commas and parentheses (sep=', ').
	tokens, err := tokenizeExpr(macroExpr)
	if err != nil {
		return nil, fmt.Errorf("line %d: macro: %w", seg.line, err)
	}
	ep := newExprParser(tokens)
	nameTok := ep.advance()
	if nameTok.kind != tokName {
		return nil, fmt.Errorf("line %d: macro name expected", seg.line)
	}
	name := nameTok.val
	if _, err := ep.expect(tokLParen, "("); err != nil {
		return nil, fmt.Errorf("line %d: macro missing parameter list", seg.line)
	}
	var params []macroParam
	for ep.peek().kind != tokRParen {
		pTok := ep.advance()
		if pTok.kind != tokName {
			return nil, fmt.Errorf("line %d: macro parameter name expected, got %q", seg.line, pTok.val)
		}
		param := macroParam{name: pTok.val}
		if t := ep.peek(); t.kind == tokOp && t.val == "=" {
			ep.advance()
			defVal, err := ep.parseExpression()
			if err != nil {
				return nil, fmt.Errorf("line %d: macro default: %w", seg.line, err)
			}
			param.defaultVal = defVal
		}
		params = append(params, param)
		if ep.peek().kind == tokComma {
			ep.advance()
		} else if ep.peek().kind != tokRParen {
			return nil, fmt.Errorf("line %d: expected ',' or ')' in macro parameters, got %q", seg.line, ep.peek().val)
		}
	}
	ep.advance()
	if ep.peek().kind != tokEOF {
		return nil, fmt.Errorf("line %d: unexpected %q after macro parameters", seg.line, ep.peek().val)
	}

	body, err := p.parseUntil("endmacro")
	if err != nil {
		return nil, err
	}

	if p.done() || stmtKeyword(p.peek().text) != "endmacro" {
		return nil, fmt.Errorf("unclosed macro block")
	}
	p.advance()

	m := &macroNode{name: name, params: params, body: body}
	names := map[string]bool{}
	collectNames(reflect.ValueOf(body), names)
	m.catchVarargs, m.catchKwargs, m.usesCaller = names["varargs"], names["kwargs"], names["caller"]
	return m, nil
}

func (p *templateParser) parseCall() (*callNode, error) {
	seg := p.advance()
	callStr := strings.TrimPrefix(strings.TrimSpace(seg.text), "call")
	callStr = strings.TrimSpace(callStr)

	n := &callNode{}

	// Check for caller args: call(arg1, arg2) macro(...)
	if strings.HasPrefix(callStr, "(") {
		closeIdx := strings.Index(callStr, ")")
		if closeIdx < 0 {
			return nil, fmt.Errorf("line %d: unclosed call args", seg.line)
		}
		argStr := callStr[1:closeIdx]
		for a := range strings.SplitSeq(argStr, ",") {
			a = strings.TrimSpace(a)
			if a != "" {
				n.callerArgs = append(n.callerArgs, a)
			}
		}
		callStr = strings.TrimSpace(callStr[closeIdx+1:])
	}

	callExprVal, err := parseExpr(callStr)
	if err != nil {
		return nil, fmt.Errorf("line %d: call expression: %w", seg.line, err)
	}
	n.expr = callExprVal

	body, err := p.parseUntil("endcall")
	if err != nil {
		return nil, err
	}
	n.body = body

	if p.done() || stmtKeyword(p.peek().text) != "endcall" {
		return nil, fmt.Errorf("unclosed call block")
	}
	p.advance()

	return n, nil
}

func (p *templateParser) parseWith() (*withNode, error) {
	seg := p.advance()
	src := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(seg.text), "with"))
	n := &withNode{}
	if src != "" {
		tokens, err := tokenizeExpr(src)
		if err != nil {
			return nil, fmt.Errorf("line %d: with: %w", seg.line, err)
		}
		ep := newExprParser(tokens)
		for ep.peek().kind != tokEOF {
			name := ep.advance()
			if name.kind != tokName {
				return nil, fmt.Errorf("line %d: with: expected a name, got %q", seg.line, name.val)
			}
			if _, err := ep.expect(tokOp, "="); err != nil {
				return nil, fmt.Errorf("line %d: with: %w", seg.line, err)
			}
			v, err := ep.parseExpression()
			if err != nil {
				return nil, fmt.Errorf("line %d: with: %w", seg.line, err)
			}
			n.names = append(n.names, name.val)
			n.values = append(n.values, v)
			if ep.peek().kind == tokComma {
				ep.advance()
			} else if ep.peek().kind != tokEOF {
				return nil, fmt.Errorf("line %d: with: unexpected %q", seg.line, ep.peek().val)
			}
		}
	}
	body, err := p.parseUntil("endwith")
	if err != nil {
		return nil, err
	}
	if p.done() || stmtKeyword(p.peek().text) != "endwith" {
		return nil, fmt.Errorf("line %d: unclosed with block", seg.line)
	}
	p.advance()
	n.body = body
	return n, nil
}

func (p *templateParser) parseFilterBlock() (*filterBlockNode, error) {
	seg := p.advance()
	filterStr := strings.TrimPrefix(strings.TrimSpace(seg.text), "filter")
	filterStr = strings.TrimSpace(filterStr)

	// The tag holds a filter chain (replace('a', 'o') | upper) applied to
	// the rendered body, which it reads from filterBodyVar.
	tokens, err := tokenizeExpr(filterStr)
	if err != nil {
		return nil, fmt.Errorf("line %d: filter expression: %w", seg.line, err)
	}
	ep := newExprParser(append([]tok{{kind: tokPipe, val: "|"}}, tokens...))
	fe, err := ep.parseFilterExpr(&nameExpr{name: filterBodyVar})
	if err != nil {
		return nil, fmt.Errorf("line %d: filter expression: %w", seg.line, err)
	}
	if ep.peek().kind != tokEOF {
		return nil, fmt.Errorf("line %d: filter expression: unexpected token %q", seg.line, ep.peek().val)
	}

	body, err := p.parseUntil("endfilter")
	if err != nil {
		return nil, err
	}

	if p.done() || stmtKeyword(p.peek().text) != "endfilter" {
		return nil, fmt.Errorf("unclosed filter block")
	}
	p.advance()

	return &filterBlockNode{filter: fe, body: body}, nil
}

func (p *templateParser) parseRaw() (*textNode, error) {
	p.advance() // consume "raw" statement

	var raw strings.Builder
	for !p.done() {
		seg := p.peek()
		if seg.kind == segStmt && stmtKeyword(seg.text) == "endraw" {
			p.advance()
			return &textNode{text: raw.String()}, nil
		}
		p.advance()
		// Reconstruct original text including delimiters for non-text segments.
		switch seg.kind {
		case segText:
			raw.WriteString(seg.text)
		case segExpr:
			raw.WriteString("{{")
			raw.WriteString(seg.text)
			raw.WriteString("}}")
		case segStmt:
			raw.WriteString("{%")
			raw.WriteString(seg.text)
			raw.WriteString("%}")
		case segComment:
			raw.WriteString("{#")
			raw.WriteString(seg.text)
			raw.WriteString("#}")
		}
	}

	return nil, fmt.Errorf("unclosed raw block")
}

// =============================================================================
// Helper functions
// =============================================================================

// breakNode and continueNode for loop control.
type breakNode struct{}

func (n *breakNode) nodeType() string { return "break" }

type continueNode struct{}

func (n *continueNode) nodeType() string { return "continue" }

// stmtKeyword extracts the first word from a statement segment text.
func stmtKeyword(text string) string {
	text = strings.TrimSpace(text)
	for i, r := range text {
		if !unicode.IsLetter(r) && r != '_' {
			return text[:i]
		}
	}
	return text
}

// findKeyword finds the position of a keyword in an expression string,
// respecting parentheses and quotes. Returns -1 if not found.
func findKeyword(s string, kw string) int {
	depth := 0
	inStr := byte(0)

	for i := 0; i < len(s); i++ {
		ch := s[i]

		if inStr != 0 {
			if ch == '\\' && i+1 < len(s) {
				i++
				continue
			}
			if ch == inStr {
				inStr = 0
			}
			continue
		}

		if ch == '\'' || ch == '"' {
			inStr = ch
			continue
		}

		if ch == '(' || ch == '[' || ch == '{' {
			depth++
			continue
		}
		if ch == ')' || ch == ']' || ch == '}' {
			depth--
			continue
		}

		if depth == 0 && i+len(kw) <= len(s) {
			// Check if keyword matches and is bounded by non-identifier chars.
			if s[i:i+len(kw)] == kw {
				before := i == 0 || !isIdentChar(s[i-1])
				after := i+len(kw) >= len(s) || !isIdentChar(s[i+len(kw)])
				if before && after {
					return i
				}
			}
		}
	}

	return -1
}

// collectNames records every variable name an AST reads.
func collectNames(v reflect.Value, names map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Type() == reflect.TypeFor[*nameExpr]() {
			names[v.Elem().FieldByName("name").String()] = true
			return
		}
		collectNames(v.Elem(), names)
	case reflect.Struct:
		for i := range v.NumField() {
			collectNames(v.Field(i), names)
		}
	case reflect.Slice:
		for i := range v.Len() {
			collectNames(v.Index(i), names)
		}
	}
}

func isIdentifier(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

func isIdentChar(b byte) bool {
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_'
}

// splitVars splits a comma-separated variable list, trimming whitespace.
func splitVars(s string) []string {
	parts := strings.Split(s, ",")
	var vars []string
	for _, part := range parts {
		v := strings.TrimSpace(part)
		if v != "" {
			vars = append(vars, v)
		}
	}
	return vars
}
