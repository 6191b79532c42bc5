package provision

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ruleHeader is the header of the hand-built rows of the rule tests.
var ruleHeader = []string{"Nom", "Nom d'usage", "Prénom", "Profession", "Spécialité", "RPPS/ADELI",
	"Courriel", "Portable", "Etablissement", "FINESS", "Habilitations", "Mode de connexion"}

// baseRow is a valid row (synthetic values); each rule test changes some
// cells.
func baseRow() map[string]string {
	return map[string]string{
		"Nom": "Martin", "Nom d'usage": "", "Prénom": "Zoé", "Profession": "Médecin",
		"Spécialité": "", "RPPS/ADELI": "10000000009", "Courriel": "zoe.martin@chu-exemple.fr",
		"Portable": "06 12 34 56 78", "Etablissement": "CH Exemple", "FINESS": "772914172",
		"Habilitations": "Participant aux RCP", "Mode de connexion": "CPS",
	}
}

func rowValues(m map[string]string) []string {
	out := make([]string, len(ruleHeader))
	for i, h := range ruleHeader {
		out[i] = m[h]
	}
	return out
}

// want is one expected problem: code, cell and a piece of its message.
type want struct {
	code Code
	cell string
	msg  string
}

var ruleTests = []struct {
	name string
	set  map[string]string
	want []want // every problem of the row, in report order
}{
	{"valid", nil, nil},
	{"birth name missing", map[string]string{"Nom": "  "}, []want{{NameMissing, "A2", "nom de naissance est absent"}}},
	{"first name missing", map[string]string{"Prénom": ""}, []want{{NameMissing, "C2", "prénom est absent"}}},
	{"digit in name", map[string]string{"Nom": "Dupont2"}, []want{{NameInvalid, "A2", "nom de naissance contient"}}},
	{"formula in name", map[string]string{"Nom": "=HYPERLINK(\"x\")"}, []want{{NameInvalid, "A2", "chiffres ou des symboles"}}},
	{"at in first name", map[string]string{"Prénom": "@Zoé"}, []want{{NameInvalid, "C2", "prénom contient"}}},
	{"bad usage name", map[string]string{"Nom d'usage": "X+Y"}, []want{{NameInvalid, "B2", "nom d'usage"}}},
	{"names with apostrophe and hyphen", map[string]string{"Nom": "N’Diaye-Le Gall", "Prénom": "Marie  Hélène"}, nil},
	{"decomposed accents (macOS)", map[string]string{"Nom": "LEMAI\u0302TRE", "Prénom": "Zoe\u0301"}, nil},
	{"accent with no precomposed letter", map[string]string{"Prénom": "Zoën\u0308"}, nil},
	{"cyrillic look-alike", map[string]string{"Nom": "DUРONT"}, []want{{NameInvalid, "A2", "« Р » est une lettre cyrillique"}}},
	{"greek look-alike", map[string]string{"Prénom": "Αlain"}, []want{{NameInvalid, "C2", "n'est pas une lettre de l'alphabet latin"}}},
	{"email missing", map[string]string{"Courriel": ""}, []want{{EmailMissing, "G2", "absente"}}},
	{"email two at", map[string]string{"Courriel": "a@@chu.fr"}, []want{{EmailInvalid, "G2", "une seule arobase"}}},
	{"email no dot", map[string]string{"Courriel": "a@chu"}, []want{{EmailInvalid, "G2", "domaine est incomplet"}}},
	{"email display name", map[string]string{"Courriel": "Zoé <zoe@chu.fr>"}, []want{{EmailInvalid, "G2", "n'est pas valide"}}},
	{"email bad label", map[string]string{"Courriel": "zoe@-chu.fr"}, []want{{EmailInvalid, "G2", "n'est pas valide"}}},
	{"email IDN", map[string]string{"Courriel": "zoe@hôpital-exemple.fr"}, nil},
	{"email mssante", map[string]string{"Courriel": "zoe.martin@chu-exemple.mssante.fr"}, nil},
	{"email generic", map[string]string{"Courriel": "secretariat.onco@chu-exemple.fr"}, []want{{EmailGeneric, "G2", "boîte de service"}}},
	{"email rcp", map[string]string{"Courriel": "RCP@chu-exemple.fr"}, []want{{EmailGeneric, "G2", "boîte de service"}}},
	{"email no-reply", map[string]string{"Courriel": "no-reply@chu-exemple.fr"}, []want{{EmailGeneric, "G2", ""}}},
	{"email nominative with role word inside", map[string]string{"Courriel": "zoe.contact@chu-exemple.fr"}, nil},
	{"email webmail", map[string]string{"Courriel": "zoe.martin@gmail.com"}, []want{{EmailPersonal, "G2", "messagerie personnelle"}}},
	{"email orange", map[string]string{"Courriel": "zoe.martin@orange.fr"}, []want{{EmailPersonal, "G2", "orange.fr"}}},
	{"email gmial", map[string]string{"Courriel": "zoe@gmial.com"}, []want{{EmailDomainTypo, "G2", "gmial.com"}}},
	{"email hotmial", map[string]string{"Courriel": "zoe@hotmial.com"}, []want{{EmailDomainTypo, "G2", "hotmial.com"}}},
	{"email wanadoo.ft", map[string]string{"Courriel": "zoe@wanadoo.ft"}, []want{{EmailDomainTypo, "G2", "wanadoo.ft"}}},
	{"email .con", map[string]string{"Courriel": "zoe@chu-exemple.con"}, []want{{EmailDomainTypo, "G2", "chu-exemple.con"}}},
	{"email .fr.fr", map[string]string{"Courriel": "zoe@chu-exemple.fr.fr"}, []want{{EmailDomainTypo, "G2", "chu-exemple.fr.fr"}}},
	{"phone empty", map[string]string{"Portable": ""}, nil},
	{"phone invalid", map[string]string{"Portable": "12345"}, []want{{PhoneInvalid, "H2", "« 12345 »"}}},
	{"phone foreign", map[string]string{"Portable": "+1 202 555 0143"}, []want{{PhoneInvalid, "H2", "français"}}},
	{"phone overseas", map[string]string{"Portable": "0692 12 34 56", "Mode de connexion": "SMS"}, nil},
	{"phone fixed with SMS", map[string]string{"Portable": "01 42 34 56 78", "Mode de connexion": "code SMS"},
		[]want{{PhoneNotMobile, "H2", "pas un numéro de mobile"}}},
	{"SMS without phone", map[string]string{"Portable": "", "Mode de connexion": "SMS OTP"},
		[]want{{AuthModeUnsatisfied, "L2", "aucun numéro de mobile"}}},
	{"SMS with invalid phone", map[string]string{"Portable": "06 12", "Mode de connexion": "SMS"},
		[]want{{PhoneInvalid, "H2", ""}}},
	{"profession missing", map[string]string{"Profession": ""}, []want{{ProfessionMissing, "D2", ""}}},
	{"profession unknown", map[string]string{"Profession": "Astrologue"}, []want{{ProfessionUnknown, "D2", "« Astrologue »"}}},
	{"profession variants", map[string]string{"Profession": "INFIRMIER(E)", "Mode de connexion": "e-CPS"}, nil},
	{"kiné", map[string]string{"Profession": "kiné"}, nil},
	{"specialty by label", map[string]string{"Spécialité": "Oncologie option médicale"}, nil},
	{"specialty by short label", map[string]string{"Spécialité": "Oncologie, opt radiothérapie"}, nil},
	{"specialty unknown", map[string]string{"Spécialité": "Cancéro"}, []want{{SpecialtyUnknown, "E2", "« Cancéro »"}}},
	{"rpps invalid", map[string]string{"RPPS/ADELI": "10000000008"}, []want{{RPPSInvalid, "F2", "clé de contrôle"}}},
	{"rpps idnatps", map[string]string{"RPPS/ADELI": "810000000009"}, nil},
	{"adeli", map[string]string{"RPPS/ADELI": "751234568"}, nil},
	{"adeli invalid", map[string]string{"RPPS/ADELI": "75123456"}, []want{{ADELIInvalid, "F2", "9 caractères attendus, 8 trouvés"}}},
	{"rpps missing a digit", map[string]string{"RPPS/ADELI": "1000000000"}, []want{{RPPSInvalid, "F2", "11 chiffres attendus, 10 trouvés"}}},
	{"CPS without id", map[string]string{"RPPS/ADELI": ""}, []want{{IDRequired, "F2", "CPS"}}},
	{"CPS with invalid id", map[string]string{"RPPS/ADELI": "10000000008"}, []want{{RPPSInvalid, "F2", ""}}},
	{"CPS for a secretary", map[string]string{"Profession": "Secrétaire médicale", "RPPS/ADELI": "", "Habilitations": "Secrétaire de RCP"},
		[]want{{AuthModeUnsatisfied, "L2", "réservée aux professionnels de santé"}}},
	{"CPE for a secretary", map[string]string{"Profession": "Secrétaire médicale", "RPPS/ADELI": "", "Habilitations": "SECRETAIRE_RCP", "Mode de connexion": "Carte CPE"}, nil},
	{"CPE for a doctor", map[string]string{"Mode de connexion": "CPE"}, []want{{AuthModeUnsatisfied, "L2", "CPE est réservée"}}},
	{"mail with generic box", map[string]string{"Courriel": "accueil@chu-exemple.fr", "Mode de connexion": "Courriel"},
		[]want{{EmailGeneric, "G2", ""}, {AuthModeUnsatisfied, "L2", "adresse nominative"}}},
	{"mail", map[string]string{"Mode de connexion": "Code par mail"}, nil},
	{"mail with webmail", map[string]string{"Courriel": "zoe.martin@gmail.com", "Mode de connexion": "Mail"},
		[]want{{EmailPersonal, "G2", ""}, {AuthModeUnsatisfied, "L2", "« gmail.com » est une messagerie personnelle"}}},
	{"mail with a typo of a webmail", map[string]string{"Courriel": "zoe.martin@gmial.com", "Mode de connexion": "Mail"},
		[]want{{EmailDomainTypo, "G2", ""}}},
	{"SMS with webmail", map[string]string{"Courriel": "zoe.martin@gmail.com", "Mode de connexion": "SMS"},
		[]want{{EmailPersonal, "G2", ""}}},
	{"login missing", map[string]string{"Mode de connexion": ""}, []want{{AuthModeMissing, "L2", ""}}},
	{"login unknown", map[string]string{"Mode de connexion": "Pigeon voyageur"}, []want{{AuthModeUnknown, "L2", "« Pigeon voyageur »"}}},
	{"finess invalid", map[string]string{"FINESS": "772914173"}, []want{{FINESSInvalid, "J2", "clé de contrôle"}}},
	{"finess corsica", map[string]string{"FINESS": "2a0669073"}, nil},
	{"finess empty, name given", map[string]string{"FINESS": ""}, nil},
	{"no establishment", map[string]string{"FINESS": "", "Etablissement": " "}, []want{{FINESSMissing, "J2", "ni numéro FINESS, ni nom"}}},
	{"habilitation missing", map[string]string{"Habilitations": ""}, []want{{HabilitationMissing, "K2", ""}}},
	{"habilitation unknown", map[string]string{"Habilitations": "Consultation; Super-utilisateur"},
		[]want{{HabilitationUnknown, "K2", "« Super-utilisateur »"}}},
	{"habilitations several", map[string]string{"Habilitations": "consultation des dossiers / PARTICIPANT RCP\nCoordinateur RCP, Consultation"}, nil},
	{"habilitation not allowed", map[string]string{"Profession": "IDE", "Habilitations": "Coordonnateur de RCP"},
		[]want{{HabilitationNotAllowed, "K2", "« Infirmier »"}}},
	{"health only for a psychologist", map[string]string{"Profession": "Psychologue", "Mode de connexion": "Mail"},
		[]want{{HabilitationNotAllowed, "K2", "« Participant aux RCP »"}}},
}

