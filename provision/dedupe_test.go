package provision

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestDedupe(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, testConfig(t))
	row := func(set map[string]string) []string {
		m := baseRow()
		maps.Copy(m, set)
		return rowValues(m)
	}
	other := map[string]string{"Nom": "Bernard", "Prénom": "Léo", "RPPS/ADELI": "19999999998", "Courriel": "leo.bernard@chu-exemple.fr"}
	tests := []struct {
		name string
		rows [][]string
		want []string // "ROW CODE"
		dup  []int    // DuplicateOf per row
	}{
		{"distinct people", [][]string{row(nil), row(other)}, nil, []int{0, 0}},
		{"exact repeat", [][]string{row(nil), row(map[string]string{"Nom": " MARTIN "})}, []string{"3 DUPLICATE_ROW"}, []int{0, 2}},
		{"same person, two establishments", [][]string{row(nil), row(map[string]string{"FINESS": "917763179", "Etablissement": "Clinique"})}, nil, []int{0, 0}},
		{"same id, conflicting data", [][]string{row(nil), row(map[string]string{"Portable": "06 98 76 54 32"})},
			[]string{"2 DUPLICATE_PERSON", "3 DUPLICATE_PERSON"}, []int{0, 0}},
		{"same id, other names elsewhere", [][]string{row(nil), row(map[string]string{"Nom": "Autre", "FINESS": "917763179", "Courriel": "x.autre@chu-exemple.fr"})},
			[]string{"2 DUPLICATE_PERSON", "3 DUPLICATE_PERSON"}, []int{0, 0}},
		{"same names and email, no id", [][]string{
			row(map[string]string{"RPPS/ADELI": "", "Mode de connexion": "Mail"}),
			row(map[string]string{"RPPS/ADELI": "", "Mode de connexion": "Mail", "Habilitations": "Consultation"})},
			[]string{"2 DUPLICATE_PERSON", "3 DUPLICATE_PERSON"}, []int{0, 0}},
		{"same data written otherwise", [][]string{row(nil), row(map[string]string{"Habilitations": "Participation RCP", "Prénom": "ZOÉ"})},
			[]string{"3 DUPLICATE_ROW"}, []int{0, 2}},
		{"same habilitations in another order", [][]string{
			row(map[string]string{"Habilitations": "Consultation, Participant aux RCP"}),
			row(map[string]string{"Habilitations": "Participant aux RCP ; Lecture"})},
			[]string{"3 DUPLICATE_ROW"}, []int{0, 2}},
		{"establishment named otherwise, same FINESS", [][]string{row(nil), row(map[string]string{"Etablissement": "Centre hospitalier Exemple"})},
			[]string{"3 DUPLICATE_ROW"}, []int{0, 2}},
		{"repeat of a repeat", [][]string{row(nil), row(map[string]string{"Nom": "MARTIN"}), row(map[string]string{"Habilitations": "Participation RCP"})},
			[]string{"3 DUPLICATE_ROW", "4 DUPLICATE_ROW"}, []int{0, 2, 2}},
		{"same names and email, no id, roles differ", [][]string{
			row(map[string]string{"RPPS/ADELI": "", "Mode de connexion": "Mail", "Habilitations": "Consultation", "Profession": "Secrétaire médicale"}),
			row(map[string]string{"RPPS/ADELI": "", "Mode de connexion": "Mail", "Habilitations": "Consultation", "Profession": "Attachée de recherche clinique"})},
			[]string{"2 DUPLICATE_PERSON", "3 DUPLICATE_PERSON"}, []int{0, 0}},
		{"same names and email, no id, login modes differ", [][]string{
			row(map[string]string{"RPPS/ADELI": "", "Mode de connexion": "Mail", "Habilitations": "Consultation", "Profession": "Secrétaire médicale"}),
			row(map[string]string{"RPPS/ADELI": "", "Mode de connexion": "SMS", "Habilitations": "Consultation", "Profession": "Secrétaire médicale"})},
			[]string{"2 DUPLICATE_PERSON", "3 DUPLICATE_PERSON"}, []int{0, 0}},
		{"accent differs in a name", [][]string{row(nil), row(map[string]string{"Prénom": "Zoe", "Habilitations": "Participation RCP"})},
			[]string{"2 DUPLICATE_PERSON", "3 DUPLICATE_PERSON"}, []int{0, 0}},
		{"shared email", [][]string{row(nil), row(map[string]string{"Nom": "Bernard", "Prénom": "Léo", "RPPS/ADELI": "19999999998"})},
			[]string{"2 EMAIL_SHARED", "3 EMAIL_SHARED"}, []int{0, 0}},
		{"shared email, case differs", [][]string{row(nil), row(map[string]string{"Nom": "Bernard", "RPPS/ADELI": "", "Mode de connexion": "Mail", "Courriel": "ZOE.Martin@chu-exemple.fr"})},
			[]string{"2 EMAIL_SHARED", "3 EMAIL_SHARED"}, []int{0, 0}},
	}
	for _, tt := range tests {
		people, problems := v.Validate(newTable(t, 1, ruleHeader, tt.rows...))
		var got []string
		for _, p := range problems {
			got = append(got, fmt.Sprintf("%d %s", p.Row, p.Code))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Validate problems = %v; want %v", tt.name, got, tt.want)
		}
		var dup []int
		for _, p := range people {
			dup = append(dup, p.DuplicateOf)
		}
		if !slices.Equal(dup, tt.dup) {
			t.Errorf("%s: DuplicateOf = %v; want %v", tt.name, dup, tt.dup)
		}
		// Never two account lines for one person at one establishment.
		seen := map[string]int{}
		for _, p := range Accounts(people) {
			k := p.Key() + " " + p.Establishment.Key()
			if r, ok := seen[k]; ok {
				t.Errorf("%s: rows %d and %d both give an account line to one person at one establishment", tt.name, r, p.Row)
			}
			seen[k] = p.Row
		}
	}
}

