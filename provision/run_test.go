package provision

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// memStore is a Store with nothing from earlier runs, for runs whose
// outputs must not depend on a database (the store package has its own
// tests of the loop across runs).
type memStore struct{ recorded []RunRecord }

func (m *memStore) Logins(context.Context) (map[string]string, error) { return nil, nil }
func (m *memStore) State(context.Context) (*State, error)             { return &State{}, nil }
func (m *memStore) RecordRun(_ context.Context, r RunRecord) ([]Absence, error) {
	m.recorded = append(m.recorded, r)
	return nil, nil
}

// runCases are staff lists written by other programs (the shared fixtures)
// and our own sample, each run through the whole batch.
var runCases = []struct{ name, input string }{
	{"samples", "../samples/liste-personnels.xlsx"},
	{"excel-fr", "testdata/fixtures/liste-excel-fr.csv"},
	{"openpyxl", "testdata/fixtures/liste-openpyxl.xlsx"},
}

func runBatch(tb testing.TB, input, dir string) *Batch {
	tb.Helper()
	out, err := CreateOutDir(dir, false)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	st := &memStore{}
	b, err := Run(context.Background(), input, out, st, testConfig(tb))
	if err != nil {
		tb.Fatalf("Run(%s): %v", input, err)
	}
	if err := out.Commit(); err != nil {
		tb.Fatal(err)
	}
	if len(st.recorded) != 1 {
		tb.Fatalf("Run(%s) recorded %d runs, want 1", input, len(st.recorded))
	}
	return b
}

// TestRunGolden compares the text outputs of a whole run, byte for byte,
// with testdata/out/run/CASE/.
func TestRunGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range runCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "out")
			b := runBatch(t, tc.input, dir)
			for _, name := range []string{"accounts.csv", "habilitations.csv", "accounts.ldif", "report.json"} {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("run", tc.name, name), got)
			}
			for _, f := range b.Forms {
				if _, err := os.Stat(filepath.Join(dir, "forms", f.Ref+".pdf")); err != nil {
					t.Errorf("form %s: %v", f.Ref, err)
				}
			}
		})
	}
}

// TestRunDeterministic runs the same list twice and expects identical
// bytes in every file, workbooks and PDF forms included.
func TestRunDeterministic(t *testing.T) {
	t.Parallel()
	for _, tc := range runCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
			runBatch(t, tc.input, a)
			runBatch(t, tc.input, b)
			files := 0
			err := filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(a, path)
				x, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				y, err := os.ReadFile(filepath.Join(b, rel))
				if err != nil {
					return err
				}
				if !bytes.Equal(x, y) {
					t.Errorf("%s differs between two runs of the same input", rel)
				}
				files++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if files < 7 {
				t.Errorf("a run wrote %d files, want at least 7", files)
			}
		})
	}
}

// TestRunModes checks the modes SPEC asks for personal data: DIR 0700,
// every file 0600.
func TestRunModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	runBatch(t, runCases[0].input, dir)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
