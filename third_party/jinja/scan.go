// Package jinja implements a Jinja2-compatible template engine.
package jinja

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// segKind identifies the type of a scanned template segment.
type segKind int

const (
	segText    segKind = iota // Raw text between tags.
	segComment                // {# ... #}
	segExpr                   // {{ ... }}
	segStmt                   // {% ... %}
)

// segment represents a single scanned piece of a template.
type segment struct {
	kind      segKind
	text      string // Content between delimiters (tags) or raw text.
	trimLeft  bool   // {%- / {{- / {#- was used.
	trimRight bool   // -%} / -}} / -#} was used.
	line      int    // 1-based line number where the segment starts.
	col       int    // 1-based column number where the segment starts.
}

// scan splits source into a flat slice of segments representing the raw text,
// comments, expressions, and statements that make up a Jinja template.
//
// White space control is applied here, while scanning, the way Python
// Jinja2's lexer applies it (with trim_blocks and lstrip_blocks on, as in
// transformers' chat-template environment): it only ever touches the text
// directly next to a tag.
//
//   - {%- / {{- / {#- strip all white space at the end of the text before
//     the tag; -%} / -}} / -#} strip all white space after it.
//   - lstrip_blocks: spaces and tabs between the start of a line and a block
//     or comment tag ({% / {#, not {{) are removed; {%+ keeps them. The start
//     of the template, and the text right after a tag whose end consumed a
//     newline, count as the start of a line.
//   - trim_blocks: one newline right after %} or #} is removed; +%} keeps it.
//   - {% raw %}...{% endraw %} becomes literal text.
//   - Newlines are normalised to "\n" and a single trailing newline of the
//     template is dropped (keep_trailing_newline=False).
func scan(source string) ([]segment, error) {
	source = strings.ReplaceAll(source, "\r\n", "\n")
	source = strings.ReplaceAll(source, "\r", "\n")
	source = strings.TrimSuffix(source, "\n")

	var segs []segment
	pos := 0
	lineStarting := true

	lineCol := func(at int) (int, int) {
		line := 1 + strings.Count(source[:at], "\n")
		col := at - (strings.LastIndexByte(source[:at], '\n') + 1) + 1
		return line, col
	}

	// emitText appends the text source[start:end] preceding a tag whose
	// sign ('-', '+' or 0) and kind are given, applying the tag's left-side
	// white space control.
	emitText := func(start, end int, sign byte, kind segKind) {
		text := source[start:end]
		switch {
		case sign == '-':
			text = strings.TrimRightFunc(text, pyIsSpace)
		case sign != '+' && kind != segExpr:
			lpos := strings.LastIndexByte(text, '\n') + 1
			if lpos > 0 || lineStarting {
				rest := text[lpos:]
				if rest != "" && strings.TrimLeftFunc(rest, pyIsSpace) == "" {
					text = text[:lpos]
				}
			}
		}
		if text != "" {
			line, col := lineCol(start)
			segs = append(segs, segment{kind: segText, text: text, line: line, col: col})
		}
	}

	// endTag consumes the end of a tag at i: "-" + closer strips the white
	// space after it; "+" + closer (blocks and comments) keeps it; a plain
	// closer of a block or comment eats one newline. It returns the position
	// after what it consumed.
	endTag := func(i int, closer string, kind segKind) (int, bool, bool) {
		if source[i] == '-' {
			j := i + 1 + len(closer)
			for j < len(source) {
				r, size := utf8.DecodeRuneInString(source[j:])
				if !pyIsSpace(r) {
					break
				}
				j += size
			}
			return j, true, true
		}
		if source[i] == '+' {
			return i + 1 + len(closer), false, true
		}
		j := i + len(closer)
		if kind != segExpr && j < len(source) && source[j] == '\n' {
			j++
		}
		return j, false, true
	}
	matchesEnd := func(i int, closer string, kind segKind) bool {
		if strings.HasPrefix(source[i:], closer) {
			return true
		}
		if (source[i] == '-' || (source[i] == '+' && kind != segExpr)) && strings.HasPrefix(source[i+1:], closer) {
			return true
		}
		return false
	}

	for pos < len(source) {
		open := indexTagOpen(source, pos)
		if open < 0 {
			line, col := lineCol(pos)
			segs = append(segs, segment{kind: segText, text: source[pos:], line: line, col: col})
			break
		}

		var kind segKind
		var closer string
		switch source[open+1] {
		case '{':
			kind, closer = segExpr, "}}"
		case '%':
			kind, closer = segStmt, "%}"
		default:
			kind, closer = segComment, "#}"
		}
		tagLine, tagCol := lineCol(open)

		i := open + 2
		var sign byte
		if i < len(source) && (source[i] == '-' || source[i] == '+') {
			sign = source[i]
			i++
		}

		// {% raw %} ... {% endraw %} is literal text.
		if kind == segStmt {
			if after, ok := matchRawBegin(source, i); ok {
				emitText(pos, open, sign, kind)
				lineStarting = after > 0 && source[after-1] == '\n'
				rawStart := after
				endOpen, endSign, contentEnd := findEndraw(source, rawStart)
				if endOpen < 0 {
					return nil, fmt.Errorf("line %d: missing end of raw directive", tagLine)
				}
				emitText(rawStart, endOpen, endSign, segStmt)
				next, _, _ := endTag(contentEnd, "%}", segStmt)
				lineStarting = next > 0 && source[next-1] == '\n'
				pos = next
				continue
			}
		}

		emitText(pos, open, sign, kind)

		contentStart := i
		found := false
		var contentEnd, next int
		trimRight := false
		if kind == segComment {
			for ; i < len(source); i++ {
				if matchesEnd(i, closer, kind) {
					contentEnd = i
					next, trimRight, found = endTag(i, closer, kind)
					break
				}
			}
		} else {
			// Closers only count outside strings and with all brackets
			// balanced, as in Python's lexer: {{ {'a': {}} }} is one tag.
			depth := 0
			for i < len(source) {
				ch := source[i]
				if ch == '\'' || ch == '"' {
					j := i + 1
					for j < len(source) && source[j] != ch {
						if source[j] == '\\' {
							j++
						}
						j++
					}
					i = j + 1
					continue
				}
				if depth == 0 && matchesEnd(i, closer, kind) {
					contentEnd = i
					next, trimRight, found = endTag(i, closer, kind)
					break
				}
				switch ch {
				case '(', '[', '{':
					depth++
				case ')', ']', '}':
					if depth > 0 {
						depth--
					}
				}
				i++
			}
		}
		if !found {
			tagKind := "expression"
			switch kind {
			case segStmt:
				tagKind = "statement"
			case segComment:
				tagKind = "comment"
			}
			return nil, fmt.Errorf("unclosed %s tag at line %d, col %d", tagKind, tagLine, tagCol)
		}
		if kind != segComment {
			segs = append(segs, segment{
				kind:      kind,
				text:      source[contentStart:contentEnd],
				trimLeft:  sign == '-',
				trimRight: trimRight,
				line:      tagLine,
				col:       tagCol,
			})
		}
		lineStarting = next > 0 && source[next-1] == '\n'
		pos = next
	}

	return segs, nil
}

