package provision

import (
	"slices"
	"testing"
)

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
	// Inclusive writing: (e), (ne), (trice), ·e, -e, .e endings.
	{"Pharmacien(ne)", SystemG15, "21", "", ""},
	{"Pharmacien·ne", SystemG15, "21", "", ""},
	{"Pharmacien-ne", SystemG15, "21", "", ""},
	{"Diététicien(ne)", SystemG15, "95", "", ""},
	{"Diététicien.ne", SystemG15, "95", "", ""},
	{"Manipulateur(trice) radio", SystemG15, "98", "", ""},
	{"Manipulateur·trice en électroradiologie médicale", SystemG15, "98", "", ""},
	{"Secrétaire médical(e)", SystemR291, "99", "331", ""},
	{"Secrétaire médical·e", SystemR291, "99", "331", ""},
	{"Attaché(e) de recherche clinique", SystemR291, "99", "363", ""},
	{"Attaché·e de recherche clinique", SystemR291, "99", "363", ""},
	{"Infirmier·ère", SystemG15, "60", "", ""},
	{"Infirmier.ère", SystemG15, "60", "", ""},
	{"Infirmier-e", SystemG15, "60", "", ""},
	{"Infirmier(ère) diplômé(e) d'État", SystemG15, "60", "", ""},
	{"Aide-soignant(e)", SystemR291, "99", "313", ""},
	{"Psychomotricien(ne)", SystemG15, "96", "", ""},
	{"Praticien(ne) hospitalier(ère)", SystemG15, "10", "", ""},
	{"Technicien(ne) d'études cliniques", SystemR291, "99", "373", ""},
	{"Coordinateur(trice) de parcours", SystemR291, "99", "330", ""},
	{"Préparateur·rice en pharmacie", SystemR291, "99", "316", ""},
	// Feminine forms and plurals not listed as synonyms.
	{"Diététiciennes", SystemG15, "95", "", ""},
	{"Pharmaciennes", SystemG15, "21", "", ""},
	{"Infirmières", SystemG15, "60", "", ""},
	{"IDE", SystemG15, "60", "", ""},
	{"IDEs", SystemG15, "60", "", ""},
	{"Kinés", SystemG15, "70", "", ""},
	{"Manipulatrices radio", SystemG15, "98", "", ""},
	{"Secrétaires médicales", SystemR291, "99", "331", ""},
	{"Attachée de recherche clinique", SystemR291, "99", "363", ""},
	{"Technicienne de laboratoire", SystemG15, "86", "", ""},
	{"Physicienne médicale", SystemG15, "32", "", ""},
	{"Assistantes sociales", SystemR94, "41", "", ""},
	{"Directrice des soins", SystemR291, "99", "359", ""},
	// Upper case, missing accents, extra spaces.
	{"PHARMACIEN(NE)", SystemG15, "21", "", ""},
	{"dieteticienne", SystemG15, "95", "", ""},
	{"  secretaire   medicale ", SystemR291, "99", "331", ""},
	{"INFIRMIERE DIPLOMEE D ETAT", SystemG15, "60", "", ""},
	{"Manipulateur Radio", SystemG15, "98", "", ""},
	{"RADIOTHERAPEUTE", SystemG15, "10", "", "SM37"},
	{"Ipa", SystemG15, "60", "", ""},
	// A qualifier after a known profession keeps the profession, and the
	// specialty when it names one the profession may hold (TRE_R38).
	{"IDE coordinatrice", SystemG15, "60", "", ""},
	{"IDE de nuit", SystemG15, "60", "", ""},
	{"Infirmière coordinatrice de parcours", SystemG15, "60", "", ""},
	{"Infirmière d'annonce en oncologie", SystemG15, "60", "", ""},
	{"IPA", SystemG15, "60", "", ""},
	{"IPA oncologie", SystemG15, "60", "", ""},
	{"IPA Oncologie et hémato-oncologie", SystemG15, "60", "", "SI02"},
	{"IADE", SystemG15, "60", "", "SI07"},
	{"IBODE", SystemG15, "60", "", "SI06"},
	{"Infirmier anesthésiste", SystemG15, "60", "", "SI07"},
	{"Infirmière IBODE", SystemG15, "60", "", "SI06"},
	{"Chirurgien oncologue", SystemG15, "10", "", ""},
	{"Chirurgienne oncologue", SystemG15, "10", "", ""},
	{"Chirurgien cancérologue", SystemG15, "10", "", ""},
	{"Chirurgien digestif et oncologique", SystemG15, "10", "", "SM14"},
	{"Chirurgien thoracique et cardio-vasculaire", SystemG15, "10", "", "SM11"},
	{"Chirurgien pneumologue", SystemG15, "10", "", "SM41"},
	{"PH radiologue", SystemG15, "10", "", "SM44"},
	{"Praticien hospitalier pneumologue", SystemG15, "10", "", "SM41"},
	{"Praticienne hospitalière en oncologie", SystemG15, "10", "", ""},
	{"Radiothérapeute", SystemG15, "10", "", "SM37"},
	{"Oncologue radiothérapeute", SystemG15, "10", "", "SM37"},
	{"Oncologue médical", SystemG15, "10", "", "SM36"},
	{"Cardiologue interventionnel", SystemG15, "10", "", "SM04"},
	{"Médecin Gériatre", SystemG15, "10", "", "SM18"},
	{"Médecin directeur", SystemG15, "10", "", ""},
	{"Pharmacien gérant", SystemG15, "21", "", ""},
	{"Pharmacienne hospitalière", SystemG15, "21", "", ""},
	{"Secrétaire médicale RCP", SystemR291, "99", "331", ""},
	{"Secrétaire de RCP sein", SystemR291, "99", "331", ""},
	{"ARC promoteur", SystemR291, "99", "363", ""},
	{"Manipulateur radio en radiothérapie", SystemG15, "98", "", ""},
	{"Psychologue clinicienne en oncologie", SystemR95, "93", "", ""},
	{"Diététicienne nutritionniste", SystemG15, "95", "", ""},
	{"Kiné libéral", SystemG15, "70", "", ""},
	{"IDE pneumologie", SystemG15, "60", "", ""},
	{"Infirmière en hématologie", SystemG15, "60", "", ""},
	{"Secrétaire médicale oncologie", SystemR291, "99", "331", ""},
}

