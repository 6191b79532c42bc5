package provision

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/google/go-cmp/cmp"

	"github.com/dccprov/dccprov/templates"
)

// formsConfig is the embedded default configuration on 2026-01-15.
func formsConfig(t testing.TB) *Config {
	t.Helper()
	defs, err := DefaultHabilitations(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	return &Config{
		Habilitations: defs,
		Templates:     templates.FS,
		Date:          time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		Operator:      "testeur",
		Sender:        "Agence régionale de santé Exemple — pôle e-santé",
		ReturnAddress: "habilitations@esante-exemple.invalid",
	}
}

// request returns the catalogue request for code.
func catalogueRequest(t testing.TB, cfg *Config, code string) Request {
	t.Helper()
	for _, d := range cfg.Habilitations {
		if d.Code == code {
			return Request{Code: d.Code, Label: d.Label, Signature: d.Signature}
		}
	}
	t.Fatalf("no habilitation %s in the catalogue", code)
	return Request{}
}

var (
	formCHU        = Establishment{FINESS: "010000016", Name: "Centre hospitalier « Cœur de Loire »"}
	formClinique   = Establishment{FINESS: "010000024", Name: "Clinique du Lac — Saint-Étienne"}
	formMedecin    = Profession{Code: "10", Label: "Médecin", Health: true}
	formInfirmier  = Profession{Code: "60", Label: "Infirmier", Health: true}
	formSecretaire = Profession{Code: "SECR", Label: "Secrétaire médicale"}
)

// formSamplePeople is a synthetic list: accents everywhere, two
// establishments, a person on two rows, a rejected row, requests with and
// without signature.
func formSamplePeople(t testing.TB, cfg *Config) []Person {
	t.Helper()
	mk := func(row int, first, birth, email, rpps string, est Establishment, prof Profession, codes ...string) Person {
		p := uidPerson(row, first, birth, email, rpps)
		p.Establishment, p.Profession = est, prof
		for _, c := range codes {
			p.Habilitations = append(p.Habilitations, catalogueRequest(t, cfg, c))
		}
		return p
	}
	people := []Person{
		mk(2, "Hélène", "LÈVRE-ÇA", "helene.levre@chu-exemple.fr", "10000000011", formCHU, formMedecin, "CONSULTATION", "COORDONNATEUR_RCP", "ACCES_ETENDU"),
		mk(3, "Benoît", "D’ŒUVRE", "benoit.doeuvre@chu-exemple.fr", "10000000012", formCHU, formMedecin, "PARTICIPANT_RCP", "ADMIN_3C"),
		mk(4, "Françoise", "À-CÔTÉ", "francoise.acote@chu-exemple.fr", "", formCHU, formSecretaire, "SECRETAIRE_RCP", "ADMIN_ETABLISSEMENT"),
		mk(5, "Lætitia", "MARTIN", "laetitia.martin@clinique-lac.fr", "10000000013", formClinique, formMedecin, "ACCES_ETENDU"),
		mk(6, "Hélène", "LÈVRE-ÇA", "helene.levre@chu-exemple.fr", "10000000011", formClinique, formMedecin, "ADMIN_3C"),
		mk(7, "Jérôme", "NOËL", "jerome.noel@clinique-lac.fr", "", formClinique, formInfirmier, "CONSULTATION"),
		mk(8, "Zoé", "REJETÉE", "zoe@clinique-lac.fr", "", formClinique, formMedecin, "ADMIN_3C"),
	}
	people[1].Specialty = &Coded{Code: "SM54", Label: "Oncologie médicale"}
	people[6].Status = StatusRejected
	AssignUIDs(people, nil)
	return people
}

func TestPlanFormsGolden(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	people := formSamplePeople(t, cfg)
	forms := PlanForms(people, nil, cfg)
	if len(forms) != 2 {
		t.Fatalf("PlanForms(sample) gave %d forms; want 2 (one per establishment)", len(forms))
	}
	var names []string
	for _, f := range forms {
		data, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, '\n')
		names = append(names, f.Ref+".model.json")
		checkFormGolden(t, filepath.Join("testdata", "forms", "sample", f.Ref+".model.json"), data)
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "forms", "sample"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".model.json") {
			continue
		}
		if !slices.Contains(names, e.Name()) {
			t.Errorf("testdata/forms/sample/%s: no such form any more (run go test ./provision -update and remove it)", e.Name())
		}
	}

	// Statuses set on people.
	type st struct {
		Row          int
		Code, Status string
		OnForm       bool
	}
	var got []st
	for _, p := range people {
		for _, r := range p.Habilitations {
			got = append(got, st{p.Row, r.Code, r.Status, r.Form != ""})
		}
	}
	want := []st{
		{2, "CONSULTATION", RequestActive, false},
		{2, "COORDONNATEUR_RCP", RequestPendingSignature, true},
		{2, "ACCES_ETENDU", RequestPendingSignature, true},
		{3, "PARTICIPANT_RCP", RequestActive, false},
		{3, "ADMIN_3C", RequestPendingSignature, true},
		{4, "SECRETAIRE_RCP", RequestActive, false},
		{4, "ADMIN_ETABLISSEMENT", RequestPendingSignature, true},
		{5, "ACCES_ETENDU", RequestPendingSignature, true},
		{6, "ADMIN_3C", RequestPendingSignature, true},
		{7, "CONSULTATION", RequestActive, false},
		{8, "ADMIN_3C", "", false}, // rejected row: untouched
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PlanForms(sample): request statuses (-want +got):\n%s", diff)
	}
}

