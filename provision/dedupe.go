package provision

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The cross-row checks run in [checker.resolve], in file order:
//
//   - DUPLICATE_ROW: a row repeating an earlier one exactly (values compared
//     after trimming, case-insensitively, see [rowKey]), or giving the same
//     person at the same establishment with the same data written otherwise
//     (see [checker.dataHash]), is flagged and marked with
//     [Person.DuplicateOf], so outputs take the person once; it is not
//     compared further;
//   - DUPLICATE_PERSON: two rows of the same person (same RPPS/ADELI, or
//     without one the same names and email, see [personKey]) at the same
//     establishment that differ ([checker.dataHash]: in anything an account
//     line carries, the TRE_R85 role included), or with the same identifier but
//     different names anywhere; both rows are flagged, since which one is
//     right cannot be told;
//   - EMAIL_SHARED: one address on rows of different people (different
//     identifiers or names); every such row is flagged.

// maxListedRows bounds the row numbers an EMAIL_SHARED message lists.
const maxListedRows = 5

func addDuplicatePerson(rc *rowCheck, other int) {
	c := rc.row.Get(FieldID)
	if rc.person.ID.IsZero() {
		c = rc.row.Get(FieldBirthName)
	}
	rc.add(DuplicatePerson, c,
		"La même personne apparaît aussi ligne "+strconv.Itoa(other)+" avec des informations différentes.", "")
}

// rowKey is the trimmed, lower-case, composed (NFC) content of the mapped cells of r, "" for a row
// with no value.
func rowKey(r Row) string {
	b, empty := appendRowKey(nil, r)
	if empty {
		return ""
	}
	return string(b)
}

// appendRowKey appends the key of r ([rowKey]) to b and reports whether
// the row has no value. The checker hashes it. A cell of printable ASCII
// with single inner spaces (most cells) is only lowered, without
// allocating.
func appendRowKey(b []byte, r Row) (_ []byte, empty bool) {
	empty = true
	for _, f := range Fields {
		v := r.Get(f).Value
		if !plainASCII(v) {
			if v = clean(v); !printableASCII(v) {
				v = norm.NFC.String(v) // ASCII is composed already
			}
		}
		if v != "" {
			empty = false
		}
		b = append(appendLower(b, v), 0)
	}
	return b, empty
}

// appendLower appends strings.ToLower(s) to b without allocating a string
// for it (an invalid byte becomes U+FFFD, as there).
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			for _, r := range s[i:] {
				b = utf8.AppendRune(b, unicode.ToLower(r))
			}
			return b
		}
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// plainASCII reports whether s is printable ASCII without leading,
// trailing or double spaces: what [clean] returns unchanged.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			return false
		}
	}
	return true
}

// personKey says who a person is: the national identifier, or without one
// the names and email.
func personKey(p Person, name string) string {
	if !p.ID.IsZero() {
		return p.ID.IDNatPS()
	}
	if p.BirthName == "" || p.FirstName == "" || p.Email == "" {
		return ""
	}
	return "name:" + name + "\x00" + p.Email
}

// nameKey says whose names a row gives: folded birth and first names;
// fold is [fold] or a memo of it.
func nameKey(p Person, fold func(string) string) string {
	return fold(p.BirthName) + "\x00" + fold(p.FirstName)
}

func establishmentKey(p Person) string {
	if p.Establishment.FINESS != "" {
		return p.Establishment.FINESS
	}
	return "name:" + fold(p.Establishment.Name)
}
