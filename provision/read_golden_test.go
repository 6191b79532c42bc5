package provision

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadGolden dumps what intake makes of each fixture and sample (input,
// columns, every mapped cell, problems) and compares it with
// testdata/read/NAME.golden; go test ./provision -run ReadGolden -update
// rewrites them.
func TestReadGolden(t *testing.T) {
	t.Parallel()
	inputs := []string{
		"testdata/fixtures/liste-openpyxl.xlsx",
		"testdata/fixtures/liste-libreoffice.xlsx",
		"testdata/fixtures/liste-excel-fr.csv",
		"../samples/liste-personnels.xlsx",
		"../samples/liste-personnels.csv",
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			t.Parallel()
			table, err := ReadFile(t.Context(), in, &Config{})
			if err != nil {
				t.Fatalf("ReadFile(%s) error: %v", in, err)
			}
			got := dumpTable(table)
			golden := filepath.Join("testdata", "read", filepath.Base(in)+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./provision -run ReadGolden -update)", err)
			}
			if got != string(want) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for i := range max(len(gl), len(wl)) {
					g, w := line(gl, i), line(wl, i)
					if g != w {
						t.Fatalf("ReadFile(%s) differs from %s at line %d:\ngot:  %s\nwant: %s", in, golden, i+1, g, w)
					}
				}
			}
		})
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<EOF>"
}

// dumpTable writes a table as stable text, one line per cell or problem.
func dumpTable(t *Table) string {
	var b strings.Builder
	in := t.Input
	fmt.Fprintf(&b, "input file=%s format=%s sheet=%q header_row=%d encoding=%s separator=%q sha256=%s\n",
		in.File, in.Format, in.Sheet, in.HeaderRow, in.Encoding, in.Separator, in.SHA256)
	for i, h := range t.Head {
		if len(nonEmpty(h)) > 0 {
			fmt.Fprintf(&b, "head %d %q\n", i+1, h)
		}
	}
	for _, c := range t.Columns {
		fmt.Fprintf(&b, "column %s %s %q\n", ColumnName(c.Index), c.Field, c.Header)
	}
	for _, r := range t.Rows {
		fields := make([]Field, 0, len(r.Cells))
		for f := range r.Cells {
			fields = append(fields, f)
		}
		slices.SortFunc(fields, func(a, b Field) int { return r.Cells[a].Col - r.Cells[b].Col })
		var cells []string
		for _, f := range fields {
			if c := r.Cells[f]; c.Value != "" {
				cells = append(cells, fmt.Sprintf("%s=%q", c.Ref(), c.Value))
			}
		}
		hidden := ""
		if r.Hidden {
			hidden = " hidden"
		}
		fmt.Fprintf(&b, "row %d%s %s\n", r.Number, hidden, strings.Join(cells, " "))
	}
	for _, p := range t.Problems {
		fmt.Fprintf(&b, "problem %d %s %q %s %s %q\n", p.Row, p.Cell, p.Column, p.Severity, p.Code, p.Message)
	}
	return b.String()
}