// checkFormGolden compares got with the golden file, or rewrites it under -update.
func checkFormGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./provision -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		art := filepath.Join(t.ArtifactDir(), filepath.Base(path))
		_ = os.WriteFile(art, got, 0o644)
		if strings.HasSuffix(path, ".pdf") {
			t.Errorf("%s differs (%d bytes, want %d); actual in %s; run go test ./provision -update if the change is intended", path, len(got), len(want), art)
			return
		}
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

var formRefPattern = regexp.MustCompile(`^F-([0-9A-Z]{9}|SANSFINESS)-[0-9]{8}-[0-9a-f]{6}(-[0-9]+)?$`)

func TestPlanFormsRefs(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	people := formSamplePeople(t, cfg)
	forms := PlanForms(people, nil, cfg)
	for _, f := range forms {
		if !formRefPattern.MatchString(f.Ref) {
			t.Errorf("PlanForms: Ref %q does not match %s", f.Ref, formRefPattern)
		}
		if want := "F-" + f.Establishment.FINESS + "-20260115-" + f.Digest[:6]; f.Ref != want {
			t.Errorf("PlanForms: Ref = %q; want %q", f.Ref, want)
		}
	}
	// Deterministic: the same input gives the same forms.
	again := PlanForms(formSamplePeople(t, cfg), nil, cfg)
	if diff := cmp.Diff(forms, again); diff != "" {
		t.Errorf("PlanForms twice differs (-first +second):\n%s", diff)
	}
	// A reference already issued is never reused.
	taken := &State{Refs: map[string]bool{forms[0].Ref: true, forms[0].Ref + "-2": true}}
	bumped := PlanForms(formSamplePeople(t, cfg), taken, cfg)
	if want := forms[0].Ref + "-3"; bumped[0].Ref != want {
		t.Errorf("PlanForms with %s taken: Ref = %q; want %q", forms[0].Ref, bumped[0].Ref, want)
	}
	// Another content the same day gives another reference.
	people2 := formSamplePeople(t, cfg)
	people2[0].Habilitations = people2[0].Habilitations[:2]
	other := PlanForms(people2, nil, cfg)
	if other[0].Ref == forms[0].Ref || other[0].Digest == forms[0].Digest {
		t.Errorf("PlanForms with one request less: Ref %q, digest %q; want both to differ from %q, %q", other[0].Ref, other[0].Digest, forms[0].Ref, forms[0].Digest)
	}
}

