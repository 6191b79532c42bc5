package provision

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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

// TestVerbatimRows checks what pass 1 notes of a row read as the file
// gives it ([Row.verbatim]) and that a later pass told so takes its cells
// as they are: a row with a repaired cell or a hidden row is not verbatim,
// and given as verbatim (which pass 1 would never say of it) keeps its
// cells unrepaired, which shows the repair skipped; told the truth, the
// later pass gives the rows of the first.
func TestVerbatimRows(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "liste.csv")
	list := "Nom;Prénom;Email;Profession;FINESS;Habilitations;Mode de connexion\n" +
		"DUPONT;Jeanne;jeanne.dupont@chu-exemple.fr;Infirmier;350000014;Consultation;CPS\n" +
		" MARTIN ;Paul;paul.martin@chu-exemple.fr;Infirmier;350000014;Consultation;CPS\n" +
		"DURAND;Zoé;zoe.durand@chu-exemple.fr;Infirmier;350000014;Consultation;CPS\n"
	if err := os.WriteFile(path, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := openFile(t.Context(), path, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var first []Row
	var numbers []int
	var verbatim []bool
	err = src.Rows(t.Context(), func(r Row, _ []Problem) error {
		first, numbers, verbatim = append(first, ownedRow(r)), append(numbers, r.Number), append(verbatim, r.verbatim)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true}; !slices.Equal(verbatim, want) {
		t.Fatalf("verbatim = %v, want %v (the second row has a name to trim)", verbatim, want)
	}
	var lied []string
	err = src.againRows(t.Context(), func(int, int) bool { return true }, func(r Row, _ []Problem) error {
		lied = append(lied, r.Get(FieldBirthName).Value)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"DUPONT", " MARTIN ", "DURAND"}; !slices.Equal(lied, want) {
		t.Errorf("told every row is verbatim, birth names = %q, want %q (not repaired)", lied, want)
	}
	var again []Row
	err = src.againRows(t.Context(), func(i, number int) bool {
		return i < len(verbatim) && verbatim[i] && numbers[i] == number
	}, func(r Row, _ []Problem) error {
		again = append(again, ownedRow(r)) // a pass's cells are used again
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("rows of a pass told which are verbatim differ from the first pass's (-first +again):\n%s", diff)
	}
}

// ownedRow is r with its cells in a map of its own (a pass uses its
// cells again for a later row), without its verbatim mark.
func ownedRow(r Row) Row {
	o := Row{Number: r.Number, Values: slices.Clone(r.Values), Hidden: r.Hidden, Cells: map[Field]Cell{}}
	for _, f := range Fields {
		if c, ok := r.lookup(f); ok {
			o.Cells[f] = c
		}
	}
	return o
}

// TestCheckerVerbatim checks that the checker says a row is verbatim only
// when pass 1 noted it so, for the same Excel row number.
func TestCheckerVerbatim(t *testing.T) {
	c := &checker{}
	c.keys.add(rowKeys{rowState: rowState{2, rowVerbatim}, rowK: 7})
	c.keys.add(rowKeys{rowState: rowState{3, rowChecked}, email: 8})
	c.states = c.keys.states() // as resolve leaves them for pass 2
	if want := []rowState{{2, rowVerbatim}, {3, rowChecked}}; !slices.Equal(c.states, want) || c.keys.len() != 0 {
		t.Fatalf("states() = %v, leaving %d keys; want %v and none", c.states, c.keys.len(), want)
	}
	for _, tt := range []struct {
		i, number int
		want      bool
	}{{0, 2, true}, {0, 5, false}, {1, 3, false}, {2, 4, false}} {
		if got := c.verbatim(tt.i, tt.number); got != tt.want {
			t.Errorf("verbatim(%d, %d) = %v, want %v", tt.i, tt.number, got, tt.want)
		}
	}
}
