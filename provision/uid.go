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

// AdoptedKeys returns the people whose national identifier appears for the
// first time although the store knows them by email: for each accepted
// person whose key ([Person.Key], their idNatPs) is not in known but whose
// "mail:" key is, it maps the new key to the mail key. Such a person keeps
// their login ([AssignUIDs]) and the store moves their record to the new
// key ([RunRecord.Rekeyed]). A mail key still used by a row of the batch
// without identifier is not adopted: that row still names it.
func AdoptedKeys(people []Person, known map[string]string) map[string]string {
	adopted := map[string]string{}
	claimed := map[string]string{} // mail key → new key
	for _, p := range people {
		if p.Status != StatusAccepted || p.ID.IsZero() || p.Email == "" {
			continue
		}
		key := p.Key()
		if _, ok := known[key]; ok {
			continue
		}
		mk := "mail:" + p.Email
		if _, ok := known[mk]; !ok {
			continue
		}
		if other, ok := claimed[mk]; ok && (other != key || other == "") {
			// Two identifiers for one email: adopt neither.
			delete(adopted, other)
			claimed[mk] = ""
			continue
		}
		claimed[mk] = key
		adopted[key] = mk
	}
	for _, p := range people {
		if p.Status == StatusAccepted && p.ID.IsZero() {
			if nk, ok := claimed["mail:"+p.Email]; ok {
				delete(adopted, nk)
			}
		}
	}
	return adopted
}

// AssignUIDs sets [Person.UID] for every accepted person and returns the
// logins it gave for the first time, by person key ([Person.Key]).
//
// A rejected row gets the login known for its key, so that report.json
// says whose row it is (and `ldap apply --prune` leaves that account
// alone); a rejected row whose key is not known gets none: a login is
// never given to a rejected row.
//
// known maps the person keys of earlier runs to their login, which is kept,
// also by a person known by email whose identifier is new ([AdoptedKeys]).
// A new person gets [LoginBase], numbered from 2 ("jean.dupont2") when that
// login is already held by someone else, known or earlier in this batch.
// People are taken in slice (file) order, so the numbering is
// deterministic, and the same person on two rows gets the same login.
func AssignUIDs(people []Person, known map[string]string) map[string]string {
	return assignUIDs(people, known, AdoptedKeys(people, known))
}

// assignUIDs is [AssignUIDs] with the keys adopted already computed, for
// [Run], which also needs them to re-key the store.
func assignUIDs(people []Person, known, adopted map[string]string) map[string]string {
	taken := make(map[string]bool, len(known)+len(people))
	for _, uid := range known {
		taken[uid] = true
	}
	given := make(map[string]string, len(people))
	// next is, per base, the number to try first: every lower one was
	// found taken (taken only grows), so the thousandth Marie Martin
	// does not try the 999 numbers before hers again.
	next := map[string]int{}
	for i := range people {
		p := &people[i]
		key := p.Key()
		if p.Status != StatusAccepted {
			if uid, ok := known[key]; ok && key != "mail:" {
				p.UID = uid
			}
			continue
		}
		if uid, ok := known[key]; ok {
			p.UID = uid
			continue
		}
		if mk, ok := adopted[key]; ok {
			p.UID = known[mk]
			continue
		}
		if uid, ok := given[key]; ok {
			p.UID = uid
			continue
		}
		base := LoginBase(p.FirstName, p.BirthName)
		uid := base
		if taken[uid] {
			n := max(next[base], 2)
			for taken[base+strconv.Itoa(n)] {
				n++
			}
			uid = base + strconv.Itoa(n)
			next[base] = n + 1
		}
		taken[uid] = true
		given[key] = uid
		p.UID = uid
	}
	return given
}
