package provision

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/go-ldap/ldif"
	"github.com/google/go-cmp/cmp"
)

func writeLDIF(tb testing.TB, people []Person, cfg *Config) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := WriteLDIF(&b, people, cfg); err != nil {
		tb.Fatalf("WriteLDIF = %v", err)
	}
	return b.Bytes()
}

// parseLDIF parses out with go-ldap/ldif, an independent reader.
func parseLDIF(tb testing.TB, out []byte) []*ldap.Entry {
	tb.Helper()
	l, err := ldif.Parse(string(out))
	if err != nil {
		tb.Fatalf("ldif.Parse = %v\n%s", err, out)
	}
	return l.AllEntries()
}

func TestLDIFGolden(t *testing.T) {
	t.Parallel()
	checkGolden(t, "accounts.ldif", writeLDIF(t, testPeople(), testConfig(t)))
}

func TestLDIFDeterministic(t *testing.T) {
	t.Parallel()
	people := testPeople()
	first := writeLDIF(t, people, testConfig(t))
	slices.Reverse(people)
	if second := writeLDIF(t, people, testConfig(t)); !bytes.Equal(first, second) {
		t.Errorf("WriteLDIF depends on the order of people")
	}
}

// oddPeople have names that exercise DN escaping, base64 and folding.
// Validation would reject some of them; the writer must cope anyway.
var oddPeople = []struct {
	uid, first, birth, org string
}{
	{"a,b", "Ann", "COMMA, JR", "Org, with comma"},
	{"plus+sign", "Plus", "A+B", "Org+Plus"},
	{`quote"back\slash`, `Qu"ote`, `BACK\SLASH`, `Org "quoted"`},
	{"<angle>;semi", "<Angle>", "SEMI;COLON", "<Org>"},
	{"#hash", "#First", "#HASH", "#Org"},
	{" lead", " Lead", "TRAIL ", " Org "},
	{"trail ", "Éloïse", "LÉVÊQUE-ŒUVRE", "Centre Hospitalier Régional d'Île-de-France"},
	{"colon:x", ":First", "NAME", ":Org"},
	{"long.name", strings.Repeat("Jean-", 20) + "Pierre", strings.Repeat("DE LA ", 15) + "FONTAINE", strings.Repeat("Très long établissement ", 6)},
}

func TestLDIFRoundTrip(t *testing.T) {
	t.Parallel()
	var people []Person
	for i, o := range oddPeople {
		people = append(people, Person{Row: i + 2, Status: StatusAccepted, UID: o.uid, FirstName: o.first, BirthName: o.birth,
			Email: "x" + string(rune('a'+i)) + "@chu-exemple.fr", Profession: medecin,
			Establishment: Establishment{FINESS: "750000001", Name: o.org}})
	}
	cfg := testConfig(t)
	out := writeLDIF(t, people, cfg)
	for i, line := range strings.Split(string(out), "\n") {
		if len(line) > ldifLineWidth {
			t.Errorf("line %d has %d bytes; want at most %d: %q", i+1, len(line), ldifLineWidth, line)
		}
	}
	entries := parseLDIF(t, out)
	if len(entries) != len(oddPeople) {
		t.Fatalf("parsed %d entries; want %d", len(entries), len(oddPeople))
	}
	byUID := map[string]*ldap.Entry{}
	for _, e := range entries {
		dn, err := ldap.ParseDN(e.DN)
		if err != nil {
			t.Errorf("ldap.ParseDN(%q) = %v", e.DN, err)
			continue
		}
		rdn := dn.RDNs[0].Attributes[0]
		if rdn.Type != "uid" || rdn.Value != e.GetAttributeValue("uid") {
			t.Errorf("DN %q: first RDN %s=%q; want uid=%q", e.DN, rdn.Type, rdn.Value, e.GetAttributeValue("uid"))
		}
		if got := dn.RDNs[1].Attributes[0].Value; got != "people" || len(dn.RDNs) != 4 {
			t.Errorf("DN %q is not under ou=people,dc=dcc,dc=invalid", e.DN)
		}
		byUID[rdn.Value] = e
	}
	for _, o := range oddPeople {
		e := byUID[o.uid]
		if e == nil {
			t.Errorf("no entry for uid %q", o.uid)
			continue
		}
		want := map[string][]string{
			"objectClass":  {"top", "person", "organizationalPerson", "inetOrgPerson"},
			"uid":          {o.uid},
			"cn":           {strings.TrimSpace(o.first + " " + o.birth)},
			"sn":           {o.birth},
			"givenName":    {o.first},
			"employeeType": {"Médecin"},
			"o":            {o.org},
		}
		for attr, vals := range want {
			if got := e.GetAttributeValues(attr); !slices.Equal(got, vals) {
				t.Errorf("uid %q: %s = %q; want %q", o.uid, attr, got, vals)
			}
		}
		if e.GetAttributeValue("mobile") != "" || e.GetAttributeValue("employeeNumber") != "" {
			t.Errorf("uid %q: mobile or employeeNumber written for a person without one", o.uid)
		}
	}
}

