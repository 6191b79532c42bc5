package provision

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func writeSummary(tb testing.TB, people []Person) []byte {
	tb.Helper()
	var b bytes.Buffer
	r := NewReport(testTable(), testPeople(), testProblems())
	if err := WriteSummaryHTML(&b, r, people); err != nil {
		tb.Fatalf("WriteSummaryHTML = %v", err)
	}
	return b.Bytes()
}

// summaryRunPeople are [testPeople] as a run leaves them: row 9 repeats
// row 4 exactly, a request of row 8 was refused on an earlier form, and one
// of row 5 awaits signature on a form printed again.
func summaryRunPeople() []Person {
	people := testPeople()
	people[1].Habilitations = append(people[1].Habilitations, Request{Code: "ACCES_ETENDU",
		Label: "Accès étendu aux dossiers de l'établissement", Signature: true,
		Status: RequestPendingSignature, Form: "F-750000002-20260108-3c4d5e"})
	people[4].Habilitations = append(people[4].Habilitations, Request{Code: "ADMIN_ETABLISSEMENT",
		Label: "Administrateur local de l'établissement", Signature: true,
		Status: RequestRejected, Form: "F-750000001-20260108-9f8e7d",
		Refusal: &Refusal{Line: 3, Date: "2026-01-10", Reason: "Pas de poste d'administrateur"}})
	dup := people[0]
	dup.Row, dup.DuplicateOf = 9, 4
	dup.Habilitations = append([]Request(nil), dup.Habilitations...)
	return append(people, dup)
}

// writeRunSummary writes the page of a run of [summaryRunPeople].
func writeRunSummary(tb testing.TB) []byte {
	tb.Helper()
	people := summaryRunPeople()
	r := NewReport(testTable(), people, testProblems())
	b := &Batch{
		People: people,
		Forms: []Form{{Ref: "DCC-750000001-20260115-01", Establishment: chuExemple, Date: "2026-01-15",
			Digest: "0a1b2c3d4e5f", Requests: 1}},
		Pending: []Form{{Ref: "F-750000002-20260108-3c4d5e", Establishment: cliniqueExemple, Date: "2026-01-08",
			Digest: "3c4d5e6f7a8b", Requests: 1}},
		Absent: []Absence{
			{UID: "paul.ancien", FINESS: "750000001", Establishment: "Centre Hospitalier Exemple"},
			{UID: "anne.partie", FINESS: "750000001", Establishment: "Centre Hospitalier Exemple"},
		},
	}
	cfg := testConfig(tb)
	cfg.Operator = "operateur.ars"
	var buf bytes.Buffer
	if err := writeSummaryHTML(&buf, r, nil, people, b, cfg); err != nil {
		tb.Fatalf("writeSummaryHTML = %v", err)
	}
	return buf.Bytes()
}

func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	checkGolden(t, "summary.html", writeSummary(t, testPeople()))
	checkGolden(t, "summary-run.html", writeRunSummary(t))
}

func TestSummaryDeterministic(t *testing.T) {
	t.Parallel()
	a := writeSummary(t, testPeople())
	if b := writeSummary(t, nil); !bytes.Equal(a, b) {
		t.Errorf("WriteSummaryHTML(r, nil) differs from WriteSummaryHTML(r, r.People)")
	}
	if a, b := writeRunSummary(t), writeRunSummary(t); !bytes.Equal(a, b) {
		t.Errorf("two summaries of the same run differ")
	}
}

// summaryCount returns the numbers shown with data-count="name" (cards,
// table cells, chart labels), in page order.
func summaryCount(tb testing.TB, page []byte, name string) []int {
	tb.Helper()
	re := regexp.MustCompile(`data-count="` + name + `">([^<]*)<`)
	var ns []int
	for _, m := range re.FindAllSubmatch(page, -1) {
		n, err := strconv.Atoi(strings.ReplaceAll(string(m[1]), "\u202f", ""))
		if err != nil {
			tb.Fatalf("data-count=%q shows %q, not a number", name, m[1])
		}
		ns = append(ns, n)
	}
	return ns
}

// TestSummaryDuplicateRow checks an exact repeat of a row is counted once,
// as accounts.csv, habilitations.csv and the forms take it: the cards, the
// establishment's table line and its bars.
func TestSummaryDuplicateRow(t *testing.T) {
	t.Parallel()
	page := writeRunSummary(t)
	people := summaryRunPeople()
	var hab bytes.Buffer
	if err := WriteHabilitationsCSV(&hab, Accounts(people)); err != nil {
		t.Fatal(err)
	}
	pending := strings.Count(hab.String(), ","+RequestPendingSignature+",")
	// Cards: read, then the establishments 750000001 and 750000002, in the
	// table, then in the chart.
	if got, want := summaryCount(t, page, "pending"), []int{pending, 1, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("pending signatures shown %v, want %v (habilitations.csv: %d)", got, want, pending)
	}
	if got, want := summaryCount(t, page, "accepted"), []int{len(Accounts(people)), 3, 1, 3, 1}; !slices.Equal(got, want) {
		t.Errorf("accepted shown %v, want %v", got, want)
	}
	if got, want := summaryCount(t, page, "duplicates"), []int{1, 0}; !slices.Equal(got, want) {
		t.Errorf("duplicates shown %v, want %v", got, want)
	}
	if !bytes.Contains(page, []byte("doublons exacts pris une fois : 1")) {
		t.Errorf("summary.html does not say the repeated row is taken once")
	}
}

