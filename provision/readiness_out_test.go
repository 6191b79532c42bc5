package provision

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readinessList is a small list with two establishments, for the
// readiness outputs.
const readinessList = "testdata/readiness/two-establishments.csv"

// TestReadinessCountsThroughStream checks the counters the stream keeps
// per establishment, and the logo lookup.
func TestReadinessCountsThroughStream(t *testing.T) {
	t.Parallel()
	logos := t.TempDir()
	if err := os.WriteFile(filepath.Join(logos, "920300555.png"), []byte("not read here"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.LogosDir = logos
	sum, err := CheckFile(t.Context(), readinessList, cfg, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Close()
	got := map[string]ReadinessCounts{}
	for _, r := range sum.Establishments {
		got[r.FINESS] = r.Counts
	}
	for _, tc := range []struct {
		finess string
		want   ReadinessCounts
	}{
		{"440000172", ReadinessCounts{ByMode: map[string]int{"SMS": 2, "Mail": 1}, SMSUsers: 2, SMSNoMobile: 1,
			MailUsers: 1, MailGenericOrPersonal: 1, Pending: []PendingForm{}}},
		{"920300555", ReadinessCounts{ByMode: map[string]int{"Mail": 1, "CPE": 1}, CardUsers: 1, MailUsers: 1,
			Pending: []PendingForm{}, Logo: true}},
	} {
		if d := cmp.Diff(tc.want, got[tc.finess]); d != "" {
			t.Errorf("counts of %s (-want +got):\n%s", tc.finess, d)
		}
	}
	if len(sum.Establishments) != 2 || sum.Establishments[0].FINESS != "440000172" {
		t.Errorf("establishments %v, want 440000172 then 920300555", sum.Establishments)
	}
	// Without its people checked again (no report), nothing is evaluated.
	quick, err := CheckFile(t.Context(), readinessList, cfg, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer quick.Close()
	if quick.Establishments != nil {
		t.Errorf("CheckFile without report evaluated %d establishments", len(quick.Establishments))
	}
}

// TestReadinessRunGolden runs the two-establishment list and compares the
// report's establishments[] and the text of each readiness PDF with
// testdata/golden/readiness/.
func TestReadinessRunGolden(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	b := runBatch(t, readinessList, dir)
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Establishments json.RawMessage `json:"establishments"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	var section bytes.Buffer
	if err := json.Indent(&section, rep.Establishments, "", "  "); err != nil {
		t.Fatal(err)
	}
	section.WriteString("\n")
	checkGolden(t, "readiness/establishments.json", section.Bytes())
	if len(b.Establishments) != 2 {
		t.Fatalf("run evaluated %d establishments, want 2", len(b.Establishments))
	}
	for _, r := range b.Establishments {
		path := filepath.Join(dir, readinessFile(r))
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", path, fi.Mode().Perm())
		}
		di, err := os.Stat(filepath.Dir(path))
		if err != nil {
			t.Fatal(err)
		}
		if di.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", filepath.Dir(path), di.Mode().Perm())
		}
		pdf, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		for _, p := range pdfPageTexts(t, pdf) {
			text.WriteString(p)
			text.WriteString("\f")
		}
		checkGolden(t, "readiness/"+r.FINESS+".txt", text.Bytes())
	}
}

// TestWriteReadinessPDFLogo checks the readiness sheet shows the
// establishment's logo, as the forms do, and says it is present.
func TestWriteReadinessPDFLogo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTestLogo(t, dir, "920300555")
	cfg := testConfig(t)
	cfg.LogosDir = dir
	r := EvaluateReadiness(Checklist{FINESS: "920300555", Name: "Clinique Exemple"}, ReadinessCounts{Logo: true})
	var pdf bytes.Buffer
	if err := WriteReadinessPDF(&pdf, r, cfg); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pdf.Bytes(), []byte("/Subtype /Image")) {
		t.Errorf("WriteReadinessPDF with a logo: no image in the PDF")
	}
	text := strings.Join(pdfPageTexts(t, pdf.Bytes()), "\f")
	for _, want := range []string{"Préparation au déploiement", "Clinique Exemple", "FINESS 920300555", "Logo : présent"} {
		if !strings.Contains(text, want) {
			t.Errorf("readiness PDF lacks %q:\n%s", want, text)
		}
	}
}
