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

// appendTextReference is appendText as first written: a check of the
// whole text's UTF-8, then a pass over its bytes.
func appendTextReference(dst []byte, s string, bstr bool) []byte {
	valid := utf8.ValidString(s)
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !special[c] && (valid || c < utf8.RuneSelf) {
			continue
		}
		dst = append(dst, s[start:i]...)
		start = i + 1
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '<':
			dst = append(dst, "&lt;"...)
		case c == '>':
			dst = append(dst, "&gt;"...)
		case c == '"':
			dst = append(dst, "&quot;"...)
		case c == '\t' || c == '\n':
			dst = append(dst, c)
		case c < 0x20:
			if bstr {
				dst = append(dst, '_', 'x', '0', '0', hexDigits[c>>4], hexDigits[c&0xF], '_')
			} else {
				dst = append(dst, "\uFFFD"...)
			}
		case c == '_':
			if bstr && isEscapeAt(s, i) {
				dst = append(dst, "_x005F_"...)
			} else {
				dst = append(dst, '_')
			}
		default: // c >= utf8.RuneSelf
			r, size := utf8.DecodeRuneInString(s[i:])
			start = i + size
			i += size - 1
			switch {
			case r == utf8.RuneError && size == 1:
				dst = append(dst, "\uFFFD"...)
			case r == 0xFFFE || r == 0xFFFF:
				if bstr {
					dst = append(dst, "_xFFF"...)
					dst = append(dst, hexDigits[r&0xF], '_')
				} else {
					dst = append(dst, "\uFFFD"...)
				}
			default:
				dst = append(dst, s[i-size+1:i+1]...)
			}
		}
	}
	return append(dst, s[start:]...)
}

// TestAppendTextMatchesReference and FuzzAppendTextReference hold the
// one-pass appendText to the text its first form wrote.
func TestAppendTextMatchesReference(t *testing.T) {
	for _, s := range appendTextSeeds {
		for _, bstr := range []bool{true, false} {
			if got, want := string(appendText([]byte("x"), s, bstr)), string(appendTextReference([]byte("x"), s, bstr)); got != want {
				t.Errorf("appendText(%q, %v) = %q, want %q", s, bstr, got, want)
			}
		}
	}
}

func FuzzAppendTextReference(f *testing.F) {
	for _, s := range appendTextSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, bstr := range []bool{true, false} {
			if got, want := string(appendText(nil, s, bstr)), string(appendTextReference(nil, s, bstr)); got != want {
				t.Fatalf("appendText(%q, %v) = %q, want %q", s, bstr, got, want)
			}
		}
	})
}

var appendTextSeeds = []string{"", "plain", "a&b<c>\"'", "\x00\x01\x1f\r\n\t", "_x0041_", "_x005F_x0041_", "_xABCD\x01",
	"_xABCD\uFFFF", "\uFFFE", "😀", "a\xffb", "Hélène « x »", "\xef", "\xef\xbf", "\xef\xbf\xbe", "\ufffd", "é_x0041_é", "\xc3"}

func noSpace(r rune) rune {
	if r == '\t' || r == '\n' || r == ' ' {
		return -1
	}
	return r
}