// TestSummaryRun checks what only a run shows: its date, operator, input
// and digest, its forms with their REF and status, the refused
// habilitations with their form, the people no longer listed.
func TestSummaryRun(t *testing.T) {
	t.Parallel()
	page := string(writeRunSummary(t))
	for _, want := range []string{
		`<dd data-k="date">15 janvier 2026</dd>`,
		"<dd>operateur.ars</dd>",
		"liste.xlsx, feuille « Personnels », en-tête ligne 3",
		`<tr data-form="DCC-750000001-20260115-01"><td class="ref">DCC-750000001-20260115-01</td><td>Centre Hospitalier Exemple (750000001)</td><td class="date">15 janvier 2026</td>`,
		`<span class="tag new">nouveau</span>`,
		`<tr data-form="F-750000002-20260108-3c4d5e"><td class="ref">F-750000002-20260108-3c4d5e</td><td>Clinique Exemple (750000002)</td><td class="date">8 janvier 2026</td>`,
		`<span class="tag again">réimprimé</span>`,
		`<tr data-refused="sophie.bernard"><td>sophie.bernard</td><td>Centre Hospitalier Exemple (750000001)</td><td><code>ADMIN_ETABLISSEMENT</code> Administrateur local de l&#39;établissement</td><td class="ref">F-750000001-20260108-9f8e7d</td><td class="n">3</td><td class="date">10 janvier 2026</td><td data-reason>Pas de poste d&#39;administrateur</td></tr>`,
		`<tr data-absent="anne.partie">`,
		`<tr data-absent="paul.ancien">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("summary.html of a run lacks %q", want)
		}
	}
	if i, j := strings.Index(page, "anne.partie"), strings.Index(page, "paul.ancien"); i > j {
		t.Errorf("absent people are not sorted by uid")
	}
	// The digest, when the input has one.
	people := summaryRunPeople()
	r := NewReport(testTable(), people, nil)
	r.Input.SHA256 = strings.Repeat("ab", 32)
	var b bytes.Buffer
	if err := writeSummaryHTML(&b, r, nil, people, &Batch{}, testConfig(t)); err != nil {
		t.Fatal(err)
	}
	if want := `<dd class="digest">` + r.Input.SHA256 + "</dd>"; !strings.Contains(b.String(), want) {
		t.Errorf("summary.html lacks the input's digest %q", want)
	}
	for _, want := range []string{"Aucun formulaire en attente de signature.", "Personne : la liste nomme"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary.html of a run without forms or absent people lacks %q", want)
		}
	}
	// check has no run: no date, forms or absent people, whose sections
	// would only say "none".
	check := string(writeSummary(t, testPeople()))
	for _, bad := range []string{"Date du lot", "Formulaires de signature", "ne figurent plus"} {
		if strings.Contains(check, bad) {
			t.Errorf("summary.html without a run shows %q", bad)
		}
	}
}

var frenchIntTests = []struct {
	in   int
	want string
}{
	{0, "0"},
	{7, "7"},
	{999, "999"},
	{1000, "1\u202f000"},
	{1234, "1\u202f234"},
	{56789, "56\u202f789"},
	{123456, "123\u202f456"},
	{1234567, "1\u202f234\u202f567"},
	{-1234, "-1\u202f234"},
}

func TestFrenchInt(t *testing.T) {
	t.Parallel()
	for _, tt := range frenchIntTests {
		if got := frenchInt(tt.in); got != tt.want {
			t.Errorf("frenchInt(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFrenchDate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"2026-01-15", "15 janvier 2026"},
		{"2026-03-01", "1er mars 2026"},
		{"2025-08-31", "31 août 2025"},
		{"2025-12-09", "9 décembre 2025"},
	} {
		d, err := time.Parse(time.DateOnly, tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := frenchDate(d); got != tt.want {
			t.Errorf("frenchDate(%s) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestSummaryLargeCounts checks counts of a thousand and more are
// grouped as French typography does, in cards, tables and charts.
func TestSummaryLargeCounts(t *testing.T) {
	t.Parallel()
	var people []Person
	for i := range 1234 {
		people = append(people, Person{Row: i + 2, Status: StatusAccepted, UID: "u" + strconv.Itoa(i), Establishment: chuExemple})
	}
	r := Report{Input: Input{File: "grande-liste.csv", HeaderRow: 1}, Rows: Counts{Read: 1234, Accepted: 1234}}
	var b bytes.Buffer
	if err := writeSummaryHTML(&b, r, map[Code]int{CellRepaired: 2500}, people, nil, nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<b data-count="read">1_234</b>`,
		`<b data-count="accepted">1_234</b>`,
		`<td class="n" data-count="accepted">1_234</td>`,
		`data-count="accepted">1_234</text>`,
		`data-count="problems">2_500</text>`,
		`<td class="n" data-count="problems">2_500</td>`,
	} {
		if want = strings.ReplaceAll(want, "_", "\u202f"); !strings.Contains(page, want) {
			t.Errorf("summary.html lacks %q", want)
		}
	}
}

