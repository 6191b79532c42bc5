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
	// Common in cancer networks: synonyms of professions.yaml.
	{"Radiologue", SystemG15, "10", "", "SM44"},
	{"Gastro-entérologue", SystemG15, "10", "", "SM24"},
	{"Gastroentérologue", SystemG15, "10", "", "SM24"},
	{"Pneumologue", SystemG15, "10", "", "SM41"},
	{"Gynécologue", SystemG15, "10", "", "SM20"},
	{"Gynécologue médicale", SystemG15, "10", "", "SM19"},
	{"Urologue", SystemG15, "10", "", "SM12"},
	{"ORL", SystemG15, "10", "", "SM39"},
	{"Chirurgien viscéral", SystemG15, "10", "", "SM14"},
	{"Chirurgienne", SystemG15, "10", "", ""},
	{"Médecin radiothérapeute", SystemG15, "10", "", "SM37"},
	{"Onco-hématologue", SystemG15, "10", "", "SM23"},
	{"Oncogériatre", SystemG15, "10", "", "SM18"},
	{"Dermatologue", SystemG15, "10", "", "SM15"},
	{"Hématologue", SystemG15, "10", "", "SM21"},
	{"Anatomopathologiste", SystemG15, "10", "", "SM01"},
	{"Anatomo-pathologiste", SystemG15, "10", "", "SM01"},
	{"Dosimétriste", SystemR291, "99", "353", ""},
	// The fallback: a physician's specialty, as a specialty or a specialist,
	// alone or after "Médecin".
	{"Pneumologie", SystemG15, "10", "", "SM41"},
	{"Neurologue", SystemG15, "10", "", "SM32"},
	{"Néphrologue", SystemG15, "10", "", "SM30"},
	{"Cardiologue", SystemG15, "10", "", "SM04"},     // head of "Cardiologie et Maladies vasculaires"
	{"Endocrinologue", SystemG15, "10", "", "SM16"},  // SM16 and SM62 both start so: the lower code
	{"Ophtalmologiste", SystemG15, "10", "", "SM38"}, // -logiste
	{"Pédiatre", SystemG15, "10", "", "SM40"},        // -iatre
	{"Psychiatre", SystemG15, "10", "", "SM42"},
	{"Médecin pneumologue", SystemG15, "10", "", "SM41"},
	{"MEDECIN GASTRO-ENTEROLOGUE", SystemG15, "10", "", "SM24"},
	{"Médecin radiologue", SystemG15, "10", "", "SM44"},
	{"Médecin oncologue", SystemG15, "10", "", "SM36"},
	{"Médecin Gériatrie", SystemG15, "10", "", "SM18"},
	{"Médecin soins palliatifs", SystemG15, "10", "", ""},
	{"Médecin coordonnateur", SystemG15, "10", "", ""},
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
	for _, s := range []string{"Astrologue", "", "Super-héros", "Biologiste", "logue", "Oncologie option"} {
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
