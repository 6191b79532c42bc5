package provision

import "testing"

var professionTests = []struct {
	in, system, code, role, specialty string
}{
	{"Médecin", SystemG15, "10", "", ""},
	{"Dr", SystemG15, "10", "", ""},
	{"interne", SystemG15, "10", "", ""},
	{"ONCOLOGUE", SystemG15, "10", "", "SM36"},
	{"Radiothérapeute", SystemG15, "10", "", "SM37"},
	{"IDE", SystemG15, "60", "", ""},
	{"Infirmière", SystemG15, "60", "", ""},
	{"Infirmier(e)", SystemG15, "60", "", ""},
	{"infirmier (ère)", SystemG15, "60", "", ""},
	{"Cadre de santé", SystemG15, "60", "", ""},
	{"Kiné", SystemG15, "70", "", ""},
	{"Masseur-Kinésithérapeute", SystemG15, "70", "", ""},
	{"Manip radio", SystemG15, "98", "", ""},
	{"Manipulateur radio", SystemG15, "98", "", ""},
	{"manipulateur ERM", SystemG15, "98", "", ""},
	{"Pharmacien", SystemG15, "21", "", ""},
	{"sage-femme", SystemG15, "50", "", ""},
	{"Psychologue", SystemR95, "93", "", ""},
	{"Ostéopathe", SystemR95, "71", "", ""},
	{"Assistant de service social", SystemR94, "41", "", ""},
	{"Secrétaire médicale", SystemR291, "99", "331", ""},
	{"ARC", SystemR291, "99", "363", ""},
	{"Attaché de recherche clinique", SystemR291, "99", "363", ""},
	{"Brancardier", SystemR291, "99", "360", ""},
	{"Aide-soignante", SystemR291, "99", "313", ""},
	{"Directeur d'établissement", SystemR291, "99", "359", ""},
}

func TestProfession(t *testing.T) {
	t.Parallel()
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range professionTests {
		p, spec, ok := n.Profession(tt.in)
		role, sc := "", ""
		if p.Role != nil {
			role = p.Role.Code
		}
		if spec != nil {
			sc = spec.Code
		}
		if !ok || p.System != tt.system || p.Code != tt.code || role != tt.role || sc != tt.specialty ||
			p.Health != (tt.system == SystemG15) || p.Label == "" {
			t.Errorf("Profession(%q) = %+v, %v, %v; want %s %s role %q specialty %q",
				tt.in, p, spec, ok, tt.system, tt.code, tt.role, tt.specialty)
		}
	}
	for _, s := range []string{"Astrologue", "", "Super-héros"} {
		if p, _, ok := n.Profession(s); ok {
			t.Errorf("Profession(%q) = %+v; want unknown", s, p)
		}
	}
	if got := n.nearestProfessions("Psycologue", 3); len(got) != 3 || got[0] != "Psychologue" {
		t.Errorf("nearestProfessions(%q) = %q; want Psychologue first", "Psycologue", got)
	}
	if len(n.ProfessionLabels()) < 50 {
		t.Errorf("ProfessionLabels() has %d labels", len(n.ProfessionLabels()))
	}
}

var specialtyTests = []struct{ in, code string }{
	{"Oncologie option médicale", "SM36"},
	{"Oncologie, option médicale (SM)", "SM36"},
	{"oncologie opt medicale", "SM36"},
	{"SM37", "SM37"},
	{"Hématologie", "SM21"},
	{"Radiothérapie", "SM45"}, // written without the hyphen of "Radio-thérapie"
}

func TestSpecialty(t *testing.T) {
	t.Parallel()
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range specialtyTests {
		if got, ok := n.Specialty(tt.in); !ok || got.Code != tt.code {
			t.Errorf("Specialty(%q) = %v, %v; want %s", tt.in, got, ok, tt.code)
		}
	}
	if got, ok := n.Specialty("Cancéro"); ok {
		t.Errorf("Specialty(%q) = %v; want unknown", "Cancéro", got)
	}
}
