package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/pades/padestest"
	"github.com/dccprov/dccprov/provision/pdfconf"
	"github.com/dccprov/dccprov/provision/scan/scantest"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"
)

// update rewrites golden files and testscript expectations: go test ./cmd/dccprov -update.
var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	if os.Getenv("DCCPROV_IN_SCRIPT") == "" {
		// No test may use the user's own store: the per-user default is
		// a folder that cannot be made (a test that forgets --store fails
		// there). The scripts get one in their $WORK instead.
		os.Setenv("XDG_DATA_HOME", "/dev/null/dccprov-tests-have-no-user-store")
		os.Setenv("HOME", "/dev/null/dccprov-tests-have-no-home")
		os.Unsetenv("DCCPROV_STORE")
	}
	testscript.Main(m, map[string]func(){
		// xlsxcells FILE SHEET: every non-empty cell of a sheet as
		// "A1: text", then every comment as "comment A1: text" (new lines
		// as " / "), so scripts can grep a workbook dccprov wrote.
		"xlsxcells": func() {
			if err := xlsxCells(os.Stdout, os.Args[1], os.Args[2]); err != nil {
				fmt.Fprintln(os.Stderr, "xlsxcells:", err)
				os.Exit(1)
			}
			os.Exit(0)
		},
		// tabxlsx OUT.xlsx SHEET=FILE.tsv…: a workbook with one sheet per
		// argument, its cells the tab-separated lines of FILE (all text),
		// for lists that carry an « Établissements » sheet.
		"tabxlsx": func() {
			if err := tabXLSX(os.Args[1], os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "tabxlsx:", err)
				os.Exit(1)
			}
			os.Exit(0)
		},
		// pngfile OUT: a small PNG, for an establishment's logo.
		"pngfile": func() {
			img := image.NewGray(image.Rect(0, 0, 8, 8))
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil || os.WriteFile(os.Args[1], b.Bytes(), 0o600) != nil {
				fmt.Fprintln(os.Stderr, "pngfile: cannot write", os.Args[1])
				os.Exit(1)
			}
			os.Exit(0)
		},
		// recordreadiness STORE DATE FILE.json: a run recording the
		// readiness of FILE.json (see [recordReadiness]).
		"recordreadiness": func() {
			if err := recordReadiness(os.Args[1:]); err != nil {
				fmt.Fprintln(os.Stderr, "recordreadiness:", err)
				os.Exit(1)
			}
			os.Exit(0)
		},
		"dccprov": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
		// scanform OUT SPEC…: a noisy 150 dpi greyscale scan of printed
		// forms (see [scantest.Scan]) for `forms receive`.
		"scanform": func() {
			dir, err := os.MkdirTemp("", "scanform")
			if err == nil {
				err = scantest.Scan(os.Args[1], os.Args[2:], dir)
				os.RemoveAll(dir)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "scanform:", err)
				os.Exit(1)
			}
			os.Exit(0)
		},
		// signform CA.pem IN.pdf OUT.pdf CN [expired]: signs IN.pdf into
		// OUT.pdf (a PAdES incremental update) by a certificate for CN
		// from a throwaway authority whose certificate goes to CA.pem;
		// "expired" makes the certificate one that expired a year ago;
		// "rewritten" rewrites IN.pdf (pdfcpu) before signing it.
		"signform": func() {
			if err := signForm(os.Args[1:]); err != nil {
				fmt.Fprintln(os.Stderr, "signform:", err)
				os.Exit(1)
			}
			os.Exit(0)
		},
	})
}

