package provision

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
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

	byPerson := map[string][]int{}
	byEmail := map[string][]int{}
	for _, i := range kept {
		p := rcs[i].person
		if k := personKey(p); k != "" {
			byPerson[k] = append(byPerson[k], i)
		}
		if p.Email != "" {
			byEmail[p.Email] = append(byEmail[p.Email], i)
		}
	}
	flagged := map[int]bool{}
	for _, k := range slices.Sorted(maps.Keys(byPerson)) {
		g := byPerson[k]
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				pa, pb := rcs[g[a]].person, rcs[g[b]].person
				sameEst := establishmentKey(pa) == establishmentKey(pb)
				if sameEst && dataKey(pa) != dataKey(pb) || !sameEst && nameKey(pa) != nameKey(pb) {
					for _, x := range [][2]int{{g[a], g[b]}, {g[b], g[a]}} {
						if !flagged[x[0]] {
							flagged[x[0]] = true
							addDuplicatePerson(&rcs[x[0]], rcs[x[1]].row.Number)
						}
					}
				}
			}
		}
	}
	for _, e := range slices.Sorted(maps.Keys(byEmail)) {
		g := byEmail[e]
		for _, i := range g {
			var others []string
			for _, j := range g {
				if j != i && differentPeople(rcs[i].person, rcs[j].person) {
					others = append(others, strconv.Itoa(rcs[j].row.Number))
				}
			}
			if len(others) == 0 {
				continue
			}
			rc := &rcs[i]
			c := rc.row.Get(FieldEmail)
			rc.add(EmailShared, c,
				fmt.Sprintf("L'adresse %s est aussi donnée à une autre personne (ligne %s).", quote(clean(c.Value)), strings.Join(others, ", ")), "")
		}
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

// rowKey is the trimmed, lower-case content of the mapped cells of r, "" for a row
// with no value.
func rowKey(r Row) string {
	var b strings.Builder
	empty := true
	for _, f := range Fields {
		v := strings.ToLower(clean(r.Get(f).Value))
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
func personKey(p Person) string {
	if !p.ID.IsZero() {
		return p.ID.IDNatPS()
	}
	if p.BirthName == "" || p.FirstName == "" || p.Email == "" {
		return ""
	}
	return "name:" + nameKey(p) + "\x00" + p.Email
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
func dataKey(p Person) string {
	var codes []string
	for _, h := range p.Habilitations {
		codes = append(codes, h.Code)
	}
	spec := ""
	if p.Specialty != nil {
		spec = p.Specialty.Code
	}
	return strings.Join([]string{nameKey(p), fold(p.UsageName), p.Email, p.Mobile,
		p.Profession.System, p.Profession.Code, spec, string(p.LoginMode), strings.Join(codes, ",")}, "\x00")
}

// differentPeople reports whether a and b are two persons: different
// identifiers, or different names.
func differentPeople(a, b Person) bool {
	if !a.ID.IsZero() && !b.ID.IsZero() {
		return a.ID != b.ID
	}
	return nameKey(a) != nameKey(b)
}
