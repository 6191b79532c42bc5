package provision

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// listDir returns the names under dir, recursively, with "/" separators.
func listDir(tb testing.TB, dir string) []string {
	tb.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return names
}

func mustReadFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestOutDirCreateWriteCommit(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "sub", "out")
	d, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatalf("CreateOutDir(%q, false) = %v", dir, err)
	}
	defer d.Close()
	if err := d.WriteFile("accounts.csv", writeString("a\n")); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("forms/F-1.pdf", writeString("pdf")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("DIR exists before Commit (stat: %v); want it created only by Commit", err)
	}
	if err := d.Commit(); err != nil {
		t.Fatalf("Commit() = %v", err)
	}
	if got, want := listDir(t, dir), []string{"accounts.csv", "forms", "forms/F-1.pdf"}; !slices.Equal(got, want) {
		t.Errorf("files = %v; want %v", got, want)
	}
	for name, want := range map[string]os.FileMode{".": 0o700, "forms": 0o700, "accounts.csv": 0o600, "forms/F-1.pdf": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("mode of %s = %v; want %v", name, got, want)
		}
	}
	if got := listDir(t, parent+"/sub"); !slices.Equal(got, []string{"out", "out/accounts.csv", "out/forms", "out/forms/F-1.pdf"}) {
		t.Errorf("temporary folders left beside DIR: %v", got)
	}
	if err := d.WriteFile("late.csv", writeString("x")); err == nil {
		t.Errorf("WriteFile after Commit = nil; want an error")
	}
}

func TestOutDirEmptyExisting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	d, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatalf("CreateOutDir(empty dir) = %v", err)
	}
	if err := d.WriteFile("report.json", writeString("{}\n")); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := mustReadFile(t, filepath.Join(dir, "report.json")); got != "{}\n" {
		t.Errorf("report.json = %q", got)
	}
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("mode of DIR = %v; want 0700", fi.Mode().Perm())
	}
}

func TestOutDirNotEmpty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := CreateOutDir(dir, false)
	if !errors.Is(err, ErrOutDirNotEmpty) {
		t.Fatalf("CreateOutDir(non-empty, false) = %v; want ErrOutDirNotEmpty", err)
	}
	// One sentence, the sentinel's text inside it rather than tacked on.
	if want := dir + ": output folder already holds files from an earlier run; choose another -o or add --replace"; err.Error() != want {
		t.Errorf("CreateOutDir(non-empty, false) = %q; want %q", err, want)
	}

	// With replace, DIR keeps the old files until Commit, then only the new ones.
	d, err := CreateOutDir(dir, true)
	if err != nil {
		t.Fatalf("CreateOutDir(non-empty, true) = %v", err)
	}
	if err := d.WriteFile("report.json", writeString("new\n")); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"accounts.csv"}) {
		t.Errorf("before Commit DIR holds %v; want the old files only", got)
	}
	if err := d.Commit(); err != nil {
		t.Fatalf("Commit() = %v", err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"report.json"}) {
		t.Errorf("after Commit DIR holds %v; want the new files only", got)
	}
	if got := listDir(t, filepath.Dir(dir)); slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, ".old-") || strings.Contains(s, ".new-") }) {
		t.Errorf("leftover folders beside DIR: %v", got)
	}
}

func TestOutDirClose(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	d, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("accounts.csv", writeString("x")); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, parent); len(got) != 0 {
		t.Errorf("after Close the parent holds %v; want nothing", got)
	}
}

func TestOutDirIsFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, nil, 0o600)
	if _, err := CreateOutDir(path, true); err == nil {
		t.Errorf("CreateOutDir(file) = nil; want an error")
	}
}

