package provision

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeBigList writes an n-row staff list built from the sample's rows,
// with each email made unique, as a referent's export of a large network
// would look.
func writeBigList(tb testing.TB, n int) string {
	tb.Helper()
	sample, err := ReadFile(context.Background(), "../samples/liste-personnels.xlsx", testConfig(tb))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "big.xlsx")
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	header := sample.Head[len(sample.Head)-1]
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = h
	}
	if err := sw.SetRow("A1", row); err != nil {
		tb.Fatal(err)
	}
	email := -1
	for _, c := range sample.Columns {
		if c.Field == FieldEmail {
			email = c.Index - 1
		}
	}
	for i := range n {
		src := sample.Rows[i%len(sample.Rows)].Values
		row = make([]any, len(header))
		for j := range row {
			if j < len(src) {
				row[j] = src[j]
			}
		}
		if email >= 0 && email < len(src) {
			local, domain, _ := strings.Cut(src[email], "@")
			row[email] = fmt.Sprintf("%s.%d@%s", local, i, domain)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkCheck measures reading and validating a large list against a
// baseline measured in the same run: excelize's own streaming iteration
// over the same workbook, which no reader of ours can beat. Compare the
// rows/s of "read" and "check" with "baseline-excelize-rows".
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		path := writeBigList(b, n)
		cfg := testConfig(b)
		b.Run(fmt.Sprintf("%dk/baseline-excelize-rows", n/1000), func(b *testing.B) {
			for b.Loop() {
				f, err := excelize.OpenFile(path)
				if err != nil {
					b.Fatal(err)
				}
				rows, err := f.Rows("Sheet1")
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					if _, err := rows.Columns(); err != nil {
						b.Fatal(err)
					}
				}
				rows.Close()
				f.Close()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(fmt.Sprintf("%dk/read", n/1000), func(b *testing.B) {
			for b.Loop() {
				if _, err := ReadFile(b.Context(), path, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(fmt.Sprintf("%dk/check", n/1000), func(b *testing.B) {
			for b.Loop() {
				if _, err := Check(b.Context(), path, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// bigCorrections returns a table of n rows built from [testTable]'s rows,
// each with one problem on a cell that moves along the row, as a large
// list full of mistakes would give.
func bigCorrections(n int) (*Table, []Problem) {
	t := testTable()
	sample := t.Rows
	t.Rows = make([]Row, 0, n)
	t.Problems = nil
	codes := []Code{EmailInvalid, EmailGeneric, NameInvalid, CellRepaired}
	var problems []Problem
	for i := range n {
		src := sample[i%len(sample)]
		r := Row{Number: t.Input.HeaderRow + 1 + i, Values: src.Values, Cells: map[Field]Cell{}}
		for f, c := range src.Cells {
			c.Row = r.Number
			r.Cells[f] = c
		}
		t.Rows = append(t.Rows, r)
		problems = append(problems, NewProblem(codes[i%len(codes)], r.Cells[Fields[i%len(Fields)]], "", ""))
	}
	return t, problems
}

// BenchmarkWriteCorrections measures the corrections workbook of lists
// with one problem per row, so as many comments as rows.
func BenchmarkWriteCorrections(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		t, problems := bigCorrections(n)
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := WriteCorrections(io.Discard, t, nil, problems, testDate); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
