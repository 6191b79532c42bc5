package provision

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomGridRows returns n rows of random cells: empty, ASCII, accented,
// long, with a stored text that differs from the value now and then.
func randomGridRows(r *rand.Rand, n int) []gridRow {
	words := []string{"", "a", "Élodie", "DUPONT-MARTIN", "0612345678", "x@y.fr", "日本", "\x00\xff", string(make([]byte, 300))}
	rows := make([]gridRow, n)
	for i := range rows {
		g := gridRow{Number: 2 + i*(1+r.IntN(3)), Hidden: r.IntN(7) == 0, Cells: make([]gridCell, r.IntN(20))}
		for j := range g.Cells {
			v := words[r.IntN(len(words))]
			raw := v
			if r.IntN(5) == 0 {
				raw = words[r.IntN(len(words))] + "1"
			}
			g.Cells[j] = gridCell{Value: v, Raw: raw}
		}
		rows[i] = g
	}
	return rows
}

// TestRowSpoolRoundTrip writes random rows and reads them back, twice (a
// pass after the second reads the spool again).
func TestRowSpoolRoundTrip(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for seed := range uint64(20) {
		want := randomGridRows(rand.New(rand.NewPCG(seed, 1)), 500)
		s := newRowSpool()
		if s == nil {
			t.Fatal("no spool")
		}
		for _, g := range want {
			s.add(g)
		}
		if !s.finish() {
			t.Fatalf("finish: %v", s.err)
		}
		for pass := range 2 {
			var got []gridRow
			for g, err := range s.rows() {
				if err != nil {
					t.Fatalf("seed %d pass %d: %v", seed, pass, err)
				}
				got = append(got, g)
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(gridRow{}, gridCell{})); diff != "" {
				t.Fatalf("seed %d pass %d: rows differ (-want +got):\n%s", seed, pass, diff)
			}
		}
		s.Close()
	}
}

// TestRowSpoolPasses checks that the later passes of a streamed check read
// the first pass's rows back from a spool that leaves no file behind (it
// holds personal data), and give the rows the file gives; and that without
// a place for the spool they read the file again.
func TestRowSpoolPasses(t *testing.T) {
	for _, name := range []string{"liste-personnels.xlsx", "liste-personnels.csv"} {
		path := filepath.Join("..", "samples", name)
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
		want, err := ReadFile(context.Background(), path, testConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, withSpool := range []bool{true, false} {
			tmp := t.TempDir()
			if !withSpool {
				tmp = filepath.Join(tmp, "missing")
			}
			t.Setenv("TMPDIR", tmp)
			_, src, _, _, err := firstPass(context.Background(), path, testConfig(t), false)
			if err != nil {
				t.Fatal(err)
			}
			if src.spooled != withSpool {
				t.Errorf("%s: spooled = %v, want %v", name, src.spooled, withSpool)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
				t.Errorf("%s: %d file(s) left in TMPDIR after pass 1, want none (unlinked)", name, len(ents))
			}
			for pass := 2; pass <= 3; pass++ {
				var got []Row
				if err := src.Rows(context.Background(), func(r Row, _ []Problem) error { got = append(got, r); return nil }); err != nil {
					t.Fatalf("%s pass %d: %v", name, pass, err)
				}
				if diff := cmp.Diff(want.Rows, got); diff != "" {
					t.Errorf("%s pass %d (spool %v): rows differ from the file's (-want +got):\n%s", name, pass, withSpool, diff)
				}
			}
			src.Close()
		}
	}
}

// FuzzDecodeSpooledRow checks that a damaged record is refused, never a
// panic, and that what decodes encodes back to a record of the same row.
func FuzzDecodeSpooledRow(f *testing.F) {
	for _, g := range randomGridRows(rand.New(rand.NewPCG(1, 2)), 8) {
		f.Add(encodeSpooledRow(nil, g))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, rec []byte) {
		g, ok := decodeSpooledRow(rec)
		if !ok {
			return
		}
		h, ok := decodeSpooledRow(encodeSpooledRow(nil, g))
		if !ok || !cmp.Equal(g, h, cmp.AllowUnexported(gridRow{}, gridCell{})) {
			t.Fatalf("record %q decodes to %+v, whose record decodes to %+v (%v)", rec, g, h, ok)
		}
	})
}
