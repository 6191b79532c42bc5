package provision

import (
	"slices"
	"testing"

	"github.com/dccprov/dccprov/templates"
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

// mustHabilitations is the catalogue of the embedded templates.
func mustHabilitations(tb testing.TB) *habilitationCatalogue {
	tb.Helper()
	defs, err := DefaultHabilitations(templates.FS)
	if err != nil {
		tb.Fatal(err)
	}
	return newHabilitationCatalogue(defs)
}

// habilitationLookupTests are habilitations as referents write them.
var habilitationLookupTests = []struct{ in, want string }{
	{"Consultation", "CONSULTATION"},
	{"CONSULTATION DES DOSSIERS", "CONSULTATION"},
	{"consultation du dossier", "CONSULTATION"},
	{"Participant aux RCP", "PARTICIPANT_RCP"},
	{"Participants RCP", "PARTICIPANT_RCP"},
	{"participant_rcp", "PARTICIPANT_RCP"},
	{"Secrétaires de RCP", "SECRETAIRE_RCP"},
	{"Secretariat RCP", "SECRETAIRE_RCP"},
	{"Coordonnateur de la RCP", "COORDONNATEUR_RCP"},
	{"Accès étendu", "ACCES_ETENDU"},
	{"Acces etendu aux dossiers de l'etablissement", "ACCES_ETENDU"},
	{"Administrateur local", "ADMIN_ETABLISSEMENT"},
	{"Admin 3C", "ADMIN_3C"},
	{"  ADMIN   3C ", "ADMIN_3C"},
	{"Super-utilisateur", ""},
	{"Administrateur", ""},
	{"RCP", ""},
}

func TestHabilitationLookup(t *testing.T) {
	t.Parallel()
	h := mustHabilitations(t)
	for _, tt := range habilitationLookupTests {
		got := ""
		if i, ok := h.lookup(tt.in); ok {
			got = h.defs[i].Code
		}
		if got != tt.want {
			t.Errorf("lookup(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// suggestHabilitationTests are the "did you mean" offers of
// HABILITATION_UNKNOWN: close labels only, and never a habilitation that
// needs a signature for an unrelated value.
var suggestHabilitationTests = []struct {
	in   string
	want []string
}{
	// Typing errors.
	{"Consultaion", []string{"Consultation des dossiers"}},
	{"Consultation des dosiers", []string{"Consultation des dossiers"}},
	{"Particpant RCP", []string{"Participant aux RCP", "Secrétaire de RCP"}},
	{"Secretaire RPC", []string{"Secrétaire de RCP"}},
	{"Coordonateur RCP", []string{"Coordonnateur de RCP", "Secrétaire de RCP", "Participant aux RCP"}},
	{"Acces etendus", []string{"Accès étendu aux dossiers de l'établissement", "Consultation des dossiers"}},
	{"Admin 3 C", []string{"Administrateur 3C"}},
	{"Administrateur 3", []string{"Administrateur 3C"}},
	// A shared word: a habilitation needing a signature only by a word
	// no other entry has.
	{"RCP", []string{"Participant aux RCP", "Secrétaire de RCP"}},
	{"RCP sein", []string{"Participant aux RCP", "Secrétaire de RCP"}},
	{"Participation RCP thoracique", []string{"Participant aux RCP", "Secrétaire de RCP"}},
	{"Coordination des RCP digestives", []string{"Coordonnateur de RCP", "Participant aux RCP", "Secrétaire de RCP"}},
	{"Lecture seule", []string{"Consultation des dossiers"}},
	{"Dossiers", []string{"Consultation des dossiers"}},
	{"Admin local du site", []string{"Administrateur local de l'établissement"}},
	// Unrelated values: no guess at all.
	{"Super-utilisateur", nil},
	{"Oncologie", nil},
	{"Radiothérapie", nil},
	{"Oncologie médicale", nil},
	{"Médecin", nil},
	{"Médecin de l'établissement", nil},
	{"Tous les droits", nil},
	{"Admin", nil},
	{"Oui", nil},
	{"X", nil},
}

func TestSuggestHabilitation(t *testing.T) {
	t.Parallel()
	h := mustHabilitations(t)
	for _, tt := range suggestHabilitationTests {
		if got := h.nearest(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("nearest(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestHabilitationSuggestion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		near []string
		want string
	}{
		{nil, "Choisissez l'habilitation dans le catalogue (liste déroulante du modèle) ; aucune n'en est proche."},
		{[]string{"Consultation des dossiers"}, "Choisissez l'habilitation dans le catalogue (liste déroulante du modèle) ; la plus proche est « Consultation des dossiers »."},
		{[]string{"Participant aux RCP", "Secrétaire de RCP"}, "Choisissez l'habilitation dans le catalogue (liste déroulante du modèle) ; les plus proches sont « Participant aux RCP », « Secrétaire de RCP »."},
	}
	for _, tt := range tests {
		if got := habilitationSuggestion(tt.near); got != tt.want {
			t.Errorf("habilitationSuggestion(%q) = %q; want %q", tt.near, got, tt.want)
		}
	}
}
