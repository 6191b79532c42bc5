package provision

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// reportJSON writes the people and problems of a report by hand, as
// encoding/json writes them with SetEscapeHTML(false) and SetIndent("    ",
// "  ") (the report's elements, see [spool.element]): reflection and
// indentation cost encoding/json about 3 µs a person, a national list's
// report lists every person, and a list where every row has problems has
// hundreds of thousands of them. TestPersonJSONMatchesEncoder and
// TestProblemJSONMatchesEncoder compare the two on random values.
type reportJSON struct {
	b     []byte
	odd   bytes.Buffer  // a string that needs escaping, encoded by enc
	enc   *json.Encoder // into odd
	line  []byte        // "\n" and the indentation of the current depth
	first bool          // the next member or element is the first of its parent
}

func newReportJSON() *reportJSON {
	w := &reportJSON{line: []byte("\n    ")}
	w.enc = json.NewEncoder(&w.odd)
	w.enc.SetEscapeHTML(false)
	return w
}

// person appends p to b, without a final newline.
func (w *reportJSON) person(b []byte, p *Person) []byte {
	w.b = b
	w.open('{')
	w.key("row")
	w.int(p.Row)
	w.field("status", string(p.Status))
	if p.UID != "" {
		w.field("uid", p.UID)
	}
	w.key("profession")
	w.open('{')
	if p.Profession.System != "" {
		w.field("system", p.Profession.System)
	}
	w.field("code", p.Profession.Code)
	w.field("label", p.Profession.Label)
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
	w.field("finess", p.Establishment.FINESS)
	w.field("name", p.Establishment.Name)
	w.close('}')
	if p.LoginMode != "" {
		w.field("login_mode", string(p.LoginMode))
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
			w.field("code", r.Code)
			w.field("label", r.Label)
			w.key("signature")
			w.b = strconv.AppendBool(w.b, r.Signature)
			if r.Status != "" {
				w.field("status", r.Status)
			}
			if r.Form != "" {
				w.field("form", r.Form)
			}
			if r.Refusal != nil {
				w.key("refusal")
				w.open('{')
				if r.Refusal.Line != 0 {
					w.key("line")
					w.int(r.Refusal.Line)
				}
				if r.Refusal.Date != "" {
					w.field("date", r.Refusal.Date)
				}
				w.field("reason", r.Refusal.Reason)
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

// problem appends pr to b, without a final newline.
func (w *reportJSON) problem(b []byte, pr *Problem) []byte {
	w.b = b
	w.open('{')
	if pr.Sheet != "" {
		w.field("sheet", pr.Sheet)
	}
	w.key("row")
	w.int(pr.Row)
	w.field("column", pr.Column)
	w.field("cell", pr.Cell)
	w.field("severity", string(pr.Severity))
	w.field("code", string(pr.Code))
	w.field("message", pr.Message)
	w.field("value", pr.Value)
	w.field("suggestion", pr.Suggestion)
	w.close('}')
	return w.b
}

// open starts an object or array one level deeper; its first member or
// element comes next.
func (w *reportJSON) open(c byte) {
	w.b = append(w.b, c)
	w.line = append(w.line, ' ', ' ')
	w.first = true
}

// close ends an object or array on a line of its own.
func (w *reportJSON) close(c byte) {
	w.line = w.line[:len(w.line)-2]
	w.b = append(append(w.b, w.line...), c)
	w.first = false
}

// item starts an element of an array on its own line.
func (w *reportJSON) item() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, w.line...)
}

// key starts a member of an object on its own line.
func (w *reportJSON) key(k string) {
	w.item()
	w.b = append(append(append(w.b, '"'), k...), `": `...)
}

// field writes the member k of string value v.
func (w *reportJSON) field(k, v string) {
	w.key(k)
	w.str(v)
}

func (w *reportJSON) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

func (w *reportJSON) coded(c *Coded) {
	w.open('{')
	w.field("code", c.Code)
	w.field("label", c.Label)
	w.close('}')
}

// str appends s as a JSON string. Text without a quote, a backslash, a
// control character, U+2028, U+2029 or invalid UTF-8 is written as it is;
// anything else is left to encoding/json, for the same escapes.
func (w *reportJSON) str(s string) {
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

func (w *reportJSON) escaped(s string) {
	w.odd.Reset()
	_ = w.enc.Encode(s) // a string always encodes
	w.b = append(w.b, bytes.TrimSuffix(w.odd.Bytes(), []byte("\n"))...)
}