func TestPlanFormsState(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	people := formSamplePeople(t, cfg)
	hel := people[0].Key()
	st := &State{Requests: map[RequestKey]RequestState{
		{hel, formCHU.FINESS, "COORDONNATEUR_RCP"}:               {Status: RequestActive, Form: "F-OLD-SIGNED"},
		{hel, formCHU.FINESS, "ACCES_ETENDU"}:                    {Status: RequestPendingSignature, Form: "F-OLD-PENDING"},
		{people[2].Key(), formCHU.FINESS, "ADMIN_ETABLISSEMENT"}: {Status: RequestRejected, Form: "F-OLD-REJECTED"},
		{people[1].Key(), formCHU.FINESS, "ADMIN_3C"}:            {Status: RequestPendingSignature, Form: "F-OLD-PENDING"},
		{hel, formClinique.FINESS, "ADMIN_3C"}:                   {Status: RequestActive, Form: ""}, // once without signature: ask now
	}}
	forms := PlanForms(people, st, cfg)
	if len(forms) != 1 || forms[0].Establishment.FINESS != formClinique.FINESS {
		t.Fatalf("PlanForms with state: %d forms; want one for %s", len(forms), formClinique.FINESS)
	}
	if forms[0].Requests != 2 {
		t.Errorf("PlanForms with state: form lists %d requests; want 2", forms[0].Requests)
	}
	check := func(p Person, code, status, form string) {
		t.Helper()
		for _, r := range p.Habilitations {
			if r.Code == code {
				if r.Status != status || r.Form != form {
					t.Errorf("PlanForms with state: row %d %s = %s, %q; want %s, %q", p.Row, code, r.Status, r.Form, status, form)
				}
				return
			}
		}
		t.Errorf("row %d has no %s", p.Row, code)
	}
	check(people[0], "COORDONNATEUR_RCP", RequestActive, "F-OLD-SIGNED")
	check(people[0], "ACCES_ETENDU", RequestPendingSignature, "F-OLD-PENDING")
	check(people[2], "ADMIN_ETABLISSEMENT", RequestRejected, "F-OLD-REJECTED")
	check(people[4], "ADMIN_3C", RequestPendingSignature, forms[0].Ref)
}

func TestLoadHabilitationsUnknownKey(t *testing.T) {
	t.Parallel()
	bad := []byte("- code: X\n  label: Y\n  holders: [anyone]\n  signature: true\n  signatur: false\n")
	if _, err := LoadHabilitations(bad); err == nil || !strings.Contains(err.Error(), "signatur") {
		t.Errorf("LoadHabilitations(unknown key signatur) = %v; want an error naming it", err)
	}
}

func TestLoadFormText(t *testing.T) {
	t.Parallel()
	txt, err := LoadFormText(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.Authorisation, "{etablissement}") || txt.Signature.Stamp == "" || !strings.Contains(txt.Page, "{pages}") {
		t.Errorf("LoadFormText: incomplete text %+v", txt)
	}
}

// renderFormPDF renders f with cfg and returns the bytes.
func renderFormPDF(t testing.TB, f Form, cfg *Config) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteFormPDF(&b, f, cfg); err != nil {
		t.Fatalf("WriteFormPDF(%s) = %v", f.Ref, err)
	}
	return b.Bytes()
}

func TestWriteFormPDFGolden(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	forms := PlanForms(formSamplePeople(t, cfg), nil, cfg)
	a := renderFormPDF(t, forms[0], cfg)
	b := renderFormPDF(t, forms[0], cfg)
	if !bytes.Equal(a, b) {
		t.Errorf("WriteFormPDF twice gave different bytes (%d and %d)", len(a), len(b))
	}
	checkFormGolden(t, filepath.Join("testdata", "forms", "sample.pdf"), a)

	// The form's date, not the run's, dates the PDF (printed and in the
	// metadata): a later run prints a pending form again byte for byte.
	cfg2 := *cfg
	cfg2.Date = cfg.Date.AddDate(0, 1, 0)
	if c := renderFormPDF(t, forms[0], &cfg2); !bytes.Equal(a, c) {
		t.Errorf("WriteFormPDF on a later run date gave other bytes; want the form's first print")
	}
	later := forms[0]
	later.Date = "2026-01-16"
	if c := renderFormPDF(t, later, cfg); bytes.Equal(a, c) {
		t.Errorf("WriteFormPDF of a form with another date gave the same bytes")
	}
}

