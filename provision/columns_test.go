package provision

import (
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/dccprov/dccprov/templates"
)

// headerTests are headers as referents write them, each with its field.
var headerTests = []struct {
	header string
	want   Field
}{
	{"Nom", FieldBirthName},
	{"NOM", FieldBirthName},
	{"Nom de naissance", FieldBirthName},
	{"NOM DE NAISSANCE", FieldBirthName},
	{"Nom de famille", FieldBirthName},
	{"Nom patronymique", FieldBirthName},
	{"Last name", FieldBirthName},
	{"Surname", FieldBirthName},
	{"Family name", FieldBirthName},
	{"NOM D'USAGE", FieldUsageName},
	{"Nom d’usage", FieldUsageName},
	{"Nom d'épouse", FieldUsageName},
	{"Nom marital", FieldUsageName},
	{"Prénom", FieldFirstName},
	{"PRENOM", FieldFirstName},
	{"Prénoms", FieldFirstName},
	{"First name", FieldFirstName},
	{"Firstname", FieldFirstName},
	{"Given name", FieldFirstName},
	{"Courriel", FieldEmail},
	{"E-mail", FieldEmail},
	{"Email", FieldEmail},
	{"e-mail ", FieldEmail},
	{"Mail", FieldEmail},
	{"Mél", FieldEmail},
	{"Adresse mail", FieldEmail},
	{"Adresse e-mail", FieldEmail},
	{"Adresse électronique", FieldEmail},
	{"Adresse mail professionnelle", FieldEmail},
	{"Courriel professionnel", FieldEmail},
	{"Email address", FieldEmail},
	{"Tél. portable", FieldMobile},
	{"Tel portable", FieldMobile},
	{"Téléphone portable", FieldMobile},
	{"Téléphone mobile", FieldMobile},
	{"Téléphone", FieldMobile},
	{"Mobile", FieldMobile},
	{"Portable", FieldMobile},
	{"N° portable", FieldMobile},
	{"Numéro de portable", FieldMobile},
	{"Phone", FieldMobile},
	{"Mobile phone", FieldMobile},
	{"Profession", FieldProfession},
	{"Fonction", FieldProfession},
	{"Métier", FieldProfession},
	{"Job", FieldProfession},
	{"Job title", FieldProfession},
	{"Occupation", FieldProfession},
	{"Spécialité", FieldSpecialty},
	{"Specialite", FieldSpecialty},
	{"Spécialité ordinale", FieldSpecialty},
	{"Specialty", FieldSpecialty},
	{"Speciality", FieldSpecialty},
	{"N° RPPS", FieldID},
	{"RPPS", FieldID},
	{"No RPPS", FieldID},
	{"Numéro RPPS", FieldID},
	{"ADELI", FieldID},
	{"N° ADELI", FieldID},
	{"RPPS/ADELI", FieldID},
	{"RPPS ou ADELI", FieldID},
	{"N° RPPS / ADELI", FieldID},
	{"Identifiant national", FieldID},
	{"National ID", FieldID},
	{"Établissement", FieldEstablishment},
	{"Etablissement", FieldEstablishment},
	{"ÉTABLISSEMENT", FieldEstablishment},
	{"Nom de l'établissement", FieldEstablishment},
	{"Structure", FieldEstablishment},
	{"Establishment", FieldEstablishment},
	{"Facility", FieldEstablishment},
	{"FINESS", FieldFINESS},
	{"N° FINESS", FieldFINESS},
	{"Numéro FINESS", FieldFINESS},
	{"FINESS établissement", FieldFINESS},
	{"Code FINESS", FieldFINESS},
	{"Habilitation(s)", FieldHabilitations},
	{"Habilitation", FieldHabilitations},
	{"Habilitations", FieldHabilitations},
	{"Habilitation(s) demandée(s)", FieldHabilitations},
	{"Profil", FieldHabilitations},
	{"Rôle", FieldHabilitations},
	{"Rôles", FieldHabilitations},
	{"Droits", FieldHabilitations},
	{"Droits d'accès", FieldHabilitations},
	{"Rights", FieldHabilitations},
	{"Mode de connexion", FieldLoginMode},
	{"Authentification", FieldLoginMode},
	{"Mode d'authentification", FieldLoginMode},
	{"Connexion", FieldLoginMode},
	{"Login mode", FieldLoginMode},
	{"Authentication", FieldLoginMode},
	// Hints, stars and noise words around a known header.
	{"Courriel (obligatoire)", FieldEmail},
	{"Prénom *", FieldFirstName},
	{"Tél. portable (06 ou 07)", FieldMobile},
	{"  Nom  ", FieldBirthName},
	{"Email obligatoire", FieldEmail},
	// Prepositions and articles fold like punctuation.
	{"N° de portable", FieldMobile},
	{"N° du portable", FieldMobile},
	{"Numéro de téléphone portable", FieldMobile},
	{"Numéro de tel. portable", FieldMobile},
	{"Adresse e-mail", FieldEmail},
	{"Adresse de la messagerie", FieldEmail},
	{"Mail pro", FieldEmail},
	{"Identifiant national", FieldID},
	{"Identifiant national de santé (RPPS)", FieldID},
	{"FINESS géographique", FieldFINESS},
	{"N° FINESS de l'établissement", FieldFINESS},
	{"Mode d'authentification", FieldLoginMode},
	{"Mode de l'authentification", FieldLoginMode},
	{"Nom de la structure", FieldEstablishment},
	{"Nom d'usage (si différent)", FieldUsageName},
	{"Nom d'usage si différent", FieldUsageName},
	// Plurals, inclusive and feminine endings.
	{"Adresses mail", FieldEmail},
	{"Adresses e-mails professionnelles", FieldEmail},
	{"Téléphones portables", FieldMobile},
	{"Établissements", FieldEstablishment},
	{"Spécialités", FieldSpecialty},
	{"Professions", FieldProfession},
	{"Habilitations demandées", FieldHabilitations},
	{"Habilitation(s) demandée(s)", FieldHabilitations},
	{"Profil(s) demandé(s)", FieldHabilitations},
	{"Rôle(s)", FieldHabilitations},
	{"Modes de connexion", FieldLoginMode},
	{"Prénom(s)", FieldFirstName},
	{"Nom(s)", FieldBirthName},
	// Abbreviations, missing accents, upper case, extra spaces, odd signs.
	{"Tel. port.", FieldMobile},
	{"TEL PORTABLE", FieldMobile},
	{"Tél.", FieldMobile},
	{"Nº RPPS", FieldID},
	{"N ° RPPS", FieldID},
	{"Num. RPPS", FieldID},
	{"NUMERO  RPPS / ADELI", FieldID},
	{"  etablissement   de  rattachement ", FieldEstablishment},
	{"MODE DE CONNEXION*", FieldLoginMode},
	{"Mode de connexion (CPS, CPE, SMS, Mail)", FieldLoginMode},
	{"E-MAIL PRO", FieldEmail},
	{"FINESS geo", FieldFINESS},
	{"Specialite medicale", FieldSpecialty},
	{"Metier / Fonction", FieldProfession},
	{"Profession/Fonction", FieldProfession},
	{"Hopital", FieldEstablishment},
	// Not headers, even with articles folded away.
	{"Nom d'utilisateur", ""},
	{"Identifiant de connexion", ""},
	{"Login", ""},
	{"De la", ""},
	// Not headers.
	{"Liste des professionnels — accès au DCC", ""},
	{"Commentaire", ""},
	{"", ""},
	{"Identifiant", ""},
}