func TestRules(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, testConfig(t))
	for _, tt := range ruleTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := baseRow()
			maps.Copy(m, tt.set)
			people, problems := v.Validate(newTable(t, 1, ruleHeader, rowValues(m)))
			var got []want
			for _, p := range problems {
				got = append(got, want{p.Code, p.Cell, p.Message})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Validate(%v) problems = %v; want %v", tt.set, got, tt.want)
			}
			rejected := false
			for i, w := range tt.want {
				g := got[i]
				if g.code != w.code || g.cell != w.cell || !strings.Contains(g.msg, w.msg) {
					t.Errorf("Validate(%v) problem %d = %v; want %v", tt.set, i, g, w)
				}
				if problems[i].Row != 2 || problems[i].Column != ruleHeader[slices.IndexFunc(ruleHeader, func(h string) bool {
					return ColumnName(slices.Index(ruleHeader, h)+1)+"2" == w.cell
				})] || problems[i].Suggestion == "" {
					t.Errorf("Validate(%v) problem %d at row %d column %q, suggestion %q", tt.set, i, problems[i].Row, problems[i].Column, problems[i].Suggestion)
				}
				rejected = rejected || problems[i].Severity == SeverityError
			}
			if want := map[bool]Status{true: StatusRejected, false: StatusAccepted}[rejected]; people[0].Status != want {
				t.Errorf("Validate(%v) status = %s; want %s", tt.set, people[0].Status, want)
			}
		})
	}
}