// pdfPageTexts writes data to a file and returns the text of each page, as
// pdftotext extracts it, after checking the file with qpdf.
func pdfPageTexts(t testing.TB, data []byte) []string {
	t.Helper()
	pdftotext, qpdf := needTool(t, "pdftotext"), needTool(t, "qpdf")
	path := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

func TestWriteFormPDFText(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	forms := PlanForms(formSamplePeople(t, cfg), nil, cfg)
	for _, f := range forms {
		pages := pdfPageTexts(t, renderFormPDF(t, f, cfg))
		// Table cells wrap: compare with every run of collapseSpaces made one.
		text := collapseSpaces(strings.Join(pages, "\n"))
		for _, l := range f.Lines {
			for _, s := range []string{l.BirthName, l.FirstName, l.Profession, l.NationalID} {
				if !strings.Contains(text, s) {
					t.Errorf("form %s: pdftotext has no %q", f.Ref, s)
				}
			}
			for _, h := range l.Habilitations {
				if !strings.Contains(text, h.Label) {
					t.Errorf("form %s: pdftotext has no habilitation %q", f.Ref, h.Label)
				}
			}
		}
		for _, s := range []string{f.Establishment.FINESS, f.Digest, "Je soussigné(e)", "Cachet de l’établissement", "Nom et qualité du signataire", "15/01/2026", "« Dossier communicant de cancérologie »",
			"Refusé", "N°", "Les demandes dont la case « refusé » n’est pas cochée sont accordées",
			"Émetteur : " + cfg.Sender, "Formulaire signé à renvoyer à : " + cfg.ReturnAddress,
			"Ce que permettent les habilitations demandées"} {
			if !strings.Contains(text, s) {
				t.Errorf("form %s: pdftotext has no %q", f.Ref, s)
			}
		}
		// Every habilitation on the form says what it grants.
		if len(f.Grants) == 0 {
			t.Errorf("form %s: no grants in the model", f.Ref)
		}
		for _, g := range f.Grants {
			if !strings.Contains(text, collapseSpaces(g.Label+" : "+g.Description)) {
				t.Errorf("form %s: pdftotext has no %q with its description", f.Ref, g.Label)
			}
		}
		// Each request line has its number, in the table's first column.
		for _, q := range f.RequestLines() {
			if !regexp.MustCompile(`(?m)^` + fmt.Sprint(q.Line) + `$`).MatchString(strings.Join(pages, "\n")) {
				t.Errorf("form %s: pdftotext has no line number %d", f.Ref, q.Line)
			}
		}
		for i, p := range pages {
			if !strings.Contains(p, f.Ref) {
				t.Errorf("form %s: page %d has no reference", f.Ref, i+1)
			}
			if want := fmt.Sprintf("page %d/%d", i+1, len(pages)); !strings.Contains(p, want) {
				t.Errorf("form %s: page %d has no %q", f.Ref, i+1, want)
			}
			if !strings.Contains(collapseSpaces(p), "Formulaire signé à renvoyer à : "+cfg.ReturnAddress) {
				t.Errorf("form %s: page %d has no return address", f.Ref, i+1)
			}
		}
	}
	// Every French character survives, in names and text.
	var all strings.Builder
	for _, f := range forms {
		all.WriteString(strings.Join(pdfPageTexts(t, renderFormPDF(t, f, cfg)), ""))
	}
	for _, c := range []string{"é", "è", "à", "ç", "œ", "Œ", "æ", "«", "»", "’", "Ô", "î", "È", "Ç", "À"} {
		if !strings.Contains(all.String(), c) {
			t.Errorf("forms: pdftotext lost %q", c)
		}
	}
}

// collapseSpaces makes every run of white space (including U+00A0 and U+202F, that
// pdftotext gives as plain collapseSpaces) one plain space.
func collapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestFormFontGlyphs checks that the embedded font has a glyph for every
// French character, including the narrow no-break space pdftotext cannot
// show: a missing glyph would have no width.
func TestFormFontGlyphs(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	regular, err := fs.ReadFile(cfg.Templates, fontRegular)
	if err != nil {
		t.Fatal(err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontFamily, "", regular)
	pdf.SetFont(fontFamily, "", 10)
	for _, c := range "éèàçœŒæÆ«»’\u202f\u00a0êëîïôûüùÿÉÈÊÀÇÔÎ—€" {
		if w := pdf.GetStringWidth(string(c)); w <= 0 {
			t.Errorf("font %s: GetStringWidth(%q) = %v; want > 0 (no glyph)", fontRegular, c, w)
		}
	}
}

func TestWriteFormPDFMultiPage(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	var people []Person
	for i := range 60 {
		p := uidPerson(i+2, fmt.Sprintf("Prénom%02d", i), fmt.Sprintf("NOM-ÉLÈVE%02d", i), fmt.Sprintf("p%02d@chu-exemple.fr", i), fmt.Sprintf("100000001%02d", i))
		p.Establishment, p.Profession = formCHU, formMedecin
		p.Habilitations = []Request{catalogueRequest(t, cfg, "COORDONNATEUR_RCP"), catalogueRequest(t, cfg, "ACCES_ETENDU")}
		people = append(people, p)
	}
	AssignUIDs(people, nil)
	forms := PlanForms(people, nil, cfg)
	if len(forms) != 1 || forms[0].Requests != 120 {
		t.Fatalf("PlanForms(60 people) = %d forms; want one with 120 requests", len(forms))
	}
	f := forms[0]
	pages := pdfPageTexts(t, renderFormPDF(t, f, cfg))
	if len(pages) < 3 {
		t.Fatalf("form of 60 people has %d pages; want at least 3", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, f.Ref) {
			t.Errorf("page %d has no reference %s", i+1, f.Ref)
		}
		if want := fmt.Sprintf("page %d/%d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d has no %q", i+1, want)
		}
		if i > 0 && strings.Contains(p, "NOM-ÉLÈVE") && !strings.Contains(p, "RPPS/ADELI") {
			t.Errorf("page %d continues the table without its header", i+1)
		}
	}
	text := collapseSpaces(strings.Join(pages, "\n"))
	for _, p := range people {
		if !strings.Contains(text, p.BirthName) {
			t.Errorf("form of 60 people: no %s", p.BirthName)
		}
	}
	if !strings.Contains(pages[len(pages)-1], "Cachet de") {
		t.Errorf("last page has no signature block")
	}
}

// testLogo is a small synthetic logo: a 40×20 gradient.
func testLogo() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			img.Set(x, y, color.RGBA{0, uint8(6 * x), 120, 255})
		}
	}
	return img
}

