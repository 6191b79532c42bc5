package provision

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Why a value was repaired, as the CELL_REPAIRED message says it.
const (
	whyInvisible  = "espaces insécables ou caractères invisibles retirés"
	whyBlanks     = "espaces en début ou en fin de valeur retirés"
	whyQuotes     = "apostrophes ou guillemets typographiques remplacés"
	whyNewline    = "retour à la ligne remplacé par une espace"
	whyNumber     = "nombre en notation scientifique ou décimale remis en chiffres"
	whyLeadZero   = "zéro initial perdu restauré"
	maxRepairLen  = 20 // digits: longer numbers are not identifiers or phones
	minPlainDigit = 6  // "1.000" is a number, "19999900004.0" an identifier
)

// listFields may hold several values, one per line among others: their
// line breaks are kept.
func listField(f Field) bool { return f == FieldHabilitations }

// RepairCell undoes what a spreadsheet program does to a value of field f:
// invisible and non-breaking spaces, typographic quotes, line breaks in a
// single value, surrounding blanks, decomposed accents (silently: NFC
// changes nothing visible), and, in phone, identifier and FINESS cells,
// numbers in scientific or decimal notation and lost leading zeros. It
// returns the repaired value and why it changed (empty when nothing the
// referent can see changed, or the cell held only blanks). It never
// validates: an invalid value comes out as invalid as it went in.
// RepairCell is idempotent.
func RepairCell(f Field, s string) (string, []string) {
	var why []string
	note := func(w string) {
		if slices.Contains(why, w) {
			return
		}
		why = append(why, w)
	}
	ascii := printableASCII(s)
	if !ascii && !utf8.ValidString(s) {
		// Bytes that are not text (a broken export): dropped, and said.
		s = strings.ToValidUTF8(s, "")
		note(whyInvisible)
	}
	// Printable ASCII (most cells) has nothing to compose, no invisible
	// character and no typographic quote: only its blanks and numbers
	// can need repair.
	if !ascii {
		// Decomposed accents (e + U+0301, as macOS writes them) become one
		// character. It changes nothing the referent can see: done silently.
		s = norm.NFC.String(s)
	}
	// Most accented names have nothing else to repair.
	if !ascii && strings.ContainsFunc(s, repairedRune) {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		var b strings.Builder
		for _, r := range s {
			switch {
			case r == '\n' || r == '\r':
				if listField(f) {
					b.WriteByte('\n')
					if r == '\r' {
						note(whyInvisible)
					}
					continue
				}
				note(whyNewline)
				b.WriteByte(' ')
			case r == '\t':
				b.WriteByte(' ')
			case oddBlank(r):
				note(whyInvisible)
				b.WriteByte(' ')
			case zeroWidth(r):
				note(whyInvisible)
			case unicode.IsControl(r):
				note(whyInvisible)
			case singleQuote(r):
				note(whyQuotes)
				b.WriteByte('\'')
			case doubleQuote(r):
				note(whyQuotes)
				b.WriteByte('"')
			default:
				b.WriteRune(r)
			}
		}
		// Removing an invisible character may bring a letter and its accent
		// together: compose again.
		s = norm.NFC.String(b.String())
	}
	before := s
	if listField(f) && strings.IndexByte(s, '\n') >= 0 {
		// Trim each line's ends too, so a repaired list is stable.
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimSpace(l)
		}
		s = strings.Join(lines, "\n")
	}
	// Surrounding blanks are said too: "DUPONT " and "DUPONT" are two
	// values for a spreadsheet filter or a directory. A cell of blanks
	// alone is simply empty.
	if s = strings.TrimSpace(s); s != before && s != "" {
		note(whyBlanks)
	}

	switch f {
	case FieldMobile, FieldID, FieldFINESS:
		if d, ok := plainInteger(s); ok && d != s {
			note(whyNumber)
			s = d
		}
		if z := leadingZero(f, s); z != s {
			note(whyLeadZero)
			s = z
		}
	}
	return s, why
}

// repairedRune reports whether RepairCell's loop replaces or drops r (or
// notes it): line breaks, tabs, odd blanks, invisible characters,
// controls, typographic quotes.
func repairedRune(r rune) bool {
	return r == '\n' || r == '\r' || r == '\t' || oddBlank(r) || zeroWidth(r) || unicode.IsControl(r) ||
		singleQuote(r) || doubleQuote(r)
}

// oddBlank reports whether r is a blank other than the space (no-break,
// narrow, ideographic, typographic spaces): RepairCell makes it a space.
func oddBlank(r rune) bool {
	return r == '\u00a0' || r == '\u202f' || r == '\u3000' || (r >= '\u2000' && r <= '\u200a') || r == '\u205f'
}

