package provision

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// dedupe runs the cross-row checks, in file order:
//
//   - DUPLICATE_ROW: a row repeating an earlier one exactly (values compared
//     after trimming, case-insensitively) is flagged and marked
//     with [Person.DuplicateOf], so outputs take the person once; it is not
//     compared further;
//   - DUPLICATE_PERSON: two rows of the same person (same RPPS/ADELI, or
//     without one the same names and email) at the same establishment that
//     differ, or with the same identifier but different names anywhere;
//     both rows are flagged, since which one is right cannot be told;
//   - EMAIL_SHARED: one address on rows of different people (different
//     identifiers or names); every such row is flagged.
func dedupe(rcs []rowCheck) {
	first := map[string]int{} // row key → index of its first row
	var kept []int            // indexes of rows that are not repeats
	for i := range rcs {
		k := rowKey(rcs[i].row)
		if k == "" {
			kept = append(kept, i)
			continue
		}
		if j, ok := first[k]; ok {
			rc := &rcs[i]
			rc.person.DuplicateOf = rcs[j].row.Number
			rc.add(DuplicateRow, Cell{Row: rc.row.Number},
				"La ligne répète exactement la ligne "+strconv.Itoa(rcs[j].row.Number)+" ; elle n'est prise en compte qu'une fois.", "")
			continue
		}
		first[k] = i
		kept = append(kept, i)
	}

	// Keys are computed once per row: folding names is the costly part,
	// and a large list may hold big groups (one identifier on many rows).
	names := make([]string, len(rcs))
	byPerson := map[string][]int{}
	byEmail := map[string][]int{}
	for _, i := range kept {
		p := rcs[i].person
		names[i] = nameKey(p)
		if k := personKey(p, names[i]); k != "" {
			byPerson[k] = append(byPerson[k], i)
		}
		if p.Email != "" {
			byEmail[p.Email] = append(byEmail[p.Email], i)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(byPerson)) {
		if g := byPerson[k]; len(g) > 1 {
			duplicatePeople(rcs, g, names)
		}
	}
	for _, e := range slices.Sorted(maps.Keys(byEmail)) {
		g := byEmail[e]
		if len(g) < 2 {
			continue
		}
		for _, i := range g {
			var others []string
			more := 0
			for _, j := range g {
				if j == i || !differentPeople(rcs[i].person, rcs[j].person, names[i], names[j]) {
					continue
				}
				if len(others) == maxListedRows {
					more++
					continue
				}
				others = append(others, strconv.Itoa(rcs[j].row.Number))
			}
			if len(others) == 0 {
				continue
			}
			list := strings.Join(others, ", ")
			if more > 0 {
				list += fmt.Sprintf(" et %d autre(s)", more)
			}
			rc := &rcs[i]
			c := rc.row.Get(FieldEmail)
			rc.add(EmailShared, c,
				fmt.Sprintf("L'adresse %s est aussi donnée à une autre personne (ligne %s).", quote(clean(c.Value)), list), "")
		}
	}
}

// maxListedRows bounds the row numbers an EMAIL_SHARED message lists.
const maxListedRows = 5

// duplicatePeople flags the rows of group g (rows of one person, in file
// order) that conflict with another: a different name anywhere, or
// different data at the same establishment. It runs in linear time: for
// each row, the partner named in the message is the first row of the group
// whose name differs, or the first row of its establishment whose data
// differs, whichever comes first.
func duplicatePeople(rcs []rowCheck, g []int, names []string) {
	// firstOther finds, over rows in order, the first row and the first
	// row whose key differs from it: any row's first conflicting partner is
	// one of the two.
	type pair struct{ first, other int }
	byName := pair{g[0], -1}
	byEst := map[string]*pair{}
	data := make(map[int]string, len(g))
	est := make(map[int]string, len(g))
	for _, i := range g {
		p := rcs[i].person
		data[i], est[i] = dataKey(p, names[i]), establishmentKey(p)
		if byName.other < 0 && names[i] != names[byName.first] {
			byName.other = i
		}
		if b := byEst[est[i]]; b == nil {
			byEst[est[i]] = &pair{i, -1}
		} else if b.other < 0 && data[i] != data[b.first] {
			b.other = i
		}
	}
	partner := func(pr pair, differs func(int) bool) int {
		if differs(pr.first) {
			return pr.first
		}
		return pr.other
	}
	for _, i := range g {
		a := partner(byName, func(j int) bool { return names[j] != names[i] })
		b := partner(*byEst[est[i]], func(j int) bool { return data[j] != data[i] })
		switch {
		case a < 0 && b < 0:
			continue
		case a < 0 || b >= 0 && rcs[b].row.Number < rcs[a].row.Number:
			a = b
		}
		addDuplicatePerson(&rcs[i], rcs[a].row.Number)
	}
}

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
	empty := true
	for _, f := range Fields {
		v := strings.ToLower(norm.NFC.String(clean(r.Get(f).Value)))
		if v != "" {
			empty = false
		}
		b.WriteString(v)
		b.WriteByte(0)
	}
	if empty {
		return ""
	}
	return b.String()
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

// dataKey is what must agree between two rows of one person at one
// establishment.
func dataKey(p Person, name string) string {
	var codes []string
	for _, h := range p.Habilitations {
		codes = append(codes, h.Code)
	}
	spec := ""
	if p.Specialty != nil {
		spec = p.Specialty.Code
	}
	return strings.Join([]string{name, fold(p.UsageName), p.Email, p.Mobile,
		p.Profession.System, p.Profession.Code, spec, string(p.LoginMode), strings.Join(codes, ",")}, "\x00")
}

// differentPeople reports whether a and b are two persons: different
// identifiers, or different names.
func differentPeople(a, b Person, nameA, nameB string) bool {
	if !a.ID.IsZero() && !b.ID.IsZero() {
		return a.ID != b.ID
	}
	return nameA != nameB
}
