package provision

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/templates"
)

func writeAccounts(tb testing.TB, people []Person, cfg *Config) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := WriteAccountsCSV(&b, people, cfg); err != nil {
		tb.Fatalf("WriteAccountsCSV = %v", err)
	}
	return b.Bytes()
}

func writeHabilitations(tb testing.TB, people []Person) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := WriteHabilitationsCSV(&b, people); err != nil {
		tb.Fatalf("WriteHabilitationsCSV = %v", err)
	}
	return b.Bytes()
}

func TestAccountsCSVGolden(t *testing.T) {
	t.Parallel()
	checkGolden(t, "accounts.csv", writeAccounts(t, testPeople(), testConfig(t)))
}

func TestHabilitationsCSVGolden(t *testing.T) {
	t.Parallel()
	checkGolden(t, "habilitations.csv", writeHabilitations(t, testPeople()))
}

func TestAccountsCSVDeterministic(t *testing.T) {
	t.Parallel()
	people := testPeople()
	first := writeAccounts(t, people, testConfig(t))
	// The input order must not matter.
	slices.Reverse(people)
	if second := writeAccounts(t, people, testConfig(t)); !bytes.Equal(first, second) {
		t.Errorf("WriteAccountsCSV depends on the order of people:\n%s\n---\n%s", first, second)
	}
	h1 := writeHabilitations(t, testPeople())
	if h2 := writeHabilitations(t, people); !bytes.Equal(h1, h2) {
		t.Errorf("WriteHabilitationsCSV depends on the order of people")
	}
}

func TestAccountsCSVDefaultHeader(t *testing.T) {
	t.Parallel()
	got, _, _ := strings.Cut(string(writeAccounts(t, nil, testConfig(t))), "\n")
	const want = "uid,birth_name,usage_name,first_name,email,mobile,national_id,national_id_type,profession_code,profession_label,specialty_code,specialty_label,finess,establishment,login_mode"
	if got != want {
		t.Errorf("accounts.csv header = %q; want %q", got, want)
	}
}

func TestAccountsCSVOptions(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.CSV = CSVOptions{Separator: ';', BOM: true}
	cfg.AccountColumns = []AccountColumn{{"Identifiant", "uid"}, {"Nom", "birth_name"}, {"Spécialité", "specialty_label"}, {"RPPS", "national_id"}}
	got := string(writeAccounts(t, testPeople(), cfg))
	want := "\ufeffIdentifiant;Nom;Spécialité;RPPS\n" +
		"jean.dupont;DUPONT;Oncologie, option médicale (SM);819999900004\n" +
		"marie-helene.leveque;LÉVÊQUE;;0751234567\n" +
		"sophie.bernard;BERNARD;;\n" +
		"jean.dupont;DUPONT;Oncologie, option médicale (SM);819999900004\n"
	if got != want {
		t.Errorf("WriteAccountsCSV(; BOM, 4 columns) =\n%s\nwant\n%s", got, want)
	}
}

var badAccountColumns = [][]AccountColumn{
	{},
	{{"", "uid"}},
	{{"Login", "login"}},
}

func TestCheckAccountColumns(t *testing.T) {
	t.Parallel()
	for _, cols := range badAccountColumns {
		if err := CheckAccountColumns(cols); err == nil {
			t.Errorf("CheckAccountColumns(%v) = nil; want an error", cols)
		}
	}
	cols, err := DefaultAccountColumns(templates.FS)
	if err != nil || len(cols) != 15 {
		t.Errorf("DefaultAccountColumns() = %d columns, %v; want 15, nil", len(cols), err)
	}
	if _, err := LoadAccountColumns([]byte("- {header: uid, field: uid, width: 3}\n")); err == nil {
		t.Errorf("LoadAccountColumns(unknown key) = nil; want an error")
	}
}

// TestAccountsCSVFormulaGuard checks that a value a spreadsheet would run
// is neutralised, while an E.164 phone stays as it is.
func TestAccountsCSVFormulaGuard(t *testing.T) {
	t.Parallel()
	p := testPeople()[2]
	p.FirstName = "=1+1"
	p.UsageName = "@cmd"
	p.Establishment.Name = "-x"
	accounts := writeAccounts(t, []Person{p}, testConfig(t))
	if !bytes.Contains(accounts, []byte(",+33612345678,")) {
		t.Errorf("the E.164 phone was altered:\n%s", accounts)
	}
	for _, out := range [][]byte{accounts, writeHabilitations(t, []Person{p})} {
		recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			for _, v := range rec {
				if v != safeCell(v) || v != "" && strings.ContainsRune("=@", rune(v[0])) {
					t.Errorf("cell %q is not neutralised", v)
				}
			}
			if slices.Contains(rec, "Marie-Hélène") || !slices.Contains(rec, "'=1+1") {
				t.Errorf("record %q: want the first name as '=1+1", rec)
			}
		}
	}
}

func TestRequestStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		r    Request
		want string
	}{
		{Request{}, RequestActive},
		{Request{Signature: true}, RequestPendingSignature},
		{Request{Signature: true, Status: RequestActive}, RequestActive},
		{Request{Status: RequestRejected}, RequestRejected},
	} {
		if got := requestStatus(tt.r); got != tt.want {
			t.Errorf("requestStatus(%+v) = %q; want %q", tt.r, got, tt.want)
		}
	}
}