func TestOutDirWriteError(t *testing.T) {
	t.Parallel()
	d, err := CreateOutDir(filepath.Join(t.TempDir(), "out"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.WriteFile("accounts.csv", writeString("first\n")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = d.WriteFile("accounts.csv", func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("WriteFile(failing) = %v; want it to wrap boom", err)
	}
	if got := listDir(t, d.work); !slices.Equal(got, []string{"accounts.csv"}) {
		t.Errorf("after a failed write the folder holds %v; want no temporary file", got)
	}
	if got := mustReadFile(t, filepath.Join(d.work, "accounts.csv")); got != "first\n" {
		t.Errorf("accounts.csv = %q after a failed rewrite; want the first version", got)
	}
}

// TestWriteErrorsNameTarget checks that a failed write names the file
// being written, once, and never the temporary file behind it.
func TestWriteErrorsNameTarget(t *testing.T) {
	t.Parallel()
	check := func(err error, target string) {
		t.Helper()
		if err == nil {
			t.Fatalf("writing %s = nil; want an error", target)
		}
		if msg := err.Error(); strings.Count(msg, target) != 1 || strings.Contains(msg, ".tmp") {
			t.Errorf("writing %s = %q; want the target named once and no temporary file", target, msg)
		}
	}

	d, err := CreateOutDir(filepath.Join(t.TempDir(), "out"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// A non-empty folder in the way: the rename of the temporary file fails.
	if err := os.MkdirAll(filepath.Join(d.work, "accounts.csv", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	check(d.WriteFile("accounts.csv", writeString("x")), "accounts.csv")

	// A missing folder: the temporary file cannot be created.
	path := filepath.Join(t.TempDir(), "missing", "liste.corrections.xlsx")
	err = WriteFileAtomic(path, writeString("x"))
	check(err, "liste.corrections.xlsx")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteFileAtomic(missing folder) = %v; want it to match fs.ErrNotExist", err)
	}
}

var badOutNames = []string{
	"", ".", "..", "../x", "a/../../x", "/etc/passwd", "forms/../x", "forms/", "other/x.pdf",
	"forms/sub/x.pdf", `..\x`, "a\\b", ".hidden", "forms/.x", "x\x00y", "C:x",
}

func TestOutDirBadNames(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	d, err := CreateOutDir(filepath.Join(parent, "out"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, name := range badOutNames {
		if err := d.WriteFile(name, writeString("x")); err == nil {
			t.Errorf("WriteFile(%q) = nil; want an error", name)
		}
	}
	if got := listDir(t, d.work); len(got) != 0 {
		t.Errorf("bad names created %v", got)
	}
}

func TestOpenOutDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "accounts.ldif"), []byte("x"), 0o600)
	d, err := OpenOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("ldap-undo-20260115T100000.ldif", writeString("version: 1\n")); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"accounts.ldif", "ldap-undo-20260115T100000.ldif"}) {
		t.Errorf("files = %v", got)
	}
}

// TestReplaceKeepsUndoFiles: run --replace swaps DIR whole, but the undo
// files ldap apply wrote into it are the only way back for the directory.
func TestReplaceKeepsUndoFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	d, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("accounts.ldif", writeString("old")); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	undo := map[string]string{"ldap-undo-20260115T100000.ldif": "first\n", "ldap-undo-20260115T100000-2.ldif": "second\n"}
	for name, data := range undo {
		os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600)

	d, err = CreateOutDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("accounts.ldif", writeString("new")); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	want := []string{"accounts.ldif", "ldap-undo-20260115T100000-2.ldif", "ldap-undo-20260115T100000.ldif"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("after --replace, files = %v; want %v", got, want)
	}
	for name, data := range undo {
		if got := mustReadFile(t, filepath.Join(dir, name)); got != data {
			t.Errorf("%s = %q; want %q", name, got, data)
		}
	}
	if got := mustReadFile(t, filepath.Join(dir, "accounts.ldif")); got != "new" {
		t.Errorf("accounts.ldif = %q; want the new run's", got)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".out.*")); len(left) != 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

// TestWriteNewFile never replaces an existing file.
func TestWriteNewFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := OpenOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Commit()
	if err := d.WriteNewFile("ldap-undo-x.ldif", writeString("one")); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteNewFile("ldap-undo-x.ldif", writeString("two")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteNewFile over an existing file = %v; want fs.ErrExist", err)
	}
	if err := d.WriteNewFile("ldap-undo-y.ldif", func(io.Writer) error { return errors.New("boom") }); err == nil {
		t.Error("WriteNewFile with a failing writer = nil; want its error")
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"ldap-undo-x.ldif"}) {
		t.Errorf("files = %v; want only ldap-undo-x.ldif", got)
	}
	if got := mustReadFile(t, filepath.Join(dir, "ldap-undo-x.ldif")); got != "one" {
		t.Errorf("ldap-undo-x.ldif = %q; want \"one\"", got)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "liste.corrections.xlsx")
	if err := WriteFileAtomic(path, writeString("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, func(w io.Writer) error { return errors.New("boom") }); err == nil {
		t.Fatal("WriteFileAtomic(failing) = nil; want an error")
	}
	if got := mustReadFile(t, path); got != "one" {
		t.Errorf("file = %q after a failed rewrite; want %q", got, "one")
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"liste.corrections.xlsx"}) {
		t.Errorf("files = %v; want no temporary file", got)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v; want 0600", fi.Mode().Perm())
	}
	if err := WriteFileAtomic(dir, writeString("x")); err == nil {
		t.Errorf("WriteFileAtomic(a folder) = nil; want an error")
	}
}