func signForm(args []string) error {
	if len(args) < 4 || len(args) > 5 || len(args) == 5 && args[4] != "expired" && args[4] != "rewritten" {
		return errors.New("usage: signform CA.pem IN.pdf OUT.pdf CN [expired|rewritten]")
	}
	ca, err := padestest.NewCA("Autorité de test")
	if err != nil {
		return err
	}
	from, to := time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)
	if len(args) == 5 && args[4] == "expired" {
		from, to = time.Now().AddDate(-2, 0, 0), time.Now().AddDate(-1, 0, 0)
	}
	s, err := ca.Issue(args[3], from, to)
	if err != nil {
		return err
	}
	in, err := os.ReadFile(args[1])
	if err != nil {
		return err
	}
	if len(args) == 5 && args[4] == "rewritten" {
		// As a signing service that rewrites the file before signing it.
		var w bytes.Buffer
		if err := api.Optimize(bytes.NewReader(in), &w, pdfconf.Config()); err != nil {
			return err
		}
		in = w.Bytes()
	}
	out, err := s.Sign(in)
	if err != nil {
		return err
	}
	if err := os.WriteFile(args[0], ca.PEM(), 0o600); err != nil {
		return err
	}
	return os.WriteFile(args[2], out, 0o600)
}

func tabXLSX(out string, sheets []string) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, arg := range sheets {
		name, file, ok := strings.Cut(arg, "=")
		if !ok {
			return fmt.Errorf("%q: want SHEET=FILE.tsv", arg)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for r, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			for c, v := range strings.Split(line, "\t") {
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					return err
				}
				if err := f.SetCellStr(name, cell, v); err != nil {
					return err
				}
			}
		}
	}
	return f.SaveAs(out)
}

func xlsxCells(w io.Writer, path, sheet string) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		return err
	}
	for i, row := range rows {
		for j, v := range row {
			if v == "" {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s: %s\n", cell, strings.ReplaceAll(v, "\n", " / "))
		}
	}
	comments, err := f.GetComments(sheet)
	if err != nil {
		return err
	}
	for _, c := range comments {
		var text strings.Builder
		text.WriteString(c.Text)
		for _, p := range c.Paragraph {
			text.WriteString(p.Text)
		}
		fmt.Fprintf(w, "comment %s: %s\n", c.Cell, strings.ReplaceAll(text.String(), "\n", " / "))
	}
	return nil
}

// fixturesDir is the absolute path of the shared test lists.
var fixturesDir, _ = filepath.Abs(filepath.Join("..", "..", "provision", "testdata", "fixtures"))

// TestScript runs the CLI scenarios of testdata/script/*.txtar, each in a
// fresh temporary folder with dccprov registered in-process.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			// Tests must not depend on the machine's clock or user.
			env.Setenv("SOURCE_DATE_EPOCH", "1768435200") // 2026-01-15
			env.Setenv("USER", "testeur")
			// FIXTURES holds the staff lists of provision/testdata/fixtures
			// (binary workbooks a .txtar cannot carry).
			env.Setenv("FIXTURES", fixturesDir)
			// The per-user store of the scripts: $WORK/.local/share/dccprov.
			env.Setenv("DCCPROV_IN_SCRIPT", "1")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_DATA_HOME", env.WorkDir+"/.local/share")
			// Scripts that scan forms skip without pdftoppm ([!exec:pdftoppm]),
			// except under CI=true, where it must be there.
			if _, err := exec.LookPath("pdftoppm"); err != nil && os.Getenv("CI") == "true" {
				return errors.New("pdftoppm not found: install poppler-utils")
			}
			return nil
		},
	})
}

func TestParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct{ args, want []string }{
		{[]string{"a.csv", "--quiet"}, []string{"a.csv"}},
		{[]string{"--", "-x.csv"}, []string{"-x.csv"}},
		{[]string{"a.csv", "--", "-x", "--json"}, []string{"a.csv", "-x", "--json"}},
		{[]string{"--quiet", "a.csv", "--", "--"}, []string{"a.csv", "--"}},
	}
	for _, tt := range tests {
		e := &env{stderr: io.Discard}
		got, err := e.parseArgs(e.newFlagSet("check"), tt.args)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("parseArgs(%q) = %q, %v; want %q", tt.args, got, err, tt.want)
		}
		if e.g.json {
			t.Errorf("parseArgs(%q) set --json; want it a positional", tt.args)
		}
	}
}
