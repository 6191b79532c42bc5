package provision

import (
	"io"
	"strconv"
	"strings"

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
	var b strings.Builder
	if writeRowKey(&b, r) {
		return ""
	}
	return b.String()
}

// writeRowKey writes the key of r ([rowKey]) to w and reports whether the
// row has no value. The checker hashes it as it is written.
func writeRowKey(w interface {
	io.StringWriter
	io.ByteWriter
}, r Row) (empty bool) {
	empty = true
	for _, f := range Fields {
		v := clean(r.Get(f).Value)
		if !printableASCII(v) {
			v = norm.NFC.String(v) // ASCII is composed already
		}
		if v = strings.ToLower(v); v != "" {
			empty = false
		}
		w.WriteString(v)
		w.WriteByte(0)
	}
	return empty
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

func nameKey(p Person) string { return fold(p.BirthName) + "\x00" + fold(p.FirstName) }

func establishmentKey(p Person) string {
	if p.Establishment.FINESS != "" {
		return p.Establishment.FINESS
	}
	return "name:" + fold(p.Establishment.Name)
}