// TestDedupePunctuation checks that rows differing only in punctuation are
// not taken for exact repeats.
func TestDedupePunctuation(t *testing.T) {
	t.Parallel()
	m := baseRow()
	a := rowValues(m)
	m["Courriel"] = "zoe-martin@chu-exemple.fr"
	b := rowValues(m)
	_, problems := Validate(newTable(t, 1, ruleHeader, a, b), testConfig(t))
	var got []Code
	for _, p := range problems {
		got = append(got, p.Code)
	}
	if want := []Code{DuplicatePerson, DuplicatePerson}; !slices.Equal(got, want) {
		t.Errorf("Validate problems = %v; want %v", got, want)
	}
}

// TestDuplicateRowDecomposed: a row typed on a Mac (decomposed accents)
// repeats the same row typed on Windows.
func TestDuplicateRowDecomposed(t *testing.T) {
	t.Parallel()
	a := Row{Number: 2, Cells: map[Field]Cell{FieldFirstName: {Row: 2, Col: 1, Value: "Hélène"}}}
	b := Row{Number: 3, Cells: map[Field]Cell{FieldFirstName: {Row: 3, Col: 1, Value: "He\u0301le\u0300ne"}}}
	if rowKey(a) != rowKey(b) {
		t.Errorf("rowKey(%q) != rowKey(%q); want the same key", "Hélène", "He\u0301le\u0300ne")
	}
}

// TestAppendRowKeyFastPath checks the ASCII fast path of appendRowKey
// against the general one (clean, NFC, strings.ToLower) on cells of every
// shape: spaces inside, around and doubled, control characters, accents.
func TestAppendRowKeyFastPath(t *testing.T) {
	slow := func(r Row) string {
		var b strings.Builder
		empty := true
		for _, f := range Fields {
			v := clean(r.Get(f).Value)
			if !printableASCII(v) {
				v = norm.NFC.String(v)
			}
			if v = strings.ToLower(v); v != "" {
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
	values := []string{"", " ", "  ", "Dupont", "DUPONT Jean", " Dupont", "Dupont ", "Du  pont", "a\tb", "ÉLODIE", "E\u0301lodie", "x\u00a0y", "MiXeD-Case_42@Ex.FR", "~!", "\x7f"}
	for _, a := range values {
		for _, b := range values {
			r := Row{Number: 2, Cells: map[Field]Cell{FieldBirthName: {Value: a}, FieldEmail: {Value: b}}}
			if got, want := rowKey(r), slow(r); got != want {
				t.Errorf("rowKey(%q, %q) = %q, want %q", a, b, got, want)
			}
		}
	}
}