func TestNormalisedPerson(t *testing.T) {
	t.Parallel()
	m := baseRow()
	m["Nom"], m["Prénom"], m["Nom d'usage"] = " le  gall ", " Marie-hélène ", "ménard"
	m["Courriel"] = " Marie.LeGall@CHU-Exemple.FR "
	m["Profession"], m["Spécialité"] = "Oncologue", ""
	m["Portable"], m["Mode de connexion"] = "0690 12 34 56", "code sms"
	m["Habilitations"] = "Coordinateur RCP; participant aux rcp; PARTICIPANT_RCP"
	people, problems := Validate(newTable(t, 1, ruleHeader, rowValues(m)), testConfig(t))
	if len(problems) != 0 {
		t.Fatalf("Validate: problems %v", problems)
	}
	p := people[0]
	got := []string{p.BirthName, p.FirstName, p.UsageName, p.Email, p.Mobile, p.Profession.Code, p.Specialty.Code,
		string(p.LoginMode), p.ID.IDNatPS(), p.Establishment.FINESS, p.Establishment.Name}
	wantFields := []string{"LE GALL", "Marie-hélène", "MÉNARD", "marie.legall@chu-exemple.fr", "+590690123456", "10", "SM36",
		"SMS", "810000000009", "772914172", "CH Exemple"}
	if !slices.Equal(got, wantFields) {
		t.Errorf("Validate person = %q; want %q", got, wantFields)
	}
	var codes []string
	for _, r := range p.Habilitations {
		codes = append(codes, r.Code)
		if r.Status != "" {
			t.Errorf("request %s has status %q; want none", r.Code, r.Status)
		}
	}
	if want := []string{"PARTICIPANT_RCP", "COORDONNATEUR_RCP"}; !slices.Equal(codes, want) {
		t.Errorf("habilitations = %v; want %v", codes, want)
	}
}

