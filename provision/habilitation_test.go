package provision

import (
	"slices"
	"testing"
)

var splitTests = []struct {
	in   string
	want []string
}{
	{"A; B", []string{"A", "B"}},
	{"A,B/C\nD\r\nE", []string{"A", "B", "C", "D", "E"}},
	{" ; A ;; ", []string{"A"}},
	{"", nil},
}

func TestSplitAt(t *testing.T) {
	t.Parallel()
	for _, tt := range splitTests {
		if got := splitAt(tt.in, ";,/\n\r"); !slices.Equal(got, tt.want) {
			t.Errorf("splitAt(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestHabilitationLabelWithComma checks that a catalogue label containing
// a separator still matches, alone or among others separated by ";".
func TestHabilitationLabelWithComma(t *testing.T) {
	t.Parallel()
	h := newHabilitationCatalogue([]HabilitationDef{
		{Code: "LECTURE", Label: "Lecture, commentaire", Holders: []string{"anyone"}},
		{Code: "RCP", Label: "RCP", Holders: []string{"anyone"}},
	})
	tests := []struct {
		in   string
		want []string
	}{
		{"Lecture, commentaire", []string{"Lecture, commentaire"}},
		{"RCP; lecture, commentaire", []string{"RCP", "lecture, commentaire"}},
		{"RCP, LECTURE", []string{"RCP", "LECTURE"}},
	}
	for _, tt := range tests {
		if got := h.names(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("names(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMayHold(t *testing.T) {
	t.Parallel()
	doctor := Profession{System: SystemG15, Code: "10", Health: true}
	nurse := Profession{System: SystemG15, Code: "60", Health: true}
	psy := Profession{System: SystemR95, Code: "93"}
	secretary := Profession{System: SystemR291, Code: "99", Role: &Coded{Code: "331"}}
	tests := []struct {
		holders []string
		p       Profession
		want    bool
	}{
		{[]string{"anyone"}, secretary, true},
		{[]string{"health"}, nurse, true},
		{[]string{"health"}, psy, false},
		{[]string{"10"}, doctor, true},
		{[]string{"10"}, nurse, false},
		{[]string{"93"}, psy, false}, // profession codes are TRE_G15 codes
		{[]string{"10", "60"}, nurse, true},
	}
	for _, tt := range tests {
		if got := mayHold(HabilitationDef{Holders: tt.holders}, tt.p); got != tt.want {
			t.Errorf("mayHold(%v, %s/%s) = %v; want %v", tt.holders, tt.p.System, tt.p.Code, got, tt.want)
		}
	}
}