func TestLDIFOneEntryPerUID(t *testing.T) {
	t.Parallel()
	entries := parseLDIF(t, writeLDIF(t, testPeople(), testConfig(t)))
	var got []string
	for _, e := range entries {
		got = append(got, e.DN)
	}
	want := []string{
		"uid=jean.dupont,ou=people,dc=dcc,dc=invalid",
		"uid=marie-helene.leveque,ou=people,dc=dcc,dc=invalid",
		"uid=sophie.bernard,ou=people,dc=dcc,dc=invalid",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	dupont := entries[0]
	if got := dupont.GetAttributeValues("o"); !slices.Equal(got, []string{"Centre Hospitalier Exemple", "Clinique Exemple"}) {
		t.Errorf("jean.dupont o = %q; want both establishments", got)
	}
	if got := dupont.GetAttributeValue("employeeNumber"); got != "819999900004" {
		t.Errorf("jean.dupont employeeNumber = %q; want 819999900004", got)
	}
	if got := entries[1].GetAttributeValue("sn"); got != "LÉVÊQUE" {
		t.Errorf("marie-helene.leveque sn = %q; want LÉVÊQUE", got)
	}
}

func TestLDIFBaseDNAndNoUID(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.BaseDN = "dc=example,dc=org"
	cfg.Date = testDate.AddDate(0, 0, 1)
	out := string(writeLDIF(t, testPeople()[:1], cfg))
	if !strings.HasPrefix(out, "# dccprov accounts — 2026-01-16\nversion: 1\n\ndn: uid=jean.dupont,ou=people,dc=example,dc=org\n") {
		t.Errorf("WriteLDIF(base dc=example,dc=org) starts with\n%s", out)
	}
	p := testPeople()[0]
	p.UID = ""
	if err := WriteLDIF(&bytes.Buffer{}, []Person{p}, cfg); err == nil {
		t.Errorf("WriteLDIF(accepted person without uid) = nil; want an error")
	}
}

var escapeDNTests = []struct{ in, want string }{
	{"jean.dupont", "jean.dupont"},
	{"a,b+c", `a\,b\+c`},
	{`"x"`, `\"x\"`},
	{`a\b`, `a\\b`},
	{"<a>;", `\<a\>\;`},
	{"#a#", `\#a#`},
	{" a ", `\ a\ `},
	{"a\x00b", `a\00b`},
	{"a=b", "a=b"},
	{"é", "é"},
}

func TestEscapeDNValue(t *testing.T) {
	t.Parallel()
	for _, tt := range escapeDNTests {
		if got := escapeDNValue(tt.in); got != tt.want {
			t.Errorf("escapeDNValue(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestLDIFSafe(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"Jean", true}, {"", true}, {"a b", true}, {"a:b", true}, {"a<b", true},
		{" a", false}, {":a", false}, {"<a", false}, {"a ", false},
		{"a\nb", false}, {"a\rb", false}, {"a\x00b", false}, {"é", false},
	} {
		if got := ldifSafe(tt.in); got != tt.want {
			t.Errorf("ldifSafe(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestUIDOrder checks the merge of the establishments' runs against a
// sort by uid, FINESS and row, on random accounts: uids repeated within
// and across establishments, some establishments with one account.
func TestUIDOrder(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		k := 1 + rng.IntN(12)
		people := make([]Person, n)
		for i := range people {
			people[i] = Person{
				Row:           2 + i,
				Status:        StatusAccepted,
				UID:           fmt.Sprintf("u%d", rng.IntN(n/2+1)),
				Establishment: Establishment{FINESS: fmt.Sprintf("F%02d", rng.IntN(k))},
			}
		}
		accounts := accountsOf(people)
		want := slices.Clone(accounts)
		slices.SortFunc(want, func(a, b *Person) int {
			if c := strings.Compare(a.UID, b.UID); c != 0 {
				return c
			}
			if c := strings.Compare(a.Establishment.FINESS, b.Establishment.FINESS); c != 0 {
				return c
			}
			return a.Row - b.Row
		})
		if got := uidOrder(accounts); !slices.Equal(got, want) {
			t.Fatalf("uidOrder of %d accounts in %d establishments: not in uid, FINESS, row order", n, k)
		}
	}
}

// TestWriteLDIFNoUID checks that an account without a uid is refused
// before anything is written, naming the first such row.
func TestWriteLDIFNoUID(t *testing.T) {
	t.Parallel()
	people := []Person{
		{Row: 2, Status: StatusAccepted, UID: "a.b", Establishment: Establishment{FINESS: "A"}},
		{Row: 5, Status: StatusAccepted, Establishment: Establishment{FINESS: "B"}},
		{Row: 3, Status: StatusAccepted, Establishment: Establishment{FINESS: "B"}},
	}
	var b strings.Builder
	err := writeLDIFEntries(&b, accountsOf(people), testConfig(t))
	if err == nil || !strings.Contains(err.Error(), "row 3 has no uid") || b.Len() != 0 {
		t.Errorf("writeLDIFEntries with rows 3 and 5 without uid = %v, %d bytes written; want row 3 named, nothing written", err, b.Len())
	}
}