func TestEstablishments(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Establishments = []Establishment{{FINESS: "772914172", Name: "Centre Hospitalier de Melun-Ouest"}}
	v := mustValidator(t, cfg)
	tests := []struct {
		finess, name string
		code         Code
		wantName     string
	}{
		{"772914172", "CH Melun", "", "Centre Hospitalier de Melun-Ouest"},
		{"", "centre hospitalier de melun ouest", "", "Centre Hospitalier de Melun-Ouest"},
		{"917763179", "Clinique", EstablishmentUnknown, ""},
		{"", "Clinique inconnue", EstablishmentUnknown, ""},
		{"", "", FINESSMissing, ""},
	}
	for _, tt := range tests {
		m := baseRow()
		m["FINESS"], m["Etablissement"] = tt.finess, tt.name
		people, problems := v.Validate(newTable(t, 1, ruleHeader, rowValues(m)))
		var codes []Code
		for _, p := range problems {
			codes = append(codes, p.Code)
		}
		if tt.code == "" && len(codes) != 0 || tt.code != "" && !slices.Equal(codes, []Code{tt.code}) {
			t.Errorf("Validate(FINESS %q, name %q) problems = %v; want %v", tt.finess, tt.name, codes, tt.code)
		}
		if tt.wantName != "" && (people[0].Establishment.Name != tt.wantName || people[0].Establishment.FINESS != "772914172") {
			t.Errorf("Validate(FINESS %q, name %q) establishment = %+v", tt.finess, tt.name, people[0].Establishment)
		}
	}
}