// zeroWidth reports whether r is an invisible character RepairCell drops:
// zero-width spaces and joiners, byte-order mark, soft hyphen, direction
// marks and embeddings.
func zeroWidth(r rune) bool {
	return r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u00ad' ||
		r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// singleQuote and doubleQuote report the typographic quotes RepairCell
// makes ' and ".
func singleQuote(r rune) bool {
	return r == '’' || r == '‘' || r == '‛' || r == 'ʼ' || r == '′' || r == '´'
}
func doubleQuote(r rune) bool { return r == '“' || r == '”' || r == '„' }

// asciiOnly reports whether s is all ASCII.
func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// printableASCII reports whether s holds only the characters from space
// to tilde.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// repairMessage is the French CELL_REPAIRED message: what changed, before
// and after.
func repairMessage(before, after string, why []string) string {
	return fmt.Sprintf("Valeur réparée automatiquement (%s) : « %s » → « %s ».",
		strings.Join(why, ", "), before, after)
}

// fixText is the CELL_REPAIRED suggestion when no number was repaired:
// the catalogue's, to type numbers as text, fits only numbers.
const fixText = "Vérifiez la valeur corrigée ; elle sera utilisée telle quelle."

// repairFix is the CELL_REPAIRED suggestion for the reasons why: empty,
// so the catalogue's applies, when a number was repaired; otherwise
// [fixText].
func repairFix(why []string) string {
	if slices.Contains(why, whyNumber) || slices.Contains(why, whyLeadZero) {
		return ""
	}
	return fixText
}

// plainInteger returns the digits of s when s is a non-negative whole number
// written as a spreadsheet writes numbers: "6.12345678E8", "1,0001E+10" (French
// decimal comma), "19999900004.0". A plain run of digits, a real fraction or
// anything else gives ok false.
func plainInteger(s string) (digits string, ok bool) {
	mant, exp := s, 0
	hasExp := false
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		hasExp = true
		mant = s[:i]
		e := s[i+1:]
		neg := false
		if e != "" && (e[0] == '+' || e[0] == '-') {
			neg = e[0] == '-'
			e = e[1:]
		}
		if e == "" || len(e) > 3 || !allDigits(e) {
			return "", false
		}
		for _, c := range e {
			exp = exp*10 + int(c-'0')
		}
		if neg {
			exp = -exp
		}
	}
	intPart, frac := mant, ""
	hasSep := false
	if i := strings.IndexAny(mant, ".,"); i >= 0 {
		hasSep = true
		intPart, frac = mant[:i], mant[i+1:]
	}
	if !hasExp && !hasSep {
		return "", false
	}
	if intPart == "" || !allDigits(intPart) || (frac != "" && !allDigits(frac)) {
		return "", false
	}
	if !hasExp && (len(intPart) < minPlainDigit || strings.Trim(frac, "0") != "") {
		return "", false
	}
	d := intPart + frac
	shift := exp - len(frac)
	if shift >= 0 {
		if shift > maxRepairLen {
			return "", false
		}
		d += strings.Repeat("0", shift)
	} else {
		cut := -shift
		if cut > len(d) || strings.Trim(d[len(d)-cut:], "0") != "" {
			return "", false
		}
		d = d[:len(d)-cut]
	}
	d = strings.TrimLeft(d, "0")
	if d == "" || len(d) > maxRepairLen {
		return "", false
	}
	return d, true
}

// leadingZero restores the leading zero a number cell drops.
func leadingZero(f Field, s string) string {
	if !allDigits(s) {
		return s
	}
	switch f {
	case FieldMobile:
		// Excel stores 0612345678 as 612345678: a 9-digit national number
		// (not 8, which is a special-rate prefix) gets its 0 back.
		// 33612345678 is an international number without "+": kept.
		if len(s) == 9 && strings.ContainsRune("12345679", rune(s[0])) {
			return "0" + s
		}
	case FieldFINESS:
		// FINESS numbers are 9 characters; those of départements 01 to 09
		// start with 0, which a number cell drops.
		if len(s) == 8 {
			return "0" + s
		}
	case FieldID:
		// RPPS numbers (11 digits) start with 1; ADELI numbers (9) of
		// départements 01 to 09 start with 0, which a number cell drops.
		if len(s) == 8 {
			return "0" + s
		}
	}
	return s
}

// isNumberText reports whether s is a number as a format shows one: grouped
// ("1 234,50"), rounded, or in scientific notation ("6.12E+08"). A date
// ("15.01.2026", "01-15-26") is not.
func isNumberText(s string) bool {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f':
			return -1
		case ',':
			return '.'
		}
		return r
	}, s)
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// xlsxText chooses between a number cell's stored value and its displayed
// (formatted) text: the stored value keeps every digit that a format such as
// 0.00E+00 hides, while the displayed text keeps the leading zeros of a
// 000000000 format, the spaces of a phone format and the date of a date
// format.
func xlsxText(raw, shown string) string {
	if raw == shown || shown == "" {
		return raw
	}
	if raw == "" {
		return shown
	}
	rd, ok := plainInteger(raw)
	if !ok && allDigits(raw) {
		rd, ok = strings.TrimLeft(raw, "0"), true
	}
	if ok {
		var digits strings.Builder
		letters := false
		for _, r := range shown {
			switch {
			case r >= '0' && r <= '9':
				digits.WriteRune(r)
			case unicode.IsLetter(r):
				letters = true
			}
		}
		d := digits.String()
		if !letters && strings.HasPrefix(d, "0") && strings.TrimLeft(d, "0") == rd {
			return shown // zero-padded or phone-shaped: what the referent sees
		}
	}
	if isNumberText(shown) {
		return raw // a number shown rounded or grouped: keep every digit
	}
	return shown // a date, a time, a percentage, a currency: as shown
}
