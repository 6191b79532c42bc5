package annuaire_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"

	"github.com/dccprov/dccprov/provision/annuaire"
	"github.com/dccprov/dccprov/provision/annuaire/annuairegen"
)

// sample is the real 52-column header and the three sample rows of the
// shared reference, pseudonymised (testdata/SOURCES.md).
const sample = "testdata/PS_LibreAcces_Personne_activite_202112150830.txt"

// scanAll reads every line of the extract at path.
func scanAll(tb testing.TB, path string) (annuaire.Info, []annuaire.Line) {
	tb.Helper()
	f, err := annuaire.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var lines []annuaire.Line
	err = f.Scan(tb.Context(), func([]byte) bool { return true }, func(l *annuaire.Line) error {
		lines = append(lines, *l)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f.Info(), lines
}

var sampleLines = []annuaire.Line{
	{Key: "0252699004", IDType: "0", ID: "252699004", LastName: "PETITEXEMPLE", FirstName: "ALEXANDRE", Profession: "26",
		ProfessionLabel: "Audioprothésiste", SIRET: "49940088500020", Site: "DOUBS OPTIC"},
	{Key: "0759199003", IDType: "0", ID: "759199003", LastName: "DE FICTIVE", FirstName: "ISABELLE", Profession: "91",
		ProfessionLabel: "Orthophoniste", Site: "CABINET MME DE FICTIVE"},
	{Key: "819900000019", IDType: "8", ID: "19900000019", LastName: "GUIGNEXEMPLE", FirstName: "ERIC", Profession: "10",
		ProfessionLabel: "Médecin", SIRET: "85131528300016", Site: "AIMMUNE THERAPEUTICS UK LIMITED"},
}

func TestReadSample(t *testing.T) {
	t.Parallel()
	info, lines := scanAll(t, sample)
	want := annuaire.Info{File: filepath.Base(sample), Date: "2021-12-15", Lines: 3, Columns: 52, Encoding: annuaire.UTF8}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("Info (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sampleLines, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

// TestRealHeaders checks the layouts of the package against the real
// header lines: the 52 columns of the sample, the 56 of the 2024+ file.
func TestRealHeaders(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		file string
		want []string
	}{
		{sample, annuaire.Columns52},
		{"testdata/PS_LibreAcces_Personne_activite.header-2024plus.txt", annuaire.Columns56},
	} {
		data, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(string(data), "\n")
		if want := strings.Join(c.want, "|") + "|"; head != want {
			t.Errorf("%s: header line\n%q\nwant\n%q", c.file, head, want)
		}
	}
}

// TestHeader2024 reads the real 2024+ header followed by the sample rows
// moved to their columns there: every column is found by name despite
// the spellings that changed.
func TestHeader2024(t *testing.T) {
	t.Parallel()
	head, err := os.ReadFile("testdata/PS_LibreAcces_Personne_activite.header-2024plus.txt")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(bytes.TrimRight(head, "\n"))
	b.WriteString("\r\n")
	for _, row := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		// The 2024+ layout is the 52 columns and four more.
		b.WriteString(row + "||||\r\n")
	}
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_202410010830.txt")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	info, lines := scanAll(t, path)
	if info.Columns != 56 || info.Lines != 3 || info.Date != "2024-10-01" {
		t.Errorf("Info = %+v; want 56 columns, 3 lines, date 2024-10-01", info)
	}
	if diff := cmp.Diff(sampleLines, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestLatin1(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	latin, err := charmap.Windows1252.NewEncoder().Bytes(data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_Personne_activite_202112150830.txt")
	if err := os.WriteFile(path, latin, 0o644); err != nil {
		t.Fatal(err)
	}
	info, lines := scanAll(t, path)
	if info.Encoding != annuaire.Latin1 {
		t.Errorf("Encoding = %q; want %q", info.Encoding, annuaire.Latin1)
	}
	if diff := cmp.Diff(sampleLines, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

// TestZip reads the extract inside an archive that holds the other files
// of the export too.
func TestZip(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "PS_LibreAcces_202112150830.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, m := range []struct {
		name string
		data []byte
	}{
		{"PS_LibreAcces_Dipl_AutExerc_202112150830.txt", []byte("Type d'identifiant PP|Identifiant PP|\n")},
		{"PS_LibreAcces_Personne_activite_202112150830.txt", data},
		{"PS_LibreAcces_SavoirFaire_202112150830.txt", []byte("Type d'identifiant PP|\n")},
	} {
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	info, lines := scanAll(t, path)
	want := annuaire.Info{File: filepath.Base(path), Entry: "PS_LibreAcces_Personne_activite_202112150830.txt",
		Date: "2021-12-15", Lines: 3, Columns: 52, Encoding: annuaire.UTF8}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("Info (-want +got):\n%s", diff)
	}
	if len(lines) != 3 {
		t.Errorf("%d lines; want 3", len(lines))
	}
}

// TestKeyFallback: a line whose "Identification nationale PP" is empty is
// keyed by its type and identifier.
func TestKeyFallback(t *testing.T) {
	t.Parallel()
	data := "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|Prénom d'exercice|Code profession|\n" +
		"8|19900000019||EXEMPLE|ANNE|60|\n\n"
	path := filepath.Join(t.TempDir(), "extrait.txt")
	os.WriteFile(path, []byte(data), 0o644)
	info, lines := scanAll(t, path)
	if len(lines) != 1 || lines[0].Key != "819900000019" || info.Lines != 1 || info.Date != "" {
		t.Errorf("got %+v, %+v; want one line keyed 819900000019, no date", info, lines)
	}
}

func TestNotAnExtract(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zipNoMember := filepath.Join(dir, "autre.zip")
	{
		f, _ := os.Create(zipNoMember)
		zw := zip.NewWriter(f)
		w, _ := zw.Create("a.txt")
		w.Write([]byte("x"))
		w, _ = zw.Create("b.txt")
		w.Write([]byte("y"))
		zw.Close()
		f.Close()
	}
	for _, c := range []struct {
		name, data string
		want       string
	}{
		{"vide.txt", "", "the file is empty"},
		{"liste.csv", "Nom;Prénom;RPPS\nDUPONT;Jean;19900000019\n", "not a header of fields separated by |"},
		{"autre.txt", "Nom|Prénom|RPPS|\n", `no column "Identification nationale PP", "Nom d'exercice", "Code profession"`},
		{"autre.zip", "", "holds no PS_LibreAcces_Personne_activite file"},
	} {
		path := filepath.Join(dir, c.name)
		if c.name != "autre.zip" {
			os.WriteFile(path, []byte(c.data), 0o644)
		}
		f, err := annuaire.Open(path)
		if err == nil {
			f.Close()
			t.Errorf("Open(%s) = nil error; want %q", c.name, c.want)
			continue
		}
		var fe *annuaire.FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("Open(%s) = %v; want a FormatError naming the file and saying %q", c.name, err, c.want)
		}
	}
	if _, err := annuaire.Open(filepath.Join(dir, "absent.txt")); err == nil || !strings.Contains(err.Error(), "absent.txt") {
		t.Errorf("Open(absent.txt) = %v; want an error naming the file", err)
	}
}

// TestGeneratorLayouts reads synthetic extracts of both layouts and both
// encodings: every line is read, the persons given are found with their
// activities, and the same options give the same bytes.
func TestGeneratorLayouts(t *testing.T) {
	t.Parallel()
	people := []annuairegen.Person{
		{ID: "819900000019", LastName: "EXEMPLE-MARTIN", FirstName: "ANNE-SOPHIE", Profession: "60",
			Activities: []annuairegen.Activity{{FINESS: "440000017", Legal: "440000009", Site: "CHU EXEMPLE"}, {SIRET: "99900000000018"}}},
		{ID: "0980000016", LastName: "D'EXEMPLE", FirstName: "LÉON", Profession: "70"},
	}
	for _, o := range []annuairegen.Options{
		{Lines: 1000, Columns: 52, Seed: 1, People: people},
		{Lines: 1000, Columns: 56, Seed: 1, People: people},
		{Lines: 1000, Columns: 52, Seed: 2, Latin1: true, CRLF: true, People: people},
		{Lines: 3, Columns: 56, People: people},
	} {
		var a, b bytes.Buffer
		if err := annuairegen.Write(&a, o); err != nil {
			t.Fatal(err)
		}
		annuairegen.Write(&b, o)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("Write(%+v) twice gives different bytes", o)
		}
		f, err := annuaire.NewReader(bytes.NewReader(a.Bytes()), annuairegen.FileName("20260115"))
		if err != nil {
			t.Fatal(err)
		}
		found := map[string][]annuaire.Line{}
		keys := map[string]bool{}
		err = f.Scan(t.Context(), func(k []byte) bool {
			keys[string(k)] = true
			return string(k) == people[0].ID || string(k) == people[1].ID
		}, func(l *annuaire.Line) error {
			found[l.Key] = append(found[l.Key], *l)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		info := f.Info()
		wantEnc := annuaire.UTF8
		if o.Latin1 {
			wantEnc = annuaire.Latin1
		}
		if info.Lines != o.Lines || info.Columns != o.Columns || info.Encoding != wantEnc || info.Date != "2026-01-15" {
			t.Errorf("Write(%d lines, %d columns, latin1 %v): Info = %+v", o.Lines, o.Columns, o.Latin1, info)
		}
		if o.Lines > 100 && len(keys) < o.Lines/3 {
			t.Errorf("Write(%d lines): %d distinct identifiers; want persons of one to three activities", o.Lines, len(keys))
		}
		a0 := found[people[0].ID]
		if len(a0) != 2 || a0[0].FINESS != "440000017" || a0[0].Legal != "440000009" || a0[1].SIRET != "99900000000018" ||
			a0[0].LastName != "EXEMPLE-MARTIN" || a0[0].FirstName != "ANNE-SOPHIE" || a0[0].ProfessionLabel != "Infirmier" {
			t.Errorf("Write(%d columns): lines of %s = %+v", o.Columns, people[0].ID, a0)
		}
		if a1 := found[people[1].ID]; len(a1) != 1 || a1[0].IDType != "0" || a1[0].ID != "980000016" || a1[0].FirstName != "LÉON" {
			t.Errorf("Write(%d columns): lines of %s = %+v", o.Columns, people[1].ID, a1)
		}
	}
}

// TestScanMemory reads a 300 000-line extract (30 000 under -race)
// keeping a hundred persons: nothing is allocated per line read.
func TestScanMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("annuaire: memory test skipped under -short")
	}
	lines := 300_000
	if raceEnabled() {
		lines = 30_000
	}
	var people []annuairegen.Person
	for i := range 100 {
		people = append(people, annuairegen.Person{ID: "8" + annuairegen.RPPS(9_000_000+i), LastName: "EXEMPLE", FirstName: "ANNE", Profession: "10"})
	}
	path := filepath.Join(t.TempDir(), annuairegen.FileName("20260115"))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := annuairegen.Write(f, annuairegen.Options{Lines: lines, Seed: 3, People: people}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	want := map[string]bool{}
	for _, p := range people {
		want[p.ID] = true
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	af, err := annuaire.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = af.Scan(t.Context(), func(k []byte) bool { return want[string(k)] }, func(*annuaire.Line) error { n++; return nil })
	af.Close()
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d MiB extract, %d lines kept: %d KiB allocated", fi.Size()>>20, n, alloc>>10)
	if n != 100 {
		t.Errorf("%d lines kept; want 100", n)
	}
	// The read buffer (1 MiB) and the kept lines; nothing per line read.
	if alloc > 4<<20 {
		t.Errorf("scanning allocated %d KiB; want under 4 MiB", alloc>>10)
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	return ok && slices.ContainsFunc(bi.Settings, func(s debug.BuildSetting) bool { return s.Key == "-race" && s.Value == "true" })
}
