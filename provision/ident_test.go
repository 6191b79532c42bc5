package provision

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

func readVectors(tb testing.TB, name string) []map[string]string {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

// TestIdentifierVectors judges every value of testdata/identifier-test-vectors.csv
// (a copy of shared/reference/identifier-test-vectors.csv). SIRET and SIREN
// are not implemented: dccprov reads no such column.
func TestIdentifierVectors(t *testing.T) {
	t.Parallel()
	parsers := map[string]func(string) (string, error){
		"RPPS":   func(s string) (string, error) { v, err := ParseRPPS(s); return v.String(), err },
		"ADELI":  func(s string) (string, error) { v, err := ParseADELI(s); return v.String(), err },
		"FINESS": func(s string) (string, error) { v, err := ParseFINESS(s); return v.String(), err },
	}
	n := 0
	for _, v := range readVectors(t, "testdata/identifier-test-vectors.csv") {
		parse, ok := parsers[v["kind"]]
		if !ok {
			if v["kind"] != "SIRET" && v["kind"] != "SIREN" {
				t.Errorf("unknown kind %q", v["kind"])
			}
			continue
		}
		n++
		got, err := parse(v["value"])
		if want := v["expected_valid"] == "true"; (err == nil) != want {
			t.Errorf("Parse%s(%q) = %q, %v; want valid = %v", v["kind"], v["value"], got, err, want)
			continue
		}
		if err == nil {
			if again, err := parse(got); err != nil || again != got {
				t.Errorf("Parse%s(%q) = %q, %v; want a round trip", v["kind"], got, again, err)
			}
		}
	}
	if n < 60 {
		t.Errorf("only %d vectors judged", n)
	}
}

var nationalIDTests = []struct {
	in   string
	want NationalID
	ok   bool
}{
	{"10001045367", NationalID{KindRPPS, "10001045367"}, true},
	{"810001045367", NationalID{KindRPPS, "10001045367"}, true},
	{"100 010 453 67", NationalID{KindRPPS, "10001045367"}, true},
	{"012600631", NationalID{KindADELI, "012600631"}, true},
	{"0012600631", NationalID{KindADELI, "012600631"}, true},
	{"10001045368", NationalID{KindRPPS, ""}, false},
	{"1000104536", NationalID{KindRPPS, ""}, false}, // an RPPS missing a digit
	{"100 010 453 6", NationalID{KindRPPS, ""}, false},
	{"75123456", NationalID{KindADELI, ""}, false},
	{"1000104536789", NationalID{KindRPPS, ""}, false},
	{"01260063X", NationalID{KindADELI, ""}, false},
}

func TestParseNationalID(t *testing.T) {
	t.Parallel()
	for _, tt := range nationalIDTests {
		got, err := ParseNationalID(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseNationalID(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzIdentifiers(f *testing.F) {
	for _, s := range []string{"10001045367", "2A0000154", "012600631", "2b0005359", "810001045367"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseRPPS(s); err == nil {
			if again, err := ParseRPPS(r.String()); err != nil || again != r {
				t.Errorf("ParseRPPS(%q) = %q, %v; want %q", r, again, err, r)
			}
		}
		if a, err := ParseADELI(s); err == nil {
			if again, err := ParseADELI(a.String()); err != nil || again != a {
				t.Errorf("ParseADELI(%q) = %q, %v; want %q", a, again, err, a)
			}
		}
		if x, err := ParseFINESS(s); err == nil {
			if again, err := ParseFINESS(x.String()); err != nil || again != x {
				t.Errorf("ParseFINESS(%q) = %q, %v; want %q", x, again, err, x)
			}
		}
	})
}

// TestIDReason: the French reason names what was expected and what was
// found, so the referent knows a digit is missing rather than "wrong".
func TestIDReason(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"1000104536", "11 chiffres attendus, 10 trouvés"},
		{"100010453671", "11 chiffres attendus, 12 trouvés"},
		{"1000104536X", "il ne doit contenir que des chiffres"},
		{"10001045368", "la clé de contrôle ne correspond pas"},
		{"75123456", "9 caractères attendus, 8 trouvés"},
		{"01260063X", "il ne doit contenir que des chiffres, ou 2A/2B pour la Corse"},
	}
	for _, tt := range tests {
		_, err := ParseNationalID(tt.in)
		if got := idReason(err); !strings.HasPrefix(got, tt.want) {
			t.Errorf("idReason(ParseNationalID(%q)) = %q; want it to start %q", tt.in, got, tt.want)
		}
	}
	if _, err := ParseFINESS("7"); idReason(err) != "9 caractères attendus, 1 trouvé" {
		t.Errorf("idReason(ParseFINESS(%q)) = %q; want %q", "7", idReason(err), "9 caractères attendus, 1 trouvé")
	}
}
