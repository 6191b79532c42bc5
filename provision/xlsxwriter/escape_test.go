package xlsxwriter

import (
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAppendText checks that escaped text is well-formed XML that decodes,
// _xHHHH_ escapes included, to the text (invalid UTF-8 aside).
func FuzzAppendText(f *testing.F) {
	for _, s := range []string{"", "plain", "a&b<c>\"'", "\x00\x01\x1f\r\n\t", "_x0041_", "_x005F_x0041_", "_xABCD\x01", "_xABCD\uFFFF", "\uFFFE", "😀", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, bstr := range []bool{true, false} {
			out := appendText(nil, s, bstr)
			var v struct {
				T string `xml:"t"`
				A string `xml:"a,attr"`
			}
			doc := `<x a="` + string(out) + `"><t>` + string(out) + `</t></x>`
			if err := xml.Unmarshal([]byte(doc), &v); err != nil {
				t.Fatalf("appendText(%q, %v) = %q: not XML: %v", s, bstr, out, err)
			}
			if !bstr || !utf8.ValidString(s) {
				continue
			}
			if got := bstrDecode(v.T); got != s {
				t.Errorf("appendText(%q, true) = %q, decoded as %q", s, out, got)
			}
			// An attribute normalises white space; compare the rest.
			if got := bstrDecode(v.A); strings.Map(noSpace, got) != strings.Map(noSpace, s) {
				t.Errorf("appendText(%q, true) = %q, as an attribute decoded as %q", s, out, got)
			}
		}
	})
}

func noSpace(r rune) rune {
	if r == '\t' || r == '\n' || r == ' ' {
		return -1
	}
	return r
}
