package provision

import (
	"strings"
	"testing"
)

// TestPhoneVectors judges every row of testdata/phone-test-vectors.csv (a
// copy of shared/reference/phone-test-vectors.csv) with ParsePhone in the
// row's default region, and the national numbers of an overseas region
// with [Nomenclature.ParsePhone], which must find that region alone.
func TestPhoneVectors(t *testing.T) {
	t.Parallel()
	vs := readVectors(t, "testdata/phone-test-vectors.csv")
	if len(vs) < 20 {
		t.Fatalf("only %d vectors", len(vs))
	}
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		got, err := ParsePhone(v["input"], v["default_region"])
		wantType, _, _ := strings.Cut(v["number_type"], " ")
		if err != nil || got.E164 != v["e164"] || got.Valid != (v["is_valid"] == "true") || string(got.Type) != wantType {
			t.Errorf("ParsePhone(%q, %q) = %+v, %v; want %s valid=%s %s",
				v["input"], v["default_region"], got, err, v["e164"], v["is_valid"], wantType)
			continue
		}
		if got.Valid {
			if again, err := ParsePhone(got.String(), ""); err != nil || again != got {
				t.Errorf("ParsePhone(%q, \"\") = %+v, %v; want %+v", got.String(), again, err, got)
			}
		}
		// A national number of an overseas territory needs no region:
		// the routing table finds it.
		if r := v["default_region"]; r != "FR" && r != "" && !strings.HasPrefix(v["input"], "+") {
			if routed, err := n.ParsePhone(v["input"]); err != nil || routed != got {
				t.Errorf("Nomenclature.ParsePhone(%q) = %+v, %v; want %+v", v["input"], routed, err, got)
			}
		}
	}
}

// routedPhoneTests are national numbers as referents write them, with no
// region: the overseas prefixes go to their own calling code.
var routedPhoneTests = []struct {
	in      string
	e164    string
	french  bool
	mobile  bool
	comment string
}{
	{"06 12 34 56 78", "+33612345678", true, true, "metropolitan mobile"},
	{"0612345678", "+33612345678", true, true, ""},
	{"+33 6 12 34 56 78", "+33612345678", true, true, ""},
	{"0033612345678", "+33612345678", true, true, ""},
	{"01 42 34 56 78", "+33142345678", true, false, "fixed line"},
	{"0690 12 34 56", "+590690123456", true, true, "Guadeloupe"},
	{"0696 12 34 56", "+596696123456", true, true, "Martinique"},
	{"0697143987", "+596697143987", true, true, "Martinique"},
	{"0694 12 34 56", "+594694123456", true, true, "Guyane"},
	{"0692 12 34 56", "+262692123456", true, true, "La Réunion"},
	{"0639 01 23 45", "+262639012345", true, true, "Mayotte"},
	{"0709 00 12 34", "+590709001234", true, true, "Guadeloupe 07"},
	{"0709301234", "+594709301234", true, true, "07093 0-3: Guyane"},
	{"0709351234", "+262709351234", true, true, "07093 5-7: Mayotte"},
	{"0708 45 12 34", "+508708451234", true, true, "Saint-Pierre-et-Miquelon 07"},
	{"0590 27 12 34", "+590590271234", true, false, "Saint-Barthélemy fixed line"},
	{"0590 00 12 34", "+590590001234", true, false, "Saint-Martin fixed line"},
	{"0590 82 12 34", "+590590821234", true, false, "Guadeloupe fixed line"},
	{"0594 30 12 34", "+594594301234", true, false, "Guyane fixed line"},
	{"0596 30 12 34", "+596596301234", true, false, "Martinique fixed line (FR's plan also holds 0596)"},
	{"0596 12 34 56", "+33596123456", true, false, "05961 2: only FR's plan holds it"},
	{"0262 30 12 34", "+262262301234", true, false, "La Réunion fixed line"},
	{"0263 12 34 56", "+262263123456", true, false, "La Réunion fixed line 02631 [0-6]"},
	{"0269 60 12 34", "+262269601234", true, false, "Mayotte fixed line"},
	{"0598 71 23 45", "+590598712345", true, false, "Guadeloupe 05987"},
	{"41 12 34", "+508411234", true, false, "Saint-Pierre-et-Miquelon fixed line"},
	{"55 12 34", "+508551234", true, true, "Saint-Pierre-et-Miquelon mobile"},
	{"0800 12 34 56", "+33800123456", true, false, "toll free: FR, though the territories hold it too"},
	{"0939 51 23 45", "+33939512345", true, false, "VoIP: FR, though Guadeloupe holds it too"},
	{"0639 12 34 56", "+262639123456", false, false, "unallocated Mayotte range"},
	{"07 00 00 00 00", "+33700000000", false, false, "unallocated"},
	{"12345", "", false, false, "too short"},
	{"+269 639 12 34 56", "+269639123456", false, false, "Comores"},
	{"+1 202 555 0143", "+12025550143", false, true, "valid mobile, not French"},
}

func TestNomenclatureParsePhone(t *testing.T) {
	t.Parallel()
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range routedPhoneTests {
		got, _ := n.ParsePhone(tt.in)
		if got.IsFrench() != tt.french || got.IsMobile() != tt.mobile || tt.e164 != "" && got.E164 != tt.e164 {
			t.Errorf("ParsePhone(%q) = %+v; want %s french=%v mobile=%v (%s)", tt.in, got, tt.e164, tt.french, tt.mobile, tt.comment)
		}
	}
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"06 12 34 56 78", "0690123456", "+262639012345", "12345", "6.12345678E8"} {
		f.Add(s)
	}
	n, err := LoadNomenclature(testConfig(f).Templates)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := n.ParsePhone(s)
		if err != nil || !p.Valid {
			return
		}
		if again, err := ParsePhone(p.String(), ""); err != nil || again != p {
			t.Errorf("ParsePhone(%q, \"\") = %+v, %v; want %+v", p.String(), again, err, p)
		}
	})
}