func TestProfession(t *testing.T) {
	t.Parallel()
	n := mustNomenclature(t)
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
	for _, s := range []string{"Astrologue", "", "Super-héros", "Biologiste", "logue", "Oncologie option",
		"(e)", "Coordinatrice", "Assistante de direction", "Cadre administratif", "De la",
		// A typo of a longer name, or a second health profession, is no
		// qualifier (samples/: planted PROFESSION_UNKNOWN).
		"Infirmiere diplomée d'etta", "Kiné-onco", "Infirmier kiné", "IDE pharmacien", "Kiné pneumologue",
		"Agent polyvalent RCP", "Pharmatien", "Secrétaite"} {
		if p, _, ok := n.Profession(s); ok {
			t.Errorf("Profession(%q) = %+v; want unknown", s, p)
		}
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
	n := mustNomenclature(t)
	for _, tt := range specialtyTests {
		if got, ok := n.Specialty(tt.in); !ok || got.Code != tt.code {
			t.Errorf("Specialty(%q) = %v, %v; want %s", tt.in, got, ok, tt.code)
		}
	}
	if got, ok := n.Specialty("Cancéro"); ok {
		t.Errorf("Specialty(%q) = %v; want unknown", "Cancéro", got)
	}
}

// mustNomenclature loads the nomenclature of the embedded templates.
func mustNomenclature(tb testing.TB) *Nomenclature {
	tb.Helper()
	n, err := LoadNomenclature(testConfig(tb).Templates)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestProfessionLabelsRecognised: every label of the drop-down list, and
// every synonym of professions.yaml, names a profession.
func TestProfessionLabelsRecognised(t *testing.T) {
	t.Parallel()
	n := mustNomenclature(t)
	for _, l := range n.ProfessionLabels() {
		if _, _, ok := n.Profession(l); !ok {
			t.Errorf("Profession(%q) = unknown; want the label recognised", l)
		}
	}
	for _, d := range n.profDefs {
		for _, w := range d.Synonyms {
			p, spec, ok := n.Profession(w)
			if !ok || p.System != d.System || p.Code != d.Code || d.Specialty != "" && (spec == nil || spec.Code != d.Specialty) {
				t.Errorf("Profession(%q) = %+v, %v, %v; want %s %s %s (professions.yaml)", w, p, spec, ok, d.System, d.Code, d.Specialty)
			}
		}
	}
}

// nearestProfessionTests are "did you mean" offers for professions: only
// labels close to the value, best first, nothing for an unrelated value.
var nearestProfessionTests = []struct {
	in   string
	want []string
}{
	{"Psycologue", []string{"Psychologue", "Psychologue (Expérimentation MAIA)"}},
	{"Pharmacie", []string{"Pharmacien", "PADHUE - Pharmacien", "Externe en pharmacie"}},
	{"Infirmère", []string{"Infirmier"}},
	{"INFIRMRE", []string{"Infirmier"}},
	{"Dieteticiene", []string{"Diététicien"}},
	{"Kinésithérapeuthe", []string{"Kinésithérapeute", "Etudiant - masseur-kinésithérapeute"}},
	{"Orthophonist", []string{"Orthophoniste"}},
	{"Secretaire medicalle", []string{"Secrétaire médicale"}},
	{"Manipulatuer", []string{"Manipulateur"}},
	{"Radiotherapeuthe", []string{"Radiothérapeute"}},
	{"Oncolgue", []string{"Oncologue", "Hémato-oncologue", "Pneumo-oncologue"}},
	// A shared word.
	{"Technicien de recherche", []string{"Technicien dosimétriste", "Technicien de laboratoire", "Technicien d’études cliniques"}},
	// A wrong first letter is no typo.
	{"Astrologue", nil},
	{"Gédecin", nil},
	// Nothing close: no guess.
	{"Super-héros", nil},
	{"Bénévole", nil},
	{"XYZ", nil},
	{"", nil},
}

func TestNearestProfessions(t *testing.T) {
	t.Parallel()
	n := mustNomenclature(t)
	for _, tt := range nearestProfessionTests {
		if got := n.nearestProfessions(tt.in, 3); !slices.Equal(got, tt.want) {
			t.Errorf("nearestProfessions(%q, 3) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
