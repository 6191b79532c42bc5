package provision

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// memStore is a Store with nothing from earlier runs, for runs whose
// outputs must not depend on a database (the store package has its own
// tests of the loop across runs). A run is in recorded once committed.
type memStore struct {
	state      State
	recorded   []RunRecord
	commitErr  error // returned by Commit, if set
	rolledBack int
}

func (m *memStore) BeginRun(context.Context, time.Time, string) (RunTx, error) {
	return &memTx{m: m}, nil
}

type memTx struct {
	m    *memStore
	r    *RunRecord
	done bool
}

func (t *memTx) Logins(context.Context) (map[string]string, error) { return nil, nil }
func (t *memTx) State(context.Context) (*State, error) {
	s := t.m.state
	return &s, nil
}
func (t *memTx) RecordRun(_ context.Context, r RunRecord) ([]Absence, error) {
	t.r = &r
	return nil, nil
}
func (t *memTx) Commit() error {
	if t.m.commitErr != nil {
		return t.m.commitErr
	}
	t.done = true
	if t.r != nil {
		t.m.recorded = append(t.m.recorded, *t.r)
	}
	return nil
}
func (t *memTx) Rollback() error {
	if !t.done {
		t.done = true
		t.m.rolledBack++
	}
	return nil
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
	if len(st.recorded) != 1 {
		tb.Fatalf("Run(%s) recorded %d runs, want 1", input, len(st.recorded))
	}
	return b
}

// TestRunGolden compares the text outputs of a whole run, byte for byte,
// with testdata/golden/run/CASE/.
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

// TestRunFailsUnrecorded checks that a run whose outputs cannot be
// published records nothing: the store's transaction is rolled back.
func TestRunFailsUnrecorded(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	out, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	// Another program fills DIR while the run writes: publishing must fail.
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := &memStore{}
	if _, err := Run(t.Context(), runCases[0].input, out, st, testConfig(t)); err == nil {
		t.Fatalf("Run into a DIR filled meanwhile = nil; want an error")
	}
	if len(st.recorded) != 0 || st.rolledBack != 1 {
		t.Errorf("Run that could not publish: %d runs recorded, %d rolled back; want 0, 1", len(st.recorded), st.rolledBack)
	}
	if _, err := os.Stat(filepath.Join(dir, "accounts.csv")); err == nil {
		t.Errorf("Run that could not publish left accounts.csv in DIR")
	}
}

// TestRunWriteErrorNamesFileOnce checks that an output that cannot be
// written is named once in the error, not once per layer.
func TestRunWriteErrorNamesFileOnce(t *testing.T) {
	t.Parallel()
	out, err := CreateOutDir(filepath.Join(t.TempDir(), "out"), false)
	if err != nil {
		t.Fatal(err)
	}
	out.Close() // WriteFile now fails
	_, err = Run(t.Context(), runCases[0].input, out, &memStore{}, testConfig(t))
	// The corrections workbook is the first output: it is written while
	// the list streams.
	if err == nil || strings.Count(err.Error(), "corrections.xlsx") != 1 {
		t.Errorf("Run into a closed output folder = %v; want an error naming corrections.xlsx once", err)
	}
}

// TestRunStoreCommitFails checks that when the store cannot commit after
// the outputs are published, the error says so.
func TestRunStoreCommitFails(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	out, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	st := &memStore{commitErr: errors.New("disk full")}
	_, err = Run(t.Context(), runCases[0].input, out, st, testConfig(t))
	if !errors.Is(err, ErrNotRecorded) || !strings.Contains(err.Error(), "--replace") || !strings.Contains(err.Error(), dir) {
		t.Errorf("Run with a failing store commit = %v; want ErrNotRecorded naming %s and --replace", err, dir)
	}
	if len(st.recorded) != 0 {
		t.Errorf("Run with a failing store commit recorded %d runs", len(st.recorded))
	}
}

