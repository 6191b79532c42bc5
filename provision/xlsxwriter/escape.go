package xlsxwriter

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// special marks the bytes appendText cannot copy as they are: the ones XML
// escapes, the control characters XML 1.0 forbids, '_' (which may start a
// literal _xHHHH_), and 0xEF, the first byte of U+FFFE and U+FFFF.
var special = func() (t [256]bool) {
	for b := range 0x20 {
		t[b] = true
	}
	for _, b := range []byte{'&', '<', '>', '"', '_', 0xEF} {
		t[b] = true
	}
	return t
}()

const hexDigits = "0123456789ABCDEF"

// appendText appends s to dst escaped for an XML text node or a
// double-quoted attribute.
//
// With bstr set (cell text, comments, authors, sheet names: the ST_Xstring
// type of SpreadsheetML), a character XML 1.0 forbids is written the way
// Excel writes it, _xHHHH_, and the underscore of a literal _xHHHH_ is
// itself escaped as _x005F_, so that readers decoding the escapes get s
// back. Without bstr such characters, which callers reject beforehand, are
// replaced with U+FFFD. Invalid UTF-8 is replaced with U+FFFD.
func appendText(dst []byte, s string, bstr bool) []byte {
	// One pass: ASCII bytes by the table, other characters decoded as they
	// come (which finds invalid UTF-8), copied in runs between the bytes
	// that change.
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !special[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			i++
			start = i
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
				if bstr && isEscapeAt(s, i-1) {
					dst = append(dst, "_x005F_"...)
				} else {
					dst = append(dst, '_')
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(append(dst, s[start:i]...), "\uFFFD"...)
		case r == 0xFFFE || r == 0xFFFF:
			dst = append(dst, s[start:i]...)
			if bstr {
				dst = append(dst, "_xFFF"...)
				dst = append(dst, hexDigits[r&0xF], '_')
			} else {
				dst = append(dst, "\uFFFD"...)
			}
		default:
			i += size
			continue // copied with the run
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// isEscapeAt reports whether s[i:] starts with _xHHHH_ once escaped: the
// last underscore may also be the start of the escape of the character
// after HHHH.
func isEscapeAt(s string, i int) bool {
	if len(s)-i < 7 || s[i+1] != 'x' {
		return false
	}
	switch c := s[i+6]; {
	case c == '_', c < 0x20 && c != '\t' && c != '\n':
	case c == 0xEF && (strings.HasPrefix(s[i+6:], "\uFFFE") || strings.HasPrefix(s[i+6:], "\uFFFF")):
	default:
		return false
	}
	for _, c := range []byte(s[i+2 : i+6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// needsPreserve reports whether s starts or ends with white space, which
// XML readers drop unless the element has xml:space="preserve".
func needsPreserve(s string) bool {
	if s == "" {
		return false
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	return isSpace(s[0]) || isSpace(s[len(s)-1])
}

// utf16Len returns the length of s in UTF-16 code units, the unit of
// Excel's limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// tooLong reports whether s has more than n UTF-16 code units. A string
// has at most as many units as bytes, so short strings are not counted.
func tooLong(s string, n int) bool {
	return len(s) > n && utf16Len(s) > n
}

// appendColName appends the letters of column col (1-based): A, …, Z, AA, ….
func appendColName(dst []byte, col int) []byte {
	var b [3]byte
	i := len(b)
	for col > 0 {
		col--
		i--
		b[i] = byte('A' + col%26)
		col /= 26
	}
	return append(dst, b[i:]...)
}