// writeTestLogo writes [testLogo] as dir/FINESS.png.
func writeTestLogo(tb testing.TB, dir, finess string) {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testLogo()); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, finess+".png"), b.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

func TestWriteFormPDFLogo(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	forms := PlanForms(formSamplePeople(t, cfg), nil, cfg)
	f := forms[0]
	plain := renderFormPDF(t, f, cfg)

	dir := t.TempDir()
	img := testLogo()
	writeTestLogo(t, dir, f.Establishment.FINESS)
	cfg.LogosDir = dir
	withLogo := renderFormPDF(t, f, cfg)
	if bytes.Equal(plain, withLogo) {
		t.Fatalf("WriteFormPDF with a logo gave the same bytes as without")
	}
	if !bytes.Contains(withLogo, []byte("/Subtype /Image")) {
		t.Errorf("WriteFormPDF with a logo: no image in the PDF")
	}
	pdfPageTexts(t, withLogo) // qpdf --check

	// A broken logo is an error naming nothing personal.
	if err := os.WriteFile(filepath.Join(dir, f.Establishment.FINESS+".png"), []byte("not a png"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFormPDF(&bytes.Buffer{}, f, cfg); err == nil || !strings.Contains(err.Error(), "logo "+f.Establishment.FINESS+".png") {
		t.Errorf("WriteFormPDF with a broken logo = %v; want an error naming %s.png", err, f.Establishment.FINESS)
	}
	// A JPEG logo works too.
	if err := os.Remove(filepath.Join(dir, f.Establishment.FINESS+".png")); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, f.Establishment.FINESS+".jpg"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := renderFormPDF(t, f, cfg); !bytes.Contains(got, []byte("/DCTDecode")) {
		t.Errorf("WriteFormPDF with a JPEG logo: no JPEG image in the PDF")
	}
	// A missing logos folder is no logo.
	cfg.LogosDir = filepath.Join(dir, "none")
	if got := renderFormPDF(t, f, cfg); !bytes.Equal(got, plain) {
		t.Errorf("WriteFormPDF with a missing logos folder differs from no logo")
	}
}

func TestPlanFormsNoFINESS(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	p := uidPerson(2, "Jean", "DUPONT", "jean.dupont@exemple.fr", "")
	p.Establishment, p.Profession = Establishment{Name: "Maison de santé Exemple"}, formMedecin
	p.Habilitations = []Request{catalogueRequest(t, cfg, "ADMIN_3C")}
	people := []Person{p}
	AssignUIDs(people, nil)
	forms := PlanForms(people, nil, cfg)
	if len(forms) != 1 || !strings.HasPrefix(forms[0].Ref, "F-SANSFINESS-20260115-") || !formRefPattern.MatchString(forms[0].Ref) {
		t.Fatalf("PlanForms(no FINESS) = %v; want one form F-SANSFINESS-20260115-…", forms)
	}
	if people[0].Habilitations[0].Form != forms[0].Ref {
		t.Errorf("PlanForms(no FINESS): request form %q; want %q", people[0].Habilitations[0].Form, forms[0].Ref)
	}
	pdfPageTexts(t, renderFormPDF(t, forms[0], cfg))
}

// TestFormHeaderLongNames checks that the establishment's name never runs
// into the reference: the name gets the width the reference leaves, at
// most three lines above the rule, cut with "…" beyond.
func TestFormHeaderLongNames(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	long := string([]rune(strings.Repeat("Groupement hospitalier de territoire Exemple-Nord — ", 6))[:290])
	for _, name := range []string{"Centre hospitalier universitaire de Saint-Étienne", long} {
		p := uidPerson(2, "Jean", "DUPONT", "jean.dupont@exemple.fr", "10000000001")
		p.Establishment, p.Profession = Establishment{FINESS: "420784878", Name: name}, formMedecin
		p.Habilitations = []Request{catalogueRequest(t, cfg, "ADMIN_3C")}
		people := []Person{p}
		AssignUIDs(people, nil)
		forms := PlanForms(people, &State{Refs: map[string]bool{}}, cfg)
		f := forms[0]
		f.Ref += "-12" // the longest references there are

		txt, err := LoadFormText(cfg.Templates)
		if err != nil {
			t.Fatal(err)
		}
		pdf := fpdf.New("P", "mm", "A4", "")
		regular, _ := fs.ReadFile(cfg.Templates, fontRegular)
		bold, _ := fs.ReadFile(cfg.Templates, fontBold)
		pdf.AddUTF8FontFromBytes(fontFamily, "", regular)
		pdf.AddUTF8FontFromBytes(fontFamily, "B", bold)
		r := &formRenderer{f: f, t: txt}
		headW := headerTextW(210 - 2*pageMargin) // left of the QR code
		ref, refW, lines := r.headerLayout(pdf, headW)
		pdf.SetFont(fontFamily, "B", headerRefFont)
		if w := pdf.GetStringWidth(ref); w > refW {
			t.Errorf("header of %d-char name: reference %.1f mm wide in %.1f mm", len([]rune(name)), w, refW)
		}
		pdf.SetFont(fontFamily, "B", 12)
		for _, l := range lines {
			if w := pdf.GetStringWidth(l); w > headW-refW-headerGap {
				t.Errorf("header of %d-char name: line %q is %.1f mm wide, over the %.1f mm left of the reference", len([]rune(name)), l, w, headW-refW-headerGap)
			}
		}
		if len(lines) > headerNameLines || headerTop+float64(len(lines))*headerNameLine > headerBottom-4 {
			t.Errorf("header of %d-char name: %d lines run below the rule", len([]rune(name)), len(lines))
		}
		joined := strings.Join(lines, " ")
		if name == long {
			if !strings.HasSuffix(joined, "…") {
				t.Errorf("header of a 290-char name: %q; want it cut with …", joined)
			}
		} else if joined != name {
			t.Errorf("header of %q: %q; want the whole name", name, joined)
		}

		data := renderFormPDF(t, f, cfg)
		_ = os.WriteFile(filepath.Join(t.ArtifactDir(), fmt.Sprintf("header-%d.pdf", len([]rune(name)))), data, 0o644)
		for i, page := range pdfPageTexts(t, data) {
			if !strings.Contains(collapseSpaces(page), "Référence : "+f.Ref) {
				t.Errorf("form of a %d-char name: page %d has no intact %q", len([]rune(name)), i+1, "Référence : "+f.Ref)
			}
		}
	}
}

func TestFormCodeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []FormCode{
		{Ref: "F-010000016-20260115-75df95", Page: 1, Pages: 2, Digest: "75df95be4a41"},
		{Ref: "F-SANSFINESS-20260115-0a0b0c-12", Page: 12, Pages: 12, Digest: "0a0b0c0d0e0f"},
	} {
		got, err := ParseFormCode(c.String())
		if err != nil || got != c {
			t.Errorf("ParseFormCode(%q) = %+v, %v; want %+v", c.String(), got, err, c)
		}
	}
	for _, s := range []string{
		"", "DCCPROV1", "DCCPROV2:F-010000016-20260115-75df95:1/2:75df95be4a41",
		"DCCPROV1:F-010000016-20260115-75df95:0/2:75df95be4a41",
		"DCCPROV1:F-010000016-20260115-75df95:3/2:75df95be4a41",
		"DCCPROV1:F-010000016-20260115-75df95:01/2:75df95be4a41",
		"DCCPROV1:F-010000016-20260115-75df95:1/2:75DF95BE4A41",
		"DCCPROV1:F-010000016-20260115-75df95:1/2:75df95",
		"DCCPROV1:../etc/passwd:1/2:75df95be4a41",
		"DCCPROV1:F-010000016-20260115-75df95:1/2:75df95be4a41:x",
		"https://example.invalid/",
	} {
		if c, err := ParseFormCode(s); !errors.Is(err, ErrNotFormCode) {
			t.Errorf("ParseFormCode(%q) = %+v, %v; want ErrNotFormCode", s, c, err)
		}
	}
}

func FuzzFormCode(f *testing.F) {
	f.Add("DCCPROV1:F-010000016-20260115-75df95:1/2:75df95be4a41")
	f.Add("DCCPROV1:F-X-20260115-75df95-2:9999/9999:000000000000")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseFormCode(s)
		if err != nil {
			return
		}
		if c.String() != s {
			t.Errorf("ParseFormCode(%q).String() = %q; want the input (canonical only)", s, c.String())
		}
	})
}