// TestEstablishmentLayouts: SPEC lets the list give the establishment by
// name or by FINESS. Without configured establishments a name alone is
// accepted; a FINESS that other rows give the same name is lent to it; a
// row naming no establishment is FINESS_MISSING on a real cell of the row.
func TestEstablishmentLayouts(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, testConfig(t))
	type row struct {
		name, finess string
		wantEst      Establishment
		wantCell     string // FINESS_MISSING at this cell, "" for none
	}
	nameOnly := slices.DeleteFunc(slices.Clone(ruleHeader), func(h string) bool { return h == "FINESS" })
	tests := []struct {
		layout string
		header []string
		rows   []row
	}{
		{"name only", nameOnly, []row{
			{"CH Exemple", "", Establishment{Name: "CH Exemple"}, ""},
			{"ch  exemple", "", Establishment{Name: "CH Exemple"}, ""}, // one establishment, first spelling
			{"", "", Establishment{}, "I4"},
		}},
		{"name and FINESS", ruleHeader, []row{
			{"CH Exemple", "772914172", Establishment{Name: "CH Exemple", FINESS: "772914172"}, ""},
			{"CH EXEMPLE", "", Establishment{Name: "CH Exemple", FINESS: "772914172"}, ""}, // FINESS of row 2
			{"Clinique des Tilleuls", "", Establishment{Name: "Clinique des Tilleuls"}, ""},
			{"", "", Establishment{}, "J5"},
			{"", "917763179", Establishment{FINESS: "917763179"}, ""},
			{"Centre A", "772914172", Establishment{Name: "Centre A", FINESS: "772914172"}, ""},
			{"Centre A", "917763179", Establishment{Name: "Centre A", FINESS: "917763179"}, ""},
			{"Centre A", "", Establishment{Name: "Centre A"}, ""}, // two FINESS for the name: none lent
		}},
	}
	for _, tt := range tests {
		var rows [][]string
		for i, r := range tt.rows {
			m := baseRow()
			m["Etablissement"], m["FINESS"] = r.name, r.finess
			// Different people, so that no cross-row check fires.
			m["RPPS/ADELI"], m["Mode de connexion"] = "", "Mail"
			m["Courriel"] = "zoe.martin" + strconv.Itoa(i) + "@chu-exemple.fr"
			vals := rowValues(m)
			if !slices.Contains(tt.header, "FINESS") {
				vals = slices.Delete(vals, slices.Index(ruleHeader, "FINESS"), slices.Index(ruleHeader, "FINESS")+1)
			}
			rows = append(rows, vals)
		}
		people, problems := v.Validate(newTable(t, 1, tt.header, rows...))
		for i, r := range tt.rows {
			var got []string
			for _, p := range problems {
				if p.Row == i+2 {
					got = append(got, string(p.Code)+"@"+p.Cell)
				}
			}
			want := []string(nil)
			if r.wantCell != "" {
				want = []string{string(FINESSMissing) + "@" + r.wantCell}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: Validate(name %q, FINESS %q) problems = %v; want %v", tt.layout, r.name, r.finess, got, want)
			}
			if r.wantCell == "" && people[i].Establishment != r.wantEst {
				t.Errorf("%s: Validate(name %q, FINESS %q) establishment = %+v; want %+v", tt.layout, r.name, r.finess, people[i].Establishment, r.wantEst)
			}
		}
	}
}
