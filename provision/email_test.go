package provision

import "testing"

var parseEmailTests = []struct {
	in, want string
	ok       bool
}{
	{"Zoe.Martin@CHU-Exemple.fr", "zoe.martin@chu-exemple.fr", true},
	{" zoe@chu.fr ", "zoe@chu.fr", true},
	{"zoe+rcp@chu.fr", "zoe+rcp@chu.fr", true},
	{"zoe@hôpital.fr", "zoe@hôpital.fr", true},
	{"zoe@xn--hpital-fua.fr", "zoe@xn--hpital-fua.fr", true},
	{"zoe@chu.fr.", "", false},
	{"zoe@@chu.fr", "", false},
	{"zoe@chu", "", false},
	{"zoe", "", false},
	{"@chu.fr", "", false},
	{"zoe@chu..fr", "", false},
	{"zoe.@chu.fr", "", false},
	{"zo e@chu.fr", "", false},
	{"Zoé <zoe@chu.fr>", "", false},
	{"zoe@chu.f", "", false},
	{"zoe@chu.123", "", false},
	{"zoe@-chu.fr", "", false},
	{`"zoe"@chu.fr`, "", false},
	{"zoe@chu.fr; leo@chu.fr", "", false},
}

func TestParseEmail(t *testing.T) {
	t.Parallel()
	for _, tt := range parseEmailTests {
		got, err := ParseEmail(tt.in)
		if string(got) != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

var domainTypoTests = []struct{ domain, want string }{
	{"gmial.com", "gmail.com"},
	{"gmail.con", "gmail.com"},
	{"hotmial.com", "hotmail.com"},
	{"wanadoo.ft", "wanadoo.fr"},
	{"yahoo.fr.fr", "yahoo.fr"},
	{"chu-exemple.con", "chu-exemple.com"},
	{"orage.fr", "orange.fr"},
	{"gmail.com", ""},
	{"chu-exemple.fr", ""},
	{"chr.fr", ""},
	{"chu.fr", ""},
	{"free.fr", ""},
	{"ch-exemple.mssante.fr", ""},
	{"clinique-sainte-an.fr", ""},
}

func TestDomainTypo(t *testing.T) {
	t.Parallel()
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range domainTypoTests {
		if got := n.domainTypo(tt.domain); got != tt.want {
			t.Errorf("domainTypo(%q) = %q; want %q", tt.domain, got, tt.want)
		}
	}
}

var genericTests = []struct {
	local string
	want  bool
}{
	{"secretariat", true}, {"secretariat.onco", true}, {"secretariatonco", true}, {"rcp", true},
	{"rcp-sein", true}, {"contact", true}, {"accueil", true}, {"noreply", true}, {"no-reply", true},
	{"ne-pas-repondre", true}, {"3c", true}, {"dim", true}, {"onco", true}, {"direction.generale", true},
	{"zoe.martin", false}, {"zoe.contact", false}, {"dimitri.leroy", false}, {"oncle", false},
	{"information.medicale", true}, {"infirmier", false},
}

func TestIsGeneric(t *testing.T) {
	t.Parallel()
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range genericTests {
		if got := n.isGeneric(tt.local); got != tt.want {
			t.Errorf("isGeneric(%q) = %v; want %v", tt.local, got, tt.want)
		}
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"zoe@chu.fr", "a@@b.fr", "zoe@hôpital.fr", "Zoé <z@c.fr>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEmail(s)
		if err != nil {
			return
		}
		if again, err := ParseEmail(e.String()); err != nil || again != e {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q", e, again, err, e)
		}
	})
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"  le  gall ", "N’Diaye", "=HYPERLINK()", "Œuvre Æ", "Infirmier(e)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := fold(fold(s)); got != fold(s) {
			t.Errorf("fold(fold(%q)) = %q; want %q", s, got, fold(s))
		}
		if n, err := NormaliseName(s); err == nil {
			if again, err := NormaliseName(n); err != nil || again != n {
				t.Errorf("NormaliseName(%q) = %q, %v; want %q", n, again, err, n)
			}
		}
	})
}
