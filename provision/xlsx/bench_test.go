package xlsx

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
)

const benchRows = 100_000

var (
	benchOnce sync.Once
	benchData []byte
)

func benchWorkbook(b *testing.B) []byte {
	benchOnce.Do(func() { benchData = staffList(b, benchRows) })
	return benchData
}

// staffList is an n-row × 12-column staff list: mostly text (names,
// emails, phones written as text, professions, establishments) with some
// numbers, written with excelize's StreamWriter then given a
// shared-strings table, as LibreOffice saves a list.
func staffList(b testing.TB, n int) []byte {
	{
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		must(b, err)
		must(b, sw.SetRow("A1", []any{"Nom", "Prénom", "Courriel", "Téléphone", "RPPS", "Profession",
			"Établissement", "FINESS", "Service", "Ville", "Entrée", "Quotité"}))
		professions := []string{"Infirmier", "Médecin", "Aide-soignant", "Pharmacien", "Sage-femme", "Kinésithérapeute"}
		cities := []string{"Lyon", "Nantes", "Rennes", "Lille", "Dijon", "Brest", "Tours", "Metz"}
		row := make([]any, 12)
		for i := range n {
			row[0] = fmt.Sprintf("Nom%05d", i%40000)
			row[1] = fmt.Sprintf("Prénom%04d", i%3000)
			row[2] = fmt.Sprintf("p%06d.agent@hopital-%d.example.org", i, i%50)
			row[3] = fmt.Sprintf("06 %02d %02d %02d %02d", i%100, i/100%100, i/10000%100, i%97)
			row[4] = 10000000000 + i
			row[5] = professions[i%len(professions)]
			row[6] = fmt.Sprintf("Centre hospitalier %d", i%50)
			row[7] = fmt.Sprintf("%09d", 10000000+i%50)
			row[8] = fmt.Sprintf("Service %d", i%30)
			row[9] = cities[i%len(cities)]
			row[10] = 40000 + i%5000
			row[11] = 0.5 + float64(i%5)/10
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			must(b, sw.SetRow(cell, row))
		}
		must(b, sw.Flush())
		return sharedStrings(b, mustSave(b, f))
	}
}

func BenchmarkRows(b *testing.B) {
	data := benchWorkbook(b)
	b.Run("xlsx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bk, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
			if err != nil {
				b.Fatal(err)
			}
			rows, err := bk.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n += len(rows.Row().Cells)
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
			rows.Close()
			if n != 12*(benchRows+1) {
				b.Fatalf("read %d cells", n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(benchRows+1), "ns/row")
	})
	b.Run("excelize-raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			xf, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			raw, err := xf.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for raw.Next() {
				rv, err := raw.Columns(excelize.Options{RawCellValue: true})
				if err != nil {
					b.Fatal(err)
				}
				n += len(rv)
			}
			raw.Close()
			xf.Close()
			if n != 12*(benchRows+1) {
				b.Fatalf("read %d cells", n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(benchRows+1), "ns/row")
	})
	// excelize as provision's sheetRows uses it: one iterator for the
	// stored values, one in step for the shown ones.
	b.Run("excelize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			xf, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			raw, err := xf.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			shown, err := xf.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for raw.Next() {
				shown.Next()
				rv, err := raw.Columns(excelize.Options{RawCellValue: true})
				if err != nil {
					b.Fatal(err)
				}
				sv, err := shown.Columns()
				if err != nil {
					b.Fatal(err)
				}
				_ = raw.GetRowOpts().Hidden
				n += len(rv) + 0*len(sv)
			}
			raw.Close()
			shown.Close()
			xf.Close()
			if n != 12*(benchRows+1) {
				b.Fatalf("read %d cells", n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(benchRows+1), "ns/row")
	})
}

// TestRowsAllocs checks that a pass over a sheet allocates little per row:
// the row's text and what number cells need, not the cells one by one.
func TestRowsAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a workbook")
	}
	// Not parallel: AllocsPerRun counts every goroutine's allocations.
	const n = 2000
	data := staffList(t, n)
	bk, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(2, func() {
		rows, err := bk.Rows("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	})
	if perRow := allocs / n; perRow > 2 {
		t.Errorf("a pass over %d rows allocates %.0f times, %.1f per row; want at most 2", n, allocs, perRow)
	}
}
