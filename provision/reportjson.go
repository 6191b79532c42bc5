package provision

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// personJSON appends people (and problems) to a report as the report's
// spool encoder writes them (encoding/json, SetEscapeHTML(false), SetIndent("    ",
// "  "): see [spool.add]), by hand: a run's report lists every person, and
// reflection and indentation cost encoding/json about 5 µs a person, half
// a second for a national list. TestPersonJSONMatchesEncoder compares the
// two on random persons and on every person of the samples, and
// TestProblemJSONMatchesEncoder on random problems.
type personJSON struct {
	b     []byte
	odd   bytes.Buffer  // a string that needs escaping, encoded by enc
	enc   *json.Encoder // into odd
	line  []byte        // "\n" and the indentation of the current depth
	first bool          // the next member or element is the first of its parent
}

func newPersonJSON() *personJSON {
	w := &personJSON{line: []byte("\n    ")}
	w.enc = json.NewEncoder(&w.odd)
	w.enc.SetEscapeHTML(false)
	return w
}

// append appends p to b, without a final newline.
func (w *personJSON) append(b []byte, p *Person) []byte {
	w.b = b
	w.open('{')
	w.key("row")
	w.int(p.Row)
	w.key("status")
	w.str(string(p.Status))
	if p.UID != "" {
		w.key("uid")
		w.str(p.UID)
	}
	w.key("profession")
	w.open('{')
	if p.Profession.System != "" {
		w.key("system")
		w.str(p.Profession.System)
	}
	w.key("code")
	w.str(p.Profession.Code)
	w.key("label")
	w.str(p.Profession.Label)
	if p.Profession.Role != nil {
		w.key("role")
		w.coded(p.Profession.Role)
	}
	w.close('}')
	if p.Specialty != nil {
		w.key("specialty")
		w.coded(p.Specialty)
	}
	w.key("establishment")
	w.open('{')
	w.key("finess")
	w.str(p.Establishment.FINESS)
	w.key("name")
	w.str(p.Establishment.Name)
	w.close('}')
	if p.LoginMode != "" {
		w.key("login_mode")
		w.str(string(p.LoginMode))
	}
	w.key("habilitations")
	switch {
	case p.Habilitations == nil:
		w.b = append(w.b, "null"...)
	case len(p.Habilitations) == 0:
		w.b = append(w.b, "[]"...)
	default:
		w.open('[')
		for i := range p.Habilitations {
			r := &p.Habilitations[i]
			w.item()
			w.open('{')
			w.key("code")
			w.str(r.Code)
			w.key("label")
			w.str(r.Label)
			w.key("signature")
			w.b = strconv.AppendBool(w.b, r.Signature)
			if r.Status != "" {
				w.key("status")
				w.str(r.Status)
			}
			if r.Form != "" {
				w.key("form")
				w.str(r.Form)
			}
			if r.Refusal != nil {
				w.key("refusal")
				w.open('{')
				if r.Refusal.Line != 0 {
					w.key("line")
					w.int(r.Refusal.Line)
				}
				if r.Refusal.Date != "" {
					w.key("date")
					w.str(r.Refusal.Date)
				}
				w.key("reason")
				w.str(r.Refusal.Reason)
				w.close('}')
			}
			w.close('}')
		}
		w.close(']')
	}
	if p.DuplicateOf != 0 {
		w.key("duplicate_of")
		w.int(p.DuplicateOf)
	}
	w.close('}')
	return w.b
}

// appendProblem appends pr to b as the report's spool encoder writes it,
// without a final newline: a list where every row has problems has
// hundreds of thousands of them.
func (w *personJSON) appendProblem(b []byte, pr *Problem) []byte {
	w.b = b
	w.open('{')
	if pr.Sheet != "" {
		w.key("sheet")
		w.str(pr.Sheet)
	}
	w.key("row")
	w.int(pr.Row)
	w.key("column")
	w.str(pr.Column)
	w.key("cell")
	w.str(pr.Cell)
	w.key("severity")
	w.str(string(pr.Severity))
	w.key("code")
	w.str(string(pr.Code))
	w.key("message")
	w.str(pr.Message)
	w.key("value")
	w.str(pr.Value)
	w.key("suggestion")
	w.str(pr.Suggestion)
	w.close('}')
	return w.b
}

// open starts an object or array one level deeper; its first member or
// element comes next.
func (w *personJSON) open(c byte) {
	w.b = append(w.b, c)
	w.line = append(w.line, ' ', ' ')
	w.first = true
}

// close ends an object or array on a line of its own.
func (w *personJSON) close(c byte) {
	w.line = w.line[:len(w.line)-2]
	w.b = append(append(w.b, w.line...), c)
	w.first = false
}

// item starts an element of an array on its own line.
func (w *personJSON) item() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, w.line...)
}

// key starts a member of an object on its own line.
func (w *personJSON) key(k string) {
	w.item()
	w.b = append(append(append(w.b, '"'), k...), `": `...)
}

func (w *personJSON) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

func (w *personJSON) coded(c *Coded) {
	w.open('{')
	w.key("code")
	w.str(c.Code)
	w.key("label")
	w.str(c.Label)
	w.close('}')
}

// str appends s as a JSON string. Text without a quote, a backslash, a
// control character, U+2028, U+2029 or invalid UTF-8 is written as it is;
// anything else is left to encoding/json, for the same escapes.
func (w *personJSON) str(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' {
				w.escaped(s)
				return
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			w.escaped(s)
			return
		}
		i += n
	}
	w.b = append(append(append(w.b, '"'), s...), '"')
}

func (w *personJSON) escaped(s string) {
	w.odd.Reset()
	_ = w.enc.Encode(s) // a string always encodes
	w.b = append(w.b, bytes.TrimSuffix(w.odd.Bytes(), []byte("\n"))...)
}
