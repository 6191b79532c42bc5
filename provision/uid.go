package provision

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ligatures spells out the letters that Unicode decomposition leaves alone,
// so that every name gives an ASCII login. It is never written.
var ligatures = map[rune]string{
	'œ': "oe", 'Œ': "oe", 'æ': "ae", 'Æ': "ae", 'ß': "ss",
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d",
	'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i",
}

// loginPart turns a name into the ASCII, lower-case form used in logins:
// accents stripped, ligatures spelled out, spaces and apostrophes turned
// into '-', anything else dropped, runs of '-' collapsed.
func loginPart(name string) string {
	var b strings.Builder
	dash := false
	put := func(s string) {
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteString(s)
	}
	for _, r := range norm.NFD.String(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			put(string(unicode.ToLower(r)))
		case ligatures[r] != "":
			put(ligatures[r])
		case unicode.Is(unicode.Mn, r):
			// A combining accent left by NFD: é is e + U+0301.
		case r == '-' || r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || unicode.IsSpace(r):
			dash = true
		}
	}
	return b.String()
}

// LoginBase returns the login derived from a first name and a birth name,
// before any collision number: "prenom.nom", ASCII and lower-case. Compound
// names keep their '-' ("jean-marie.le-goff"). A name with no usable letter
// gives "compte".
func LoginBase(firstName, birthName string) string {
	f, n := loginPart(firstName), loginPart(birthName)
	switch {
	case f != "" && n != "":
		return f + "." + n
	case f+n != "":
		return f + n
	}
	return "compte"
}

// AssignUIDs sets [Person.UID] for every accepted person and returns the
// logins it gave for the first time, by person key ([Person.Key]).
//
// known maps the person keys of earlier runs to their login, which is kept.
// A new person gets [LoginBase], numbered from 2 ("jean.dupont2") when that
// login is already held by someone else, known or earlier in this batch.
// People are taken in slice (file) order, so the numbering is
// deterministic, and the same person on two rows gets the same login.
func AssignUIDs(people []Person, known map[string]string) map[string]string {
	taken := make(map[string]bool, len(known))
	for _, uid := range known {
		taken[uid] = true
	}
	given := map[string]string{}
	for i := range people {
		p := &people[i]
		if p.Status != StatusAccepted {
			continue
		}
		key := p.Key()
		if uid, ok := known[key]; ok {
			p.UID = uid
			continue
		}
		if uid, ok := given[key]; ok {
			p.UID = uid
			continue
		}
		base := LoginBase(p.FirstName, p.BirthName)
		uid := base
		for n := 2; taken[uid]; n++ {
			uid = base + strconv.Itoa(n)
		}
		taken[uid] = true
		given[key] = uid
		p.UID = uid
	}
	return given
}