func TestParseFormText(t *testing.T) {
	t.Parallel()
	base, err := LoadFormText(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseFormText([]byte("title: Autre titre\nsignature:\n  stamp: Tampon\n"), base)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Autre titre" || got.Signature.Stamp != "Tampon" || got.Signature.Signer != base.Signature.Signer || got.Authorisation != base.Authorisation {
		t.Errorf("ParseFormText(title, stamp) = %+v; want those two replaced, the rest kept", got)
	}
	if base.Title == "Autre titre" {
		t.Errorf("ParseFormText wrote into its base")
	}
	for in, want := range map[string]string{
		"titel: X\n":              "titel",
		"signature:\n  stmp: X\n": "stmp",
		"title: \"\"\n":           "title is empty",
		"title: A\n---\ntitle: B": "more than one YAML document",
	} {
		if _, err := ParseFormText([]byte(in), base); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFormText(%q) = %v; want an error with %q", in, err, want)
		}
	}
	// Without a base, every text must be given.
	if _, err := ParseFormText([]byte("title: X\n"), nil); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("ParseFormText(title only, no base) = %v; want an error naming an empty text", err)
	}
}

// TestWriteFormPDFFormText checks that a config's form text is what is
// printed.
func TestWriteFormPDFFormText(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	base, err := LoadFormText(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.FormText, err = ParseFormText([]byte("title: Habilitations à valider pour {etablissement}\nsignature:\n  granted: Toute ligne non cochée est accordée.\n"), base); err != nil {
		t.Fatal(err)
	}
	f := PlanForms(formSamplePeople(t, cfg), nil, cfg)[0]
	text := collapseSpaces(strings.Join(pdfPageTexts(t, renderFormPDF(t, f, cfg)), "\n"))
	for _, s := range []string{"Habilitations à valider pour " + f.Establishment.Name, "Toute ligne non cochée est accordée.", "Je soussigné(e)"} {
		if !strings.Contains(text, s) {
			t.Errorf("form with a config text: pdftotext has no %q", s)
		}
	}
}

func TestLoadHabilitationsDescription(t *testing.T) {
	t.Parallel()
	defs, err := DefaultHabilitations(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range defs {
		if d.Description == "" || !strings.HasSuffix(d.Description, ".") {
			t.Errorf("embedded habilitation %s: description %q; want a French sentence", d.Code, d.Description)
		}
	}
	bad := []byte("- code: X\n  label: Y\n  holders: [anyone]\n  signature: true\n  descripton: Z\n")
	if _, err := LoadHabilitations(bad); err == nil || !strings.Contains(err.Error(), "descripton") {
		t.Errorf("LoadHabilitations(unknown key descripton) = %v; want an error naming it", err)
	}
}

// TestWriteFormPDFRaster checks that a form rasterises as a 150 dpi
// greyscale scan would see it, every page.
func TestWriteFormPDFRaster(t *testing.T) {
	t.Parallel()
	pdftoppm := needTool(t, "pdftoppm")
	cfg := formsConfig(t)
	f := PlanForms(formSamplePeople(t, cfg), nil, cfg)[0]
	dir := t.TempDir()
	path := filepath.Join(dir, "form.pdf")
	if err := os.WriteFile(path, renderFormPDF(t, f, cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftoppm, "-r", "150", "-gray", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm -r 150 -gray: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.pgm"))
	if len(pages) != len(pdfPageTexts(t, renderFormPDF(t, f, cfg))) || len(pages) == 0 {
		t.Errorf("pdftoppm gave %d pages", len(pages))
	}
}

// TestPlanFormsRequestRefs checks that every request put on a form carries
// that form's reference, including a request listed on two rows (on the
// form once, named by both rows), and that no other request carries one.
func TestPlanFormsRequestRefs(t *testing.T) {
	t.Parallel()
	cfg := formsConfig(t)
	people := formSamplePeople(t, cfg)
	dup := people[0] // row 2 again: the same requests, on a later row
	dup.Row = 9
	dup.Habilitations = slices.Clone(dup.Habilitations)
	people = append(people, dup)
	forms := PlanForms(people, nil, cfg)
	refOf := map[string]string{}
	for _, f := range forms {
		refOf[f.Establishment.Key()] = f.Ref
	}
	onForm := 0
	for _, p := range people {
		for _, r := range p.Habilitations {
			want := ""
			if r.Status == RequestPendingSignature {
				want = refOf[p.Establishment.Key()]
				onForm++
			}
			if r.Form != want {
				t.Errorf("row %d %s (%s): Form %q, want %q", p.Row, r.Code, r.Status, r.Form, want)
			}
		}
	}
	if onForm != 8 {
		t.Errorf("%d requests pending signature, want 8 (6 of the sample, 2 of the repeated row)", onForm)
	}
	requests := 0
	for _, f := range forms {
		requests += f.Requests
	}
	if requests != 6 {
		t.Errorf("the forms list %d requests, want 6: a request on two rows is listed once", requests)
	}
}

// BenchmarkPlanForms plans the forms of 100 000 people spread over 1 000
// establishments, each asking for one habilitation that needs a signature:
// a national list. Its cost must follow the requests, not the requests
// times the establishments.
func BenchmarkPlanForms(b *testing.B) {
	cfg := formsConfig(b)
	people := make([]Person, 100_000)
	for i := range people {
		p := uidPerson(2+i, "Prénom", fmt.Sprintf("NOM%d", i), fmt.Sprintf("p%d@chu-exemple.fr", i), "")
		p.Establishment = Establishment{FINESS: fmt.Sprintf("E%08d", i%1000), Name: "Établissement"}
		p.Profession = formMedecin
		p.Habilitations = []Request{catalogueRequest(b, cfg, "ADMIN_3C")}
		people[i] = p
	}
	AssignUIDs(people, nil)
	for b.Loop() {
		PlanForms(people, nil, cfg)
	}
}

// BenchmarkWriteFormPDF renders the first sample form (a few lines, one
// page): a run writes one per establishment with requests to sign, so a
// national list's forms cost this times the establishments.
func BenchmarkWriteFormPDF(b *testing.B) {
	cfg := formsConfig(b)
	f := PlanForms(formSamplePeople(b, cfg), nil, cfg)[0]
	for b.Loop() {
		if err := WriteFormPDF(io.Discard, f, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
