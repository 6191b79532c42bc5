package provision

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// encodePersonReflect is how the report's spool encoded a person before
// reportJSON: encoding/json, indented as in the report.
func encodePersonReflect(t *testing.T, p *Person) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// TestPersonJSONMatchesEncoder checks that reportJSON writes each person
// byte for byte as encoding/json does: random persons, with every optional
// field present or not, nil and empty lists, and strings that need
// escaping (quotes, backslashes, control characters, U+2028, invalid
// UTF-8, HTML characters that the report leaves as they are).
func TestPersonJSONMatchesEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"", "a", "Dupont", "Hôpital privé des Cèdres", `"`, `\`, "\n", "\t", "\x01", "\x1f", "\u2028", "\u2029",
		"\xff", "\xe9", "<b>&</b>", "é\u0301", "🙂", "x y", "\x7f", "\u00a0"}
	str := func() string {
		var s strings.Builder
		for range rng.IntN(4) {
			s.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return s.String()
	}
	maybe := func() bool { return rng.IntN(2) == 0 }
	w := newReportJSON()
	for i := range 20000 {
		p := Person{Row: rng.IntN(2000000), Status: Status(str()), UID: str(), BirthName: str(), Email: str(),
			Profession:    Profession{System: str(), Code: str(), Label: str(), Health: maybe()},
			Establishment: Establishment{FINESS: str(), Name: str(), Logo: str()},
			LoginMode:     LoginMode(str())}
		if maybe() {
			p.Profession.Role = &Coded{Code: str(), Label: str()}
		}
		if maybe() {
			p.Specialty = &Coded{Code: str(), Label: str()}
		}
		if maybe() {
			p.DuplicateOf = rng.IntN(1000)
		}
		switch rng.IntN(3) {
		case 0: // nil
		case 1:
			p.Habilitations = []Request{}
		default:
			for range 1 + rng.IntN(3) {
				r := Request{Code: str(), Label: str(), Signature: maybe(), Status: str(), Form: str()}
				if maybe() {
					r.Refusal = &Refusal{Line: rng.IntN(3), Date: str(), Reason: str()}
				}
				p.Habilitations = append(p.Habilitations, r)
			}
		}
		want := encodePersonReflect(t, &p)
		if got := string(w.person(nil, &p)); got != want {
			t.Fatalf("person %d: reportJSON wrote\n%s\nwant (encoding/json)\n%s", i, got, want)
		}
	}
}

// TestPersonJSONSamples compares reportJSON with encoding/json on every
// person of the sample lists and the fixtures, checked.
func TestPersonJSONSamples(t *testing.T) {
	for _, path := range []string{"../samples/liste-personnels.xlsx", "../samples/liste-personnels.csv",
		"testdata/fixtures/liste-libreoffice.xlsx", "testdata/fixtures/liste-excel-fr.csv"} {
		cfg := testConfig(t)
		if path == "../samples/liste-personnels.csv" {
			cfg.CSV = CSVOptions{}
		}
		r, err := Check(t.Context(), path, cfg)
		if err != nil {
			t.Fatal(err)
		}
		w := newReportJSON()
		for i := range r.People {
			p := &r.People[i]
			if got, want := string(w.person(nil, p)), encodePersonReflect(t, p); got != want {
				t.Errorf("%s row %d: reportJSON wrote\n%s\nwant\n%s", path, p.Row, got, want)
			}
		}
	}
}

// BenchmarkPersonJSON measures a person of the report written by
// reportJSON and by encoding/json (the report's spool before it).
func BenchmarkPersonJSON(b *testing.B) {
	p := Person{Row: 1234, Status: StatusAccepted, UID: "xavier.abriganec",
		Profession:    Profession{System: "TRE_G15", Code: "60", Label: "Infirmier"},
		Establishment: Establishment{FINESS: "130012347", Name: "Hôpital privé des Cèdres"}, LoginMode: "SMS",
		Habilitations: []Request{{Code: "CONSULTATION", Label: "Consultation des dossiers", Status: "active"}}}
	b.Run("reportJSON", func(b *testing.B) {
		w := newReportJSON()
		var buf []byte
		for b.Loop() {
			buf = w.person(buf[:0], &p)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		for b.Loop() {
			buf.Reset()
			if err := enc.Encode(&p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestProblemJSONMatchesEncoder checks that reportJSON writes each problem
// byte for byte as encoding/json does, on random problems with every
// escape and with or without a sheet.
func TestProblemJSONMatchesEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"", "A", "D17", "Le numéro « 12 » n'est pas valide.", `"`, `\`, "\n", "\x01", "\u2028", "\xff", "<&>", "🙂"}
	str := func() string {
		var s strings.Builder
		for range rng.IntN(4) {
			s.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return s.String()
	}
	w := newReportJSON()
	for i := range 20000 {
		pr := Problem{Sheet: str(), Row: rng.IntN(1 << 20), Column: str(), Cell: str(), Severity: Severity(str()),
			Code: Code(str()), Message: str(), Value: str(), Suggestion: str()}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		if err := enc.Encode(&pr); err != nil {
			t.Fatal(err)
		}
		want := string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
		if got := string(w.problem(nil, &pr)); got != want {
			t.Fatalf("problem %d: reportJSON wrote\n%s\nwant (encoding/json)\n%s", i, got, want)
		}
	}
}