// indexTagOpen returns the position of the next "{{", "{%" or "{#" at or
// after pos, or -1.
func indexTagOpen(s string, pos int) int {
	for i := pos; i+1 < len(s); i++ {
		if s[i] == '{' && (s[i+1] == '{' || s[i+1] == '%' || s[i+1] == '#') {
			return i
		}
	}
	return -1
}

// matchRawBegin matches `\s*raw\s*(-%}\s*|%})` at i (just after "{%" and its
// sign) and returns the position after it. As in Python, no newline is
// trimmed after {% raw %}.
func matchRawBegin(s string, i int) (int, bool) {
	j := skipSpaces(s, i)
	if !strings.HasPrefix(s[j:], "raw") {
		return 0, false
	}
	j += 3
	if j < len(s) && isIdentChar(s[j]) {
		return 0, false
	}
	j = skipSpaces(s, j)
	switch {
	case strings.HasPrefix(s[j:], "-%}"):
		j += 3
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !pyIsSpace(r) {
				break
			}
			j += size
		}
		return j, true
	case strings.HasPrefix(s[j:], "%}"):
		return j + 2, true
	}
	return 0, false
}

// findEndraw finds `{%[-+]?\s*endraw\s*` followed by an end of tag after
// pos. It returns the position of "{%", the sign, and the position of the
// end of the tag ("-%}", "+%}" or "%}").
func findEndraw(s string, pos int) (int, byte, int) {
	for i := pos; i+1 < len(s); i++ {
		if s[i] != '{' || s[i+1] != '%' {
			continue
		}
		j := i + 2
		var sign byte
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			sign = s[j]
			j++
		}
		j = skipSpaces(s, j)
		if !strings.HasPrefix(s[j:], "endraw") {
			continue
		}
		j = skipSpaces(s, j+len("endraw"))
		if strings.HasPrefix(s[j:], "%}") || strings.HasPrefix(s[j:], "-%}") || strings.HasPrefix(s[j:], "+%}") {
			return i, sign, j
		}
	}
	return -1, 0, 0
}

func skipSpaces(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !pyIsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// pyIsSpace reports whether r is white space as Python's str.isspace and
// the \s of its re module see it.
func pyIsSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680,
		0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
