package provision

import (
	"fmt"
	"maps"
	"slices"
	"testing"
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
