package xlsxwriter

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// textRow fills cells with n text cells of row i, reusing the slice.
func textRow(cells []Cell, i, n int) []Cell {
	cells = cells[:0]
	for j := range n {
		cells = append(cells, Cell{Col: j + 1, Text: rowTexts[(i+j)%len(rowTexts)]})
	}
	return cells
}

var rowTexts = func() []string {
	base := []string{"Durand", "Jeanne", "jeanne.durand@example.org", "0612345678", "10003456789", "Infirmière", "Service de cardiologie", "750000001", "Hôpital Saint-Exemple", "2026-01-15", "OK", "À corriger", "Avertissement"}
	var out []string
	for i := range 97 {
		for _, s := range base {
			out = append(out, s+strconv.Itoa(i))
		}
	}
	return out
}()

// TestMemory writes 200 000 rows of 12 cells with a comment every 10th row
// (20 000 under the race detector) and checks that the heap stays small.
func TestMemory(t *testing.T) {
	// Not parallel: the heap measured is the test binary's.
	rows := 200_000
	if raceEnabled {
		rows = 20_000
	}
	const limit = 16 << 20
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()

	var peak uint64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		var ms runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})

	dir := t.TempDir()
	file, err := os.Create(filepath.Join(dir, "big.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	out := countWriter{w: file}
	w, err := New(&out, Options{TempDir: dir, CommentWidth: 320, CommentHeight: 140})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	red, _ := w.AddStyle(Style{Fill: "FFC7CE"})
	list, _ := w.AddSheet("Liste")
	problems, _ := w.AddSheet("Problèmes")
	// The layout of the corrections workbook: fitted widths, an
	// autofilter, print setup and a drop-down list, none holding rows.
	for _, err := range []error{
		list.FitColumns(ColumnFit{First: 1, Last: 12, Min: 6, Max: 50}),
		list.AutoFilter(1, 1, 12, 1),
		list.SetPageSetup(PageSetup{Landscape: true, FitToWidth: true, FirstTitleRow: 1, LastTitleRow: 1, GridLines: true, Footer: "&A"}),
		list.AddValidation(Validation{FirstCol: 12, FirstRow: 2, LastCol: 12, LastRow: rows, List: []string{"CPS", "CPE", "SMS", "Mail"}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var cells []Cell
	for i := 1; i <= rows; i++ {
		cells = textRow(cells, i, 12)
		if i%10 == 0 {
			cells[3].Style = red
			if err := list.Comment(4, i, "dccprov", "Erreur (PHONE_INVALID) : numéro invalide, ligne "+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
			if err := problems.WriteRow(i/10, []Cell{{Col: 1, Number: float64(i), IsNumber: true}, {Col: 2, Text: "D" + strconv.Itoa(i)}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := list.WriteRow(i, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := list.AutoFilter(1, 1, 12, rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d rows: %d bytes written, peak HeapInuse %.1f MiB", rows, out.n, float64(peak)/(1<<20))
	if peak > limit {
		t.Errorf("peak HeapInuse %.1f MiB; want under %d MiB", float64(peak)/(1<<20), limit>>20)
	}

	// The big parts (several deflate blocks, a CRC combined over megabytes)
	// read back with their CRCs and sizes checked.
	r, err := zip.OpenReader(file.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil || uint64(n) != f.UncompressedSize64 {
			t.Errorf("reading %s: %d bytes, %v; want %d", f.Name, n, err, f.UncompressedSize64)
		}
	}
}

const (
	benchRows  = 100_000
	benchCols  = 13
	benchEvery = 20 // a comment every benchEvery rows
)

// BenchmarkWriter writes 100 000 rows of 13 text cells with a comment
// every 20th row, with this package and with excelize's StreamWriter
// (its comments added with AddComment before the rows, as it requires; and
// without comments, for the cost of the cells alone).
func BenchmarkWriter(b *testing.B) {
	b.Run("xlsxwriter", func(b *testing.B) {
		b.ReportAllocs()
		dir := b.TempDir()
		var cells []Cell
		for b.Loop() {
			var out countWriter
			out.w = io.Discard
			w, err := New(&out, Options{TempDir: dir})
			if err != nil {
				b.Fatal(err)
			}
			s, _ := w.AddSheet("Liste")
			for i := 1; i <= benchRows; i++ {
				if i%benchEvery == 0 {
					if err := s.Comment(2, i, "dccprov", "Erreur (EMAIL_INVALID) : adresse invalide"); err != nil {
						b.Fatal(err)
					}
				}
				cells = textRow(cells, i, benchCols)
				if err := s.WriteRow(i, cells); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(out.n), "bytes/op")
		}
		reportRows(b)
	})
	for _, comments := range []bool{true, false} {
		name := "excelize"
		if !comments {
			name = "excelize-nocomments"
		}
		b.Run(name, func(b *testing.B) { benchExcelize(b, comments) })
	}
}

func benchExcelize(b *testing.B, comments bool) {
	b.ReportAllocs()
	var cells []Cell
	row := make([]any, benchCols)
	for b.Loop() {
		f := excelize.NewFile()
		for i := benchEvery; comments && i <= benchRows; i += benchEvery {
			err := f.AddComment("Sheet1", excelize.Comment{Cell: "B" + strconv.Itoa(i), Author: "dccprov",
				Paragraph: []excelize.RichTextRun{{Text: "Erreur (EMAIL_INVALID) : adresse invalide"}}})
			if err != nil {
				b.Fatal(err)
			}
		}
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		for i := 1; i <= benchRows; i++ {
			cells = textRow(cells, i, benchCols)
			for j, c := range cells {
				row[j] = c.Text
			}
			if err := sw.SetRow("A"+strconv.Itoa(i), row); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
		var out countWriter
		out.w = io.Discard
		if _, err := f.WriteTo(&out); err != nil {
			b.Fatal(err)
		}
		f.Close()
		b.ReportMetric(float64(out.n), "bytes/op")
	}
	reportRows(b)
}

func reportRows(b *testing.B) {
	perRow := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / benchRows
	b.ReportMetric(perRow, "ns/row")
	b.ReportMetric(1e9/perRow*benchCols, "cells/s")
}