func TestHeaderField(t *testing.T) {
	t.Parallel()
	for _, tt := range headerTests {
		if got := headerField(tt.header, nil); got != tt.want {
			t.Errorf("headerField(%q, nil) = %q; want %q", tt.header, got, tt.want)
		}
	}
}

// TestHeaderSynonyms proves that every header of templates/headers.yaml
// names its field, and that the blank template's names are recognised.
func TestHeaderSynonyms(t *testing.T) {
	t.Parallel()
	h, err := loadHeaders(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range h.defs {
		for _, name := range d.Headers {
			if got := headerField(name, nil); got != d.Field {
				t.Errorf("headerField(%q, nil) = %q; want %q (templates/headers.yaml)", name, got, d.Field)
			}
		}
	}
	for _, f := range Fields {
		if FieldNames[f] == "" {
			t.Errorf("FieldNames[%q] is empty", f)
		}
		if got := headerField(FieldNames[f], nil); got != f {
			t.Errorf("headerField(FieldNames[%q] = %q, nil) = %q; want %q", f, FieldNames[f], got, f)
		}
	}
}

// TestLoadHeadersStrict: the header file is decoded strictly.
func TestLoadHeadersStrict(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "fields: []\nsynonyms: []\n", "field synonyms not found"},
		{"unknown field", "fields:\n  - field: nickname\n    headers: [Surnom]\n", `unknown field "nickname"`},
		{"empty header", "fields:\n  - field: email\n    headers: [\"de la\"]\n", "only punctuation or articles"},
		{"one key, two fields", "fields:\n  - field: email\n    headers: [Mail]\n  - field: mobile\n    headers: [Mails]\n", "listed for email and mobile"},
	}
	for _, tt := range tests {
		_, err := loadHeaders(fstest.MapFS{"headers.yaml": {Data: []byte(tt.yaml)}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("loadHeaders(%s) = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestNormHeader(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"N° RPPS", "n rpps"},
		{"Tél. portable", "tel portable"},
		{"NOM D'USAGE", "nom d usage"},
		{"Habilitation(s)", "habilitation s"},
		{"  Adresse   mail ", "adresse mail"},
		{"Œuvre", "oeuvre"},
		{"É-TA_BLIS", "e ta blis"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormHeader(tt.in); got != tt.want {
			t.Errorf("NormHeader(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if got := NormHeader(NormHeader(tt.in)); got != NormHeader(tt.in) {
			t.Errorf("NormHeader(NormHeader(%q)) = %q; not idempotent", tt.in, got)
		}
	}
}

func TestHeaderFieldCustom(t *testing.T) {
	t.Parallel()
	custom := map[string]Field{"Code agent": FieldID, "Tél": FieldMobile, "Rôle": FieldProfession}
	tests := []struct {
		header string
		want   Field
	}{
		{"CODE AGENT", FieldID},
		{"Tel", FieldMobile},
		{"Role", FieldProfession}, // the configuration wins over the built-in synonym
		{"Courriel", FieldEmail},
	}
	for _, tt := range tests {
		if got := headerField(tt.header, custom); got != tt.want {
			t.Errorf("headerField(%q, custom) = %q; want %q", tt.header, got, tt.want)
		}
	}
}

func TestMapColumns(t *testing.T) {
	t.Parallel()
	header := []string{"", "Nom", "Prénom", "Commentaire", "RPPS", "ADELI", "Courriel"}
	got := MapColumns(header, nil)
	want := []Column{
		{FieldBirthName, "Nom", 2}, {FieldFirstName, "Prénom", 3},
		{FieldID, "RPPS", 5}, {FieldID, "ADELI", 6}, {FieldEmail, "Courriel", 7},
	}
	if !slices.Equal(got, want) {
		t.Errorf("MapColumns(%q, nil) = %v; want %v", header, got, want)
	}
}

func TestMissingColumns(t *testing.T) {
	t.Parallel()
	csv := "Nom;Prénom;Courriel;Commentaire\nDUPONT;Jeanne;jeanne.dupont@chu-exemple.fr;x\n"
	_, err := ReadCSV(strings.NewReader(csv), "liste.csv", &Config{})
	ce, ok := errors.AsType[*ColumnError](err)
	if !ok {
		t.Fatalf("ReadCSV(missing columns) error = %v; want a *ColumnError", err)
	}
	wantMissing := []string{"Profession", "Habilitation(s)", "Mode de connexion", "Établissement ou FINESS"}
	if !slices.Equal(ce.Missing, wantMissing) {
		t.Errorf("ColumnError.Missing = %q; want %q", ce.Missing, wantMissing)
	}
	wantFound := []string{"Nom", "Prénom", "Courriel", "Commentaire"}
	if !slices.Equal(ce.Found, wantFound) {
		t.Errorf("ColumnError.Found = %q; want %q", ce.Found, wantFound)
	}
	for _, s := range []string{"liste.csv", "Mode de connexion", "Commentaire"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("ColumnError text %q does not name %q", err, s)
		}
	}
}

// FuzzHeader feeds a tab/newline grid to header detection and column
// mapping: no panic, and a found header names every required column.
func FuzzHeader(f *testing.F) {
	f.Add("Liste\n\nNom\tPrénom\tCourriel\tProfession\tFINESS\tProfil\tAuthentification\nDUPONT\tJeanne\tj@x.fr\tIDE\t010000347\tConsultation\tSMS")
	f.Add("Nom\tNom\tNom\nPrénom")
	f.Add("\t\t\n\n\n")
	f.Add("N° RPPS\tÉtablissement\tHabilitation(s)\tMode de connexion\tE-mail\tFirst name\tLast name\tJob")
	f.Fuzz(func(t *testing.T, grid string) {
		var rows []gridRow
		for i, line := range strings.Split(grid, "\n") {
			g := gridRow{Number: i + 1}
			for v := range strings.SplitSeq(line, "\t") {
				g.Cells = append(g.Cells, gridCell{Value: v, Raw: v})
			}
			rows = append(rows, g)
		}
		hi, cols, score := findHeader(rows, nil)
		if hi < 0 {
			return
		}
		if score < minHeaderScore || rows[hi].Number > headerWindow {
			t.Fatalf("findHeader chose row %d with score %d", rows[hi].Number, score)
		}
		for _, c := range cols {
			if c.Index < 1 || c.Index > len(rows[hi].Cells) {
				t.Fatalf("column %+v outside the header row of %d cells", c, len(rows[hi].Cells))
			}
			if headerField(rows[hi].Cells[c.Index-1].Value, nil) != c.Field {
				t.Fatalf("column %+v does not map back to its field", c)
			}
		}
		table, err := buildTable(t.Context(), gridSeq(rows), Input{File: "grid"}, &Config{})
		if err != nil {
			// A *ColumnError, or ErrInput for a recognised column past the
			// column limit.
			if _, ok := errors.AsType[*ColumnError](err); !ok && !errors.Is(err, ErrInput) {
				t.Fatalf("buildTable: %v; want nil, a *ColumnError or ErrInput", err)
			}
			return
		}
		checkTable(t, table)
	})
}

// gridSeq yields rows as a reader would.
func gridSeq(rows []gridRow) iter.Seq2[gridRow, error] {
	return func(yield func(gridRow, error) bool) {
		for _, g := range rows {
			if !yield(g, nil) {
				return
			}
		}
	}
}

// checkTable checks what holds for every table read: rows in increasing
// order after the header, each cell on its row and column, each problem's
// cell matching its row and column.
func checkTable(t testing.TB, table *Table) {
	t.Helper()
	prev := table.Input.HeaderRow
	for _, r := range table.Rows {
		if r.Number <= prev {
			t.Fatalf("row %d comes after row %d", r.Number, prev)
		}
		prev = r.Number
		for f, c := range r.Cells {
			if c.Row != r.Number || c.Col < 1 {
				t.Fatalf("row %d: cell %s is at %+v", r.Number, f, c)
			}
		}
	}
	for _, p := range table.Problems {
		if p.Row < 1 {
			t.Fatalf("problem %+v has no row", p)
		}
		if p.Code == RowTooManyFields {
			// The first value past the header's fields: a cell of no
			// column.
			last := 0
			for _, c := range table.Columns {
				last = max(last, c.Index)
			}
			if p.Column != "" || columnIndex(letters(p.Cell)) <= last {
				t.Fatalf("problem %+v: want the cell after the header's last field, of no column", p)
			}
			continue
		}
		if p.Cell != "" && p.Severity != SeverityInfo { // an info may name a column not read
			i := slices.IndexFunc(table.Columns, func(c Column) bool { return c.Header == p.Column })
			if i < 0 {
				t.Fatalf("problem %+v names an unknown column", p)
			}
			if want := (Cell{Row: p.Row, Col: table.Columns[i].Index}).Ref(); want != p.Cell && !sameHeaderAt(table.Columns, p) {
				t.Fatalf("problem %+v: cell %s; want %s", p, p.Cell, want)
			}
		}
	}
}

// sameHeaderAt reports whether some column with p's header sits at p's cell
// (two columns may share a header).
func sameHeaderAt(cols []Column, p Problem) bool {
	for _, c := range cols {
		if c.Header == p.Column && (Cell{Row: p.Row, Col: c.Index}).Ref() == p.Cell {
			return true
		}
	}
	return false
}

// TestMobileColumnRank: with a "Téléphone" column (often a landline) before
// a "Portable" column, a row takes the mobile number, and the other only
// when the mobile cell is empty.
func TestMobileColumnRank(t *testing.T) {
	t.Parallel()
	csv := "Nom;Prénom;Courriel;Profession;FINESS;Habilitations;Mode de connexion;Téléphone;Tél. portable\n" +
		"DUPONT;Jeanne;jeanne.dupont@chu-exemple.fr;IDE;010000347;Consultation;SMS;01 42 34 56 78;06 12 34 56 78\n" +
		"MARTIN;Paul;paul.martin@chu-exemple.fr;IDE;010000347;Consultation;Mail;01 42 34 56 79;\n"
	table, err := ReadCSV(strings.NewReader(csv), "liste.csv", &Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []Cell{
		{Row: 2, Col: 9, Header: "Tél. portable", Value: "06 12 34 56 78", Raw: "06 12 34 56 78"},
		{Row: 3, Col: 8, Header: "Téléphone", Value: "01 42 34 56 79", Raw: "01 42 34 56 79"},
	} {
		if got := table.Rows[i].Get(FieldMobile); got != want {
			t.Errorf("row %d mobile = %+v; want %+v", want.Row, got, want)
		}
	}
	// In the other order too, and with synonyms: "Mobile" beats "Phone".
	for _, tt := range []struct {
		header []string
		want   string
	}{
		{[]string{"Portable", "Téléphone"}, "Portable"},
		{[]string{"Phone", "Mobile"}, "Mobile"},
		{[]string{"N° de téléphone", "GSM"}, "GSM"},
		{[]string{"Tel", "Téléphone"}, "Tel"},
	} {
		if got := byRank(MapColumns(tt.header, nil))[0].Header; got != tt.want {
			t.Errorf("byRank(MapColumns(%q))[0] = %q; want %q", tt.header, got, tt.want)
		}
	}
}

// matchKeyTests show the key headers, professions and habilitations are
// compared by.
var matchKeyTests = []struct{ in, want string }{
	{"N° de portable", "n portable"},
	{"Numéro de téléphone portable", "numero telephone portable"},
	{"Nº RPPS", "n rpp"},
	{"Adresses e-mails professionnelles", "adresse mail professionnel"},
	{"E-mail", "e mail"},
	{"Habilitation(s) demandée(s)", "habilitation demande"},
	{"Nom de l'établissement", "nom etablissement"},
	{"Pharmacien(ne)", "pharmacien"},
	{"Pharmacienne", "pharmacien"},
	{"Manipulateur(trice) radio", "manipulateur radio"},
	{"Manipulatrices radio", "manipulateur radio"},
	{"Infirmier·ère", "infirmier"},
	{"Infirmières", "infirmier"},
	{"Secrétaire médical(e)", "secretaire medical"},
	{"Attaché·e de recherche clinique", "attache recherche clinique"},
	{"Chirurgienne digestive", "chirurgien digestif"},
	{"Centres médicaux", "centre medical"},
	{"FINESS", "finess"},
	{"SMS", "sms"},
	{"IDEs", "ide"},
	{"De la", ""},
	{"", ""},
}

func TestMatchKey(t *testing.T) {
	t.Parallel()
	for _, tt := range matchKeyTests {
		got := matchKey(tt.in, articleWords)
		if got != tt.want {
			t.Errorf("matchKey(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if again := matchKey(got, articleWords); again != got {
			t.Errorf("matchKey(matchKey(%q)) = %q; want %q (idempotent)", tt.in, again, got)
		}
	}
}

func FuzzMatchKey(f *testing.F) {
	for _, tt := range matchKeyTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		k := matchKey(s, articleWords)
		if again := matchKey(k, articleWords); again != k {
			t.Fatalf("matchKey(matchKey(%q)) = %q; want %q (idempotent)", s, again, k)
		}
	})
}
