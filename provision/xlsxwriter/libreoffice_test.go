package xlsxwriter

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLibreOffice converts a workbook with LibreOffice and reads its
// output back: the values and comments survive. It needs soffice
// (Debian: libreoffice-calc-nogui); without it the test is skipped, except
// under CI=true, where it fails.
func TestLibreOffice(t *testing.T) {
	t.Parallel()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("soffice not found: install libreoffice-calc-nogui")
		}
		t.Skip("soffice not found: install libreoffice-calc-nogui to run this test")
	}
	data := mustWrite(t, Options{Creator: "dccprov", Created: testDate, CommentWidth: 320, CommentHeight: 140}, correctionsLike)
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "book.xlsx")
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(filepath.Dir(in), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "xlsx", "--outdir", out, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	converted, err := os.ReadFile(filepath.Join(out, "book.xlsx"))
	if err != nil {
		t.Fatalf("reading LibreOffice's output: %v", err)
	}
	f := mustOpen(t, converted)

	if got, want := f.GetSheetList(), []string{"Liste", "Problèmes", "Synthèse"}; !cmp.Equal(got, want) {
		t.Errorf("GetSheetList() = %q; want %q", got, want)
	}
	values := []struct{ sheet, cell, want string }{
		{"Liste", "A1", "Nom"},
		{"Liste", "B2", "durand@"},
		{"Liste", "D2", "À corriger"},
		{"Liste", "B3", "martin@example.org"},
		{"Problèmes", "A2", "2"},
		{"Problèmes", "C3", "numéro"},
		{"Synthèse", "B2", "0.125"},
	}
	for _, tt := range values {
		if got, err := f.GetCellValue(tt.sheet, tt.cell); err != nil || got != tt.want {
			t.Errorf("GetCellValue(%q, %q) = %q, %v; want %q", tt.sheet, tt.cell, got, err, tt.want)
		}
	}
	cs, err := f.GetComments("Liste")
	if err != nil {
		t.Fatalf("GetComments: %v", err)
	}
	// LibreOffice (7.4) writes the comments by column and drops their
	// authors, as it does with excelize's workbooks.
	type comment struct{ Cell, Text string }
	var got []comment
	for _, c := range cs {
		got = append(got, comment{c.Cell, commentText(c)})
	}
	slices.SortFunc(got, func(a, b comment) int { return strings.Compare(a.Cell, b.Cell) })
	want := []comment{
		{"A5", "on an empty row"},
		{"B2", "Erreur (EMAIL_INVALID) : adresse invalide"},
		{"D3", "Avertissement (PHONE) : numéro\nSuggestion : 0612345678"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comments after LibreOffice (-want +got):\n%s", diff)
	}
	// LibreOffice writes no theme, without which excelize reports no
	// colour: look for the fill in the styles.
	if styles := zipPart(t, converted, "xl/styles.xml"); !strings.Contains(styles, `<fgColor rgb="FFFFC7CE"/>`) {
		t.Errorf("LibreOffice's styles lack the fill FFC7CE:\n%s", styles)
	}
}
