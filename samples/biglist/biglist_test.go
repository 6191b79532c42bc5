package biglist

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"testing"

	"github.com/dccprov/dccprov/provision"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func mustWrite(t testing.TB, write func(*bytes.Buffer, Options) error, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, o); err != nil {
		t.Fatalf("writing %+v: %v", o, err)
	}
	return b.Bytes()
}

func writeCSV(b *bytes.Buffer, o Options) error  { return WriteCSV(b, o) }
func writeXLSX(b *bytes.Buffer, o Options) error { return WriteXLSX(b, o) }

func TestXLSXMatchesCSV(t *testing.T) {
	t.Parallel()
	for _, mix := range []string{Realistic, Heavy} {
		t.Run(mix, func(t *testing.T) {
			t.Parallel()
			o := Options{Rows: 2000, Problems: mix, Seed: 7}
			cr := csv.NewReader(bytes.NewReader(mustWrite(t, writeCSV, o)))
			cr.Comma = ';'
			want, err := cr.ReadAll()
			if err != nil {
				t.Fatalf("reading the CSV: %v", err)
			}
			if len(want) != o.Rows+1 || !slices.Equal(want[0], Columns) {
				t.Fatalf("CSV: %d records, header %q; want %d, %q", len(want), want[0], o.Rows+1, Columns)
			}
			f, err := excelize.OpenReader(bytes.NewReader(mustWrite(t, writeXLSX, o)))
			if err != nil {
				t.Fatalf("excelize.OpenReader: %v", err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !slices.Equal(got, []string{"Personnels"}) {
				t.Errorf("sheets = %q; want [Personnels]", got)
			}
			got, err := f.GetRows("Personnels")
			if err != nil {
				t.Fatalf("GetRows: %v", err)
			}
			for i, r := range got {
				got[i] = append(r, make([]string, len(Columns)-len(r))...) // GetRows drops trailing empty cells
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("workbook rows differ from the CSV records (-csv +xlsx):\n%s", diff)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	o := Options{Rows: 3000, Problems: Heavy, Seed: 42}
	for name, write := range map[string]func(*bytes.Buffer, Options) error{"csv": writeCSV, "xlsx": writeXLSX} {
		a, b := mustWrite(t, write, o), mustWrite(t, write, o)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two writes of %+v differ", name, o)
		}
		other := o
		other.Seed++
		if bytes.Equal(a, mustWrite(t, write, other)) {
			t.Errorf("%s: seeds %d and %d give the same bytes", name, o.Seed, other.Seed)
		}
	}
}

// TestMix counts the planted problems by construction.
func TestMix(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{0, 1, 2026} {
		rows, err := Generate(Options{Rows: 20_000, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		planted, kinds := 0, map[Kind]int{}
		for r := range rows {
			if r.Problems == nil {
				continue
			}
			planted++
			kinds[r.Problems[0]]++
			if len(r.Problems) != 1 {
				t.Errorf("realistic row with problems %q; want one", r.Problems)
			}
		}
		if planted != 1000 {
			t.Errorf("seed %d: %d of 20000 realistic rows with a problem; want 1000 (5 %%)", seed, planted)
		}
		for _, k := range append(slices.Clone(rowKinds), crossKinds...) {
			if kinds[k] < 20 {
				t.Errorf("seed %d: %d realistic rows with %s; want every kind planted", seed, kinds[k], k)
			}
		}
		heavy, err := Generate(Options{Rows: 5000, Problems: Heavy, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for r := range heavy {
			if len(r.Problems) < 2 {
				t.Fatalf("seed %d: heavy row with problems %q; want at least two", seed, r.Problems)
			}
		}
	}
}

// TestValidRows checks what makes the unplanted rows valid: identifiers
// with their keys, distinct emails and RPPS numbers (but for the planted
// repeats), every column a valid row needs.
func TestValidRows(t *testing.T) {
	t.Parallel()
	rows, err := Generate(Options{Rows: 50_000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	emails, ids := map[string]int{}, map[string]int{}
	n := 0
	for r := range rows {
		n++
		c := r.Cells
		emails[c[ColEmail]]++
		if c[ColID] != "" {
			ids[c[ColID]]++
		}
		if r.Problems != nil {
			continue
		}
		for _, col := range []int{ColBirthName, ColFirstName, ColEmail, ColPhone, ColProfession, ColEstablishment, ColFINESS, ColHabilitations, ColLoginMode} {
			if c[col] == "" {
				t.Fatalf("row %d: %s empty in a valid row", n, Columns[col])
			}
		}
		if _, err := provision.ParseFINESS(c[ColFINESS]); err != nil {
			t.Fatalf("row %d: ParseFINESS(%q): %v", n, c[ColFINESS], err)
		}
		if c[ColID] != "" {
			if _, err := provision.ParseRPPS(c[ColID]); err != nil {
				t.Fatalf("row %d: ParseRPPS(%q): %v", n, c[ColID], err)
			}
		}
	}
	// Each repeat (DuplicateRow, EmailShared, DuplicatePerson) adds one use.
	repeats := 0
	for _, m := range []map[string]int{emails, ids} {
		for _, k := range m {
			repeats += k - 1
		}
	}
	rows, _ = Generate(Options{Rows: 50_000, Seed: 3})
	want := 0
	for r := range rows {
		switch {
		case slices.Contains(r.Problems, DuplicateRow):
			want++ // the email
			if r.Cells[ColID] != "" {
				want++
			}
		case slices.Contains(r.Problems, EmailShared), slices.Contains(r.Problems, DuplicatePerson):
			want++
		}
	}
	if repeats != want {
		t.Errorf("%d emails and RPPS numbers repeated; want %d, one per planted repeat", repeats, want)
	}
}

// TestNamesInjective checks that distinct names give distinct emails, so
// that the emails of a list are distinct.
func TestNamesInjective(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, f := range firstNames {
		p := emailPart(f)
		if prev, ok := seen[p]; ok {
			t.Errorf("first names %q and %q give the same email part %q", prev, f, p)
		}
		seen[p] = f
	}
	clear(seen)
	for _, s := range lastStems {
		for _, m := range lastMiddles {
			for _, e := range lastEnds {
				name := s + m + e
				p := emailPart(name)
				if prev, ok := seen[p]; ok {
					t.Fatalf("last names %q and %q give the same email part %q", prev, name, p)
				}
				seen[p] = name
			}
		}
	}
}

func TestPermutations(t *testing.T) {
	t.Parallel()
	gcd := func(a, b int) int {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	if g := gcd(nameStride, nameSpace); g != 1 {
		t.Errorf("gcd(nameStride %d, nameSpace %d) = %d; want 1", nameStride, nameSpace, g)
	}
	if g := gcd(rppsStride, rppsSpace); g != 1 {
		t.Errorf("gcd(rppsStride %d, rppsSpace %d) = %d; want 1", rppsStride, rppsSpace, g)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{{Rows: 0}, {Rows: MaxRows + 1}, {Rows: 10, Problems: "some"}} {
		if _, err := Generate(o); !errors.Is(err, ErrOptions) {
			t.Errorf("Generate(%+v) = _, %v; want ErrOptions", o, err)
		}
	}
}

func BenchmarkWriteXLSX(b *testing.B) {
	o := Options{Rows: 100_000, Seed: 1}
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteXLSX(&buf, o); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}