// TestSummaryRunDuplicateRow runs a list whose last row repeats an earlier
// one (with a habilitation awaiting signature) and checks summary.html
// counts its requests once, as habilitations.csv and the form do.
func TestSummaryRunDuplicateRow(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/fixtures/liste-excel-fr.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(src, []byte("\r\n"))
	var repeat []byte
	for _, l := range lines {
		if bytes.Contains(l, []byte("elodie.delacroix@")) {
			repeat = l
		}
	}
	if repeat == nil {
		t.Fatal("the fixture has no row for elodie.delacroix")
	}
	input := filepath.Join(t.TempDir(), "liste.csv")
	if err := os.WriteFile(input, append(bytes.Clone(src), repeat...), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	b := runBatch(t, input, dir)
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	page, hab, acc := read("summary.html"), string(read("habilitations.csv")), string(read("accounts.csv"))
	pending := strings.Count(hab, ","+RequestPendingSignature+",")
	onForms := 0
	for _, f := range b.Forms {
		onForms += f.Requests
	}
	if pending == 0 || pending != onForms {
		t.Fatalf("habilitations.csv has %d requests awaiting signature, the forms %d", pending, onForms)
	}
	if got := summaryCount(t, page, "pending"); len(got) == 0 || got[0] != pending {
		t.Errorf("summary.html shows %v pending signatures; want %d first (habilitations.csv, forms)", got, pending)
	}
	if got, want := summaryCount(t, page, "accepted"), strings.Count(acc, "\n")-1; got[0] != want {
		t.Errorf("summary.html shows %d accepted people; want %d (accounts.csv)", got[0], want)
	}
	if !bytes.Contains(page, []byte("doublons exacts pris une fois : 1")) {
		t.Errorf("summary.html does not say the repeated row is taken once")
	}
}

// TestSummarySelfContained checks the page fetches nothing, runs nothing
// and shows no personal data beyond uids.
func TestSummarySelfContained(t *testing.T) {
	t.Parallel()
	for name, page := range map[string]string{"check": string(writeSummary(t, testPeople())), "run": string(writeRunSummary(t))} {
		for _, bad := range []string{"<script", "src=", "href=", "url(", "@import", "@font-face", "<link", "<iframe", "<img", "<object", "<embed", "on" + "load="} {
			if strings.Contains(strings.ToLower(page), bad) {
				t.Errorf("summary.html (%s) contains %q", name, bad)
			}
		}
		for _, personal := range []string{"DUPONT", "Jean", "jean.dupont", "LÉVÊQUE", "Marie-Hélène", "BERNARD", "+33612345678",
			"19999900004", "751234567", "chu-exemple.fr", "HYPERLINK"} {
			if strings.Contains(page, personal) {
				t.Errorf("summary.html (%s) shows personal data %q", name, personal)
			}
		}
		for _, want := range []string{"Centre Hospitalier Exemple", "750000002", "<svg", "AUTH_MODE_UNKNOWN",
			`Habilitations en attente de signature</span><b data-count="pending">`} {
			if !strings.Contains(page, want) {
				t.Errorf("summary.html (%s) lacks %q", name, want)
			}
		}
		// Each inline SVG is well-formed XML.
		for rest := page; ; {
			i := strings.Index(rest, "<svg")
			if i < 0 {
				break
			}
			j := strings.Index(rest[i:], "</svg>")
			if j < 0 {
				t.Fatalf("unterminated <svg>")
			}
			svg := rest[i : i+j+len("</svg>")]
			d := xml.NewDecoder(strings.NewReader(svg))
			for {
				if _, err := d.Token(); err != nil {
					if !errors.Is(err, io.EOF) {
						t.Errorf("inline SVG is not well-formed: %v\n%s", err, svg)
					}
					break
				}
			}
			rest = rest[i+j:]
		}
	}
}