// TestRunCancelled checks that a cancelled run publishes nothing and
// records nothing.
func TestRunCancelled(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	out, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	st := &cancellingStore{}
	ctx, cancel := context.WithCancel(t.Context())
	st.cancel = cancel
	if _, err := Run(ctx, runCases[0].input, out, st, testConfig(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Run = %v; want context.Canceled", err)
	}
	if len(st.recorded) != 0 || st.rolledBack != 1 {
		t.Errorf("cancelled Run: %d runs recorded, %d rolled back; want 0, 1", len(st.recorded), st.rolledBack)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("cancelled Run published %s", dir)
	}
}

// cancellingStore cancels the run's context once the run is recorded, as
// an interrupt while the files are written would.
type cancellingStore struct {
	memStore
	cancel func()
}

func (c *cancellingStore) BeginRun(ctx context.Context, d time.Time, op string) (RunTx, error) {
	tx, _ := c.memStore.BeginRun(ctx, d, op)
	return &cancellingTx{tx.(*memTx), c.cancel}, nil
}

type cancellingTx struct {
	*memTx
	cancel func()
}

func (c *cancellingTx) RecordRun(ctx context.Context, r RunRecord) ([]Absence, error) {
	defer c.cancel()
	return c.memTx.RecordRun(ctx, r)
}

// TestRunPrintsPendingForms checks that a run writes again, byte for byte,
// the forms of its establishments still awaiting signature, and only
// those.
func TestRunPrintsPendingForms(t *testing.T) {
	t.Parallel()
	firstDir := filepath.Join(t.TempDir(), "first")
	first := runBatchStore(t, runCases[0].input, firstDir, &memStore{})
	if len(first.Forms) == 0 {
		t.Fatal("the sample run made no form")
	}
	// The next run knows those forms as pending, plus one of an
	// establishment not in the list.
	other := first.Forms[0]
	other.Ref, other.Establishment = "F-999999999-20260101-000000", Establishment{FINESS: "999999999", Name: "Ailleurs"}
	st := &memStore{state: State{Pending: append(slices.Clone(first.Forms), other), Requests: map[RequestKey]RequestState{}}}
	for _, p := range first.People {
		for _, r := range p.Habilitations {
			if r.Form != "" {
				st.state.Requests[RequestKey{p.Key(), p.Establishment.Key(), r.Code}] = RequestState{Status: r.Status, Form: r.Form}
			}
		}
	}
	cfg := testConfig(t)
	cfg.Date = cfg.Date.AddDate(0, 1, 0) // a later run: the forms keep their date
	dir := filepath.Join(t.TempDir(), "second")
	out, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	b, err := Run(t.Context(), runCases[0].input, out, st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Forms) != 0 || len(b.Pending) != len(first.Forms) {
		t.Fatalf("second run: %d new forms, %d pending; want 0, %d", len(b.Forms), len(b.Pending), len(first.Forms))
	}
	for _, f := range first.Forms {
		x, err := os.ReadFile(filepath.Join(firstDir, "forms", f.Ref+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(dir, "forms", f.Ref+".pdf"))
		if err != nil {
			t.Fatalf("second run: pending form %s not written: %v", f.Ref, err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("second run: pending form %s differs from its first print", f.Ref)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "forms", other.Ref+".pdf")); err == nil {
		t.Errorf("second run printed %s, a form of an establishment not in the list", other.Ref)
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(report, []byte(`"forms": []`)) || !bytes.Contains(report, []byte(`"absent": []`)) {
		t.Errorf("report.json of a run with no new form and nobody absent lacks \"forms\": [] or \"absent\": []")
	}
}

func runBatchStore(tb testing.TB, input, dir string, st Store) *Batch {
	tb.Helper()
	out, err := CreateOutDir(dir, false)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	b, err := Run(context.Background(), input, out, st, testConfig(tb))
	if err != nil {
		tb.Fatalf("Run(%s): %v", input, err)
	}
	return b
}

// TestCheckReportHasNoRunFields checks that `check --json` leaves out what
// only a run knows, while a run's report always has it (TestRunPrintsPendingForms).
func TestCheckReportHasNoRunFields(t *testing.T) {
	t.Parallel()
	res, err := Check(t.Context(), runCases[0].input, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteReport(&b, res.Report); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte(`"forms"`)) || bytes.Contains(b.Bytes(), []byte(`"absent"`)) {
		t.Errorf("check report has \"forms\" or \"absent\"; want neither")
	}
}

// TestRunPDFErrorStopsRun checks that a form that cannot be rendered,
// written while the other outputs are (a lane of its own), fails the run
// with one sentence naming the form, and leaves neither outputs nor a
// record.
func TestRunPDFErrorStopsRun(t *testing.T) {
	t.Parallel()
	first := runBatch(t, runCases[0].input, filepath.Join(t.TempDir(), "first"))
	if len(first.Forms) == 0 {
		t.Fatalf("%s gives no form; the test needs one", runCases[0].input)
	}
	logos := t.TempDir()
	for _, f := range first.Forms {
		if err := os.WriteFile(filepath.Join(logos, f.Establishment.FINESS+".png"), []byte("not a PNG"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	out, err := CreateOutDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cfg := testConfig(t)
	cfg.LogosDir = logos
	st := &memStore{}
	_, err = Run(t.Context(), runCases[0].input, out, st, cfg)
	if err == nil || strings.Count(err.Error(), "forms/F-") != 1 || !strings.Contains(err.Error(), "PNG or JPEG") {
		t.Errorf("Run with a broken logo = %v; want an error naming one form and what to do", err)
	}
	if len(st.recorded) != 0 || st.rolledBack != 1 {
		t.Errorf("Run with a broken logo: %d runs recorded, %d rolled back; want 0, 1", len(st.recorded), st.rolledBack)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("Run with a broken logo published %s", dir)
	}
}

// TestWriteLanesFirstErrorStops checks that a lane that fails stops the
// others between two files and that its error, not the others' stop, is
// returned.
func TestWriteLanesFirstErrorStops(t *testing.T) {
	t.Parallel()
	out, err := CreateOutDir(filepath.Join(t.TempDir(), "out"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	broken := errors.New("logo X.png: not a PNG; save it as PNG or JPEG")
	write := func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }
	var wrote atomic.Bool
	// The first lane waits, in its first file, until it is stopped: were
	// the failing lane not to stop it, it would wait for the timeout.
	first := []outFile{
		{name: "a.csv", write: write, before: func(ctx context.Context) error {
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Errorf("the failing lane did not stop the other within 10 s")
			}
			return nil
		}},
		{name: "b.csv", write: func(w io.Writer) error { wrote.Store(true); return write(w) }},
	}
	failing := []outFile{{name: "forms/F.pdf", write: func(io.Writer) error { return broken }}}
	err = writeLanes(t.Context(), out, nil, first, failing)
	if !errors.Is(err, broken) {
		t.Errorf("writeLanes with a failing lane = %v; want its error", err)
	}
	if wrote.Load() {
		t.Errorf("writeLanes went on with the next file of a stopped lane")
	}
	if err := writeLanes(t.Context(), out, nil, []outFile{{name: "c.csv", write: write}}, nil); err != nil {
		t.Errorf("writeLanes of one file and an empty lane = %v", err)
	}
}
