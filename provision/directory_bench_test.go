package provision

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/annuaire"
	"github.com/dccprov/dccprov/provision/annuaire/annuairegen"
	"github.com/dccprov/dccprov/samples/biglist"
)

// writeDirectoryBench writes a realistic staff list of rows rows
// (samples/biglist) and a synthetic extract of lines lines
// (annuairegen, 2024+ layout) holding every person of the list with an
// identifier, at the list's establishment, and returns their paths.
func writeDirectoryBench(tb testing.TB, rows, lines int) (list, extract string) {
	tb.Helper()
	list = writeBigList(tb, rows, biglist.Realistic, "csv")
	v, err := NewValidator(testConfig(tb))
	if err != nil {
		tb.Fatal(err)
	}
	seq, err := biglist.Generate(biglist.Options{Rows: rows, Problems: biglist.Realistic, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	var people []annuairegen.Person
	seen := map[string]bool{}
	for r := range seq {
		id, err := ParseNationalID(r.Cells[biglist.ColID])
		if err != nil || id.IsZero() || seen[id.IDNatPS()] {
			continue
		}
		seen[id.IDNatPS()] = true
		prof, _, _ := v.nom.Profession(r.Cells[biglist.ColProfession])
		finess, _ := ParseFINESS(r.Cells[biglist.ColFINESS])
		people = append(people, annuairegen.Person{ID: id.IDNatPS(), LastName: strings.ToUpper(r.Cells[biglist.ColBirthName]),
			FirstName: strings.ToUpper(r.Cells[biglist.ColFirstName]), Profession: prof.Code,
			Activities: []annuairegen.Activity{{FINESS: finess.String(), Site: r.Cells[biglist.ColEstablishment]}}})
	}
	extract = filepath.Join(tb.TempDir(), annuairegen.FileName("20260110"))
	f, err := os.Create(extract)
	if err != nil {
		tb.Fatal(err)
	}
	err = annuairegen.Write(f, annuairegen.Options{Lines: lines, Seed: 11, People: people})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	return list, extract
}

// scanExtract reads the extract at path keeping the lines of ids.
func scanExtract(tb testing.TB, path string, ids map[string]bool) int {
	f, err := annuaire.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	kept := 0
	err = f.Scan(tb.Context(), func(k []byte) bool { return ids[string(k)] }, func(*annuaire.Line) error { kept++; return nil })
	if err != nil {
		tb.Fatal(err)
	}
	return kept
}

// csvExtract reads the extract at path with encoding/csv, the floor: every
// field of every line split, nothing kept.
func csvExtract(tb testing.TB, path string) int {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord, r.ReuseRecord = '|', true, -1, true
	n := 0
	for {
		if _, err := r.Read(); err == io.EOF {
			break
		} else if err != nil {
			tb.Fatal(err)
		}
		n++
	}
	return n
}

// BenchmarkDirectory cross-checks a 10 000-row list against a 2 000 000-line
// synthetic extract (make bench): the extract's reading rate against Go's
// encoding/csv reading the same file (goal: within 1.5×), and the whole
// check with and without the extract, with the heap and RSS it adds
// (goal: at most 64 MiB above the list's own check).
//
//	go test -run '^$' -bench '^BenchmarkDirectory$' -benchtime 3x ./provision
//
// DCCPROV_BENCH_EXTRACT_LINES and DCCPROV_BENCH_LIST_ROWS change the sizes.
func BenchmarkDirectory(b *testing.B) {
	rows, lines := 10_000, 2_000_000
	if n, err := strconv.Atoi(os.Getenv("DCCPROV_BENCH_LIST_ROWS")); err == nil {
		rows = n
	}
	if n, err := strconv.Atoi(os.Getenv("DCCPROV_BENCH_EXTRACT_LINES")); err == nil {
		lines = n
	}
	start := time.Now()
	list, extract := writeDirectoryBench(b, rows, lines)
	fi, err := os.Stat(extract)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d-row list, %d-line extract of %d MiB, generated in %v", rows, lines, fi.Size()>>20, time.Since(start).Round(time.Millisecond))
	ids := map[string]bool{}
	res, err := Check(b.Context(), list, testConfig(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range res.People {
		if !p.ID.IsZero() {
			ids[p.ID.IDNatPS()] = true
		}
	}
	name := fmt.Sprintf("%dk-lines", lines/1000)
	var scanNs, csvNs float64
	b.Run("scan-"+name, func(b *testing.B) {
		b.SetBytes(fi.Size())
		for b.Loop() {
			if kept := scanExtract(b, extract, ids); kept < len(ids) {
				b.Fatalf("%d lines kept; want at least %d", kept, len(ids))
			}
		}
		scanNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	})
	b.Run("encoding-csv-"+name, func(b *testing.B) {
		b.SetBytes(fi.Size())
		for b.Loop() {
			csvExtract(b, extract)
		}
		csvNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	})
	if scanNs > 0 && csvNs > 0 {
		b.Logf("reading the extract: %.2f× the time of encoding/csv (goal: at most 1.5×)", scanNs/csvNs)
	}
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	}()
	var heap, rss [2]float64
	for i, annuaire := range []string{"", extract} {
		label := fmt.Sprintf("check-%dk-rows", rows/1000)
		if annuaire != "" {
			label += "-annuaire-" + name
		}
		cfg := testConfig(b)
		cfg.Annuaire = annuaire
		b.Run(label, func(b *testing.B) {
			for b.Loop() {
				var peakRSS uint64
				peak := peakHeap(func() {
					reset := resetPeakRSS()
					if _, err := CheckFile(b.Context(), list, cfg, io.Discard, true); err != nil {
						b.Fatal(err)
					}
					if reset > 0 {
						peakRSS = max(peakRSS, readPeakRSS()-min(reset, readPeakRSS()))
					}
				})
				heap[i], rss[i] = max(heap[i], float64(peak)/(1<<20)), max(rss[i], float64(peakRSS)/(1<<20))
			}
			b.ReportMetric(heap[i], "peak-heap-MiB")
			if rss[i] > 0 {
				b.ReportMetric(rss[i], "peak-RSS-growth-MiB")
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
	b.Logf("the extract adds %.1f MiB of peak heap and %.1f MiB of peak RSS growth to the list's own check (goal: at most 64 MiB)",
		heap[1]-heap[0], rss[1]-rss[0])
}

// resetPeakRSS resets the process's peak RSS (Linux: /proc/self/clear_refs)
// after returning memory to the system, and returns the RSS then; 0 where
// it cannot.
func resetPeakRSS() uint64 {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0
	}
	return procStatus("VmRSS:")
}

func readPeakRSS() uint64 { return procStatus("VmHWM:") }

// procStatus returns a size of /proc/self/status, in bytes.
func procStatus(key string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestDirectoryMemory checks a 5 000-row list against a 200 000-line
// extract (1 000 and 20 000 under -race): every person of the list is
// found, and the extract adds little to the heap of the check (it is read,
// never held).
func TestDirectoryMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("provision: directory memory test skipped under -short")
	}
	rows, lines := 5_000, 200_000
	if raceEnabled() {
		rows, lines = 1_000, 20_000
	}
	list, extract := writeDirectoryBench(t, rows, lines)
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	})
	var peaks [2]uint64
	var sum *Summary
	for i, a := range []string{"", extract} {
		cfg := testConfig(t)
		cfg.Annuaire = a
		peaks[i] = peakHeap(func() {
			var err error
			if sum, err = CheckFile(t.Context(), list, cfg, io.Discard, false); err != nil {
				t.Fatal(err)
			}
		})
	}
	d := sum.Annuaire
	t.Logf("%d-line extract: %d of %d identifiers found; peak heap %d MiB without, %d MiB with", d.Lines, d.Found, d.Checked, peaks[0]>>20, peaks[1]>>20)
	if d.Lines != lines || d.Found != d.Checked || d.Checked == 0 {
		t.Errorf("annuaire = %+v; want %d lines and every identifier found", d, lines)
	}
	for _, c := range directoryCodes {
		if n := sum.PerCode[c]; n > 0 && c != IDNameMismatch {
			// biglist plants DUPLICATE_PERSON rows: the RPPS of an earlier,
			// other person, which the directory names otherwise.
			t.Errorf("%d %s; want none but ID_NAME_MISMATCH", n, c)
		}
	}
	if grown := int64(peaks[1]) - int64(peaks[0]); grown > 16<<20 {
		t.Errorf("the extract adds %d MiB of heap; want under 16 MiB", grown>>20)
	}
}
