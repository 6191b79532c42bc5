package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/creack/pty"
)

// TestProgressOnTerminal runs `run` and `check` with a pseudo-terminal as
// stderr and reads what the terminal shows: a bar for each step, ending
// before the summary. With --no-progress, --json or CI set, the same
// terminal shows no bar. (Without a terminal there is none either: see
// testdata/script/progress.txtar.)
func TestProgressOnTerminal(t *testing.T) {
	t.Setenv("CI", "") // the bar is shown only outside CI; this test runs there too
	list, err := filepath.Abs("../../samples/liste-personnels.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// onTTY runs dccprov with args, a terminal as its stderr, and returns
	// what the terminal received.
	onTTY := func(args ...string) string {
		t.Helper()
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Fatalf("opening a pseudo-terminal: %v", err)
		}
		defer ptmx.Close()
		var got bytes.Buffer
		var wg sync.WaitGroup
		wg.Go(func() { io.Copy(&got, ptmx) }) // until the terminal closes
		var stdout bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &stdout, tty)
		tty.Close()
		wg.Wait()
		if code != 1 { // the sample has rows to reject
			t.Fatalf("dccprov %v: exit %d; want 1\n%s", args, code, got.String())
		}
		return got.String()
	}
	store := []string{"--store", filepath.Join(dir, "dccprov.db"), "--date", "2026-01-15"}
	bar := regexp.MustCompile(`\d+% \|[█ ]+\| \(\d+/\d+\)`)

	out := onTTY(append([]string{"run", list, "-o", filepath.Join(dir, "run")}, store...)...)
	for _, want := range []string{"reading rows (60/-", "rows/s)", "checking rows, writing corrections.xlsx 100%", "(60/60)",
		"writing outputs", "(10/10)", "\r"} { // 7 files and 3 readiness PDFs
		if !strings.Contains(out, want) {
			t.Errorf("run on a terminal: stderr lacks %q:\n%q", want, out)
		}
	}
	if !bar.MatchString(out) {
		t.Errorf("run on a terminal: no bar in stderr:\n%q", out)
	}
	// The bar is done before the log records that follow it.
	if i, j := strings.LastIndex(out, "(10/10)"), strings.Index(out, "wrote outputs"); i < 0 || j < i {
		t.Errorf("run on a terminal: the log comes before the bar ends:\n%q", out)
	}

	corr := filepath.Join(dir, "liste.corrections.xlsx")
	out = onTTY(append([]string{"check", list, "--corrections", corr}, store...)...)
	if !strings.Contains(out, "reading rows") || !strings.Contains(out, "checking rows, writing corrections.xlsx") || !bar.MatchString(out) {
		t.Errorf("check on a terminal: stderr lacks the bars:\n%q", out)
	}

	for _, off := range [][]string{{"--no-progress"}, {"--quiet"}, {"--log-format", "json"}} {
		out := onTTY(append(append([]string{"check", list, "--corrections", corr}, store...), off...)...)
		if strings.Contains(out, "rows") && strings.Contains(out, "%") || strings.Contains(out, "\r") && !strings.Contains(out, "\r\n") {
			t.Errorf("check %v on a terminal: a progress bar is shown:\n%q", off, out)
		}
		if strings.Contains(out, "reading rows") {
			t.Errorf("check %v on a terminal: a progress bar is shown:\n%q", off, out)
		}
	}
	t.Setenv("CI", "true")
	if out := onTTY(append([]string{"check", list, "--corrections", corr}, store...)...); strings.Contains(out, "reading rows") {
		t.Errorf("check under CI on a terminal: a progress bar is shown:\n%q", out)
	}
	_ = os.Remove(corr)
}