var safeCellTests = []struct{ in, want string }{
	{"", ""},
	{"DUPONT", "DUPONT"},
	{"=1+1", "'=1+1"},
	{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
	{"@SUM(A1)", "'@SUM(A1)"},
	{"\tx", "'\tx"},
	{"\rx", "'\rx"},
	{"+33612345678", "+33612345678"},
	{"-12.5", "-12.5"},
	{"-12,5", "-12,5"},
	{"+1", "+1"},
	{"+", "'+"},
	{"-", "'-"},
	{"-1+2", "'-1+2"},
	{"+33 6 12 34 56 78", "+33 6 12 34 56 78"},
	{"+33.6.12.34.56.78", "+33.6.12.34.56.78"},
	{"-1 234,5", "-1 234,5"},
	{"+33 6 A", "'+33 6 A"},
	{"+33  6", "'+33  6"},
	{"+33 ", "'+33 "},
	{"+ 33", "'+ 33"},
	{"+33 .6", "'+33 .6"},
	{"-1,2,3", "'-1,2,3"},
	{"-1,", "'-1,"},
	{"-2+3", "'-2+3"},
	{"+cmd|x", "'+cmd|x"},
	{"@SUM(1)", "'@SUM(1)"},
	{"+\u0663", "'+\u0663"},
	{"-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"},
	{"+1.", "'+1."},
	{"-.5", "'-.5"},
	{"1.2.3", "1.2.3"},
	{"Jean-Pierre", "Jean-Pierre"},
	{"'=x", "'=x"},
}

func TestSafeCell(t *testing.T) {
	t.Parallel()
	for _, tt := range safeCellTests {
		if got := safeCell(tt.in); got != tt.want {
			t.Errorf("safeCell(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// plainNumberRE is the contract's "plain number", written apart from
// isPlainNumber so the fuzz test checks it against a second reading: a
// sign, digit groups separated by single spaces or dots, maybe a comma and
// decimals.
var plainNumberRE = regexp.MustCompile(`^[+-][0-9]+(?:[ .][0-9]+)*(?:,[0-9]+)?$`)

// FuzzSafeCell checks the contract's property: no output starts with a
// character a spreadsheet takes as a formula unless it is a plain number;
// the guard only ever prepends, and applying it twice changes nothing.
func FuzzSafeCell(f *testing.F) {
	for _, tt := range safeCellTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeCell(s)
		if got != s && got != "'"+s {
			t.Fatalf("safeCell(%q) = %q; want the value, or it with a leading apostrophe", s, got)
		}
		if plainNumberRE.MatchString(s) && got != s {
			t.Fatalf("safeCell(%q) = %q; a plain number stays as it is", s, got)
		}
		if got != "" {
			r, _ := utf8.DecodeRuneInString(got)
			switch r {
			case '=', '@', '\t', '\r':
				t.Fatalf("safeCell(%q) = %q starts with %q", s, got, r)
			case '+', '-':
				if !plainNumberRE.MatchString(got) {
					t.Fatalf("safeCell(%q) = %q starts with %q and is not a plain number", s, got, r)
				}
			}
		}
		if again := safeCell(got); again != got {
			t.Fatalf("safeCell(safeCell(%q)) = %q; want %q", s, again, got)
		}
	})
}

// writeAllOutputs writes every file of this branch's writers into a new
// output folder dir, as `run -o DIR` will.
func writeAllOutputs(tb testing.TB, dir string, replace bool, cfg *Config) {
	tb.Helper()
	t, people, problems := testTable(), testPeople(), testProblems()
	d, err := CreateOutDir(dir, replace)
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"accounts.csv", func(w io.Writer) error { return WriteAccountsCSV(w, people, cfg) }},
		{"habilitations.csv", func(w io.Writer) error { return WriteHabilitationsCSV(w, people) }},
		{"accounts.ldif", func(w io.Writer) error { return WriteLDIF(w, people, cfg) }},
		{"corrections.xlsx", func(w io.Writer) error { return WriteCorrections(w, t, people, problems, cfg.Date) }},
		{"report.json", func(w io.Writer) error { return WriteReport(w, NewReport(t, people, problems)) }},
		{"summary.html", func(w io.Writer) error { return WriteSummaryHTML(w, NewReport(t, people, problems), people) }},
	}
	for _, f := range files {
		if err := d.WriteFile(f.name, f.write); err != nil {
			tb.Fatal(err)
		}
	}
	if err := d.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// TestOutputsDeterministic writes the whole set twice, the second time
// replacing the first: every file has the same bytes. With another date,
// only the dated files change.
func TestOutputsDeterministic(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	a, b, c := filepath.Join(parent, "a"), filepath.Join(parent, "b"), filepath.Join(parent, "c")
	writeAllOutputs(t, a, false, testConfig(t))
	writeAllOutputs(t, b, false, testConfig(t))
	first := map[string]string{}
	for _, name := range listDir(t, a) {
		first[name] = mustReadFile(t, filepath.Join(a, name))
		if got := mustReadFile(t, filepath.Join(b, name)); got != first[name] {
			t.Errorf("%s differs between two runs", name)
		}
	}
	writeAllOutputs(t, a, true, testConfig(t))
	for name, want := range first {
		if got := mustReadFile(t, filepath.Join(a, name)); got != want {
			t.Errorf("%s differs after a --replace run", name)
		}
	}
	cfg := testConfig(t)
	cfg.Date = testDate.AddDate(0, 1, 0)
	writeAllOutputs(t, c, false, cfg)
	for name, want := range first {
		got := mustReadFile(t, filepath.Join(c, name))
		dated := name == "accounts.ldif" || name == "corrections.xlsx"
		if (got != want) != dated {
			t.Errorf("%s: changed with the date = %v; want %v", name, got != want, dated)
		}
	}
	ldif := mustReadFile(t, filepath.Join(c, "accounts.ldif"))
	if strings.Replace(ldif, "2026-02-15", "2026-01-15", 1) != first["accounts.ldif"] {
		t.Errorf("accounts.ldif changed beyond its date line")
	}
}

// TestOutDirCloseRemovesNewParents checks that a run that fails leaves no
// empty folder behind: the parents CreateOutDir made are removed on Close.
func TestOutDirCloseRemovesNewParents(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	d, err := CreateOutDir(filepath.Join(base, "a", "b", "out"), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("after Close, %s holds %v; want nothing", base, entries)
	}
}
