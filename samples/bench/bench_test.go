package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/samples/biglist"
)

func TestGenerateAndFloor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"liste.csv", "liste.xlsx"} {
		if err := generateMode([]string{biglist.Heavy, "500", "1", filepath.Join(dir, name)}); err != nil {
			t.Fatalf("generateMode %s: %v", name, err)
		}
	}
	if err := generateMode([]string{biglist.Heavy, "500", "1", filepath.Join(dir, "liste.ods")}); err == nil {
		t.Errorf("generateMode liste.ods: no error")
	}
	name := filepath.Join(dir, "liste.csv")
	if n, err := floor(name); n != 501 || err != nil {
		t.Errorf("floor(%s) = %d, %v; want 501 records", name, n, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "liste.xlsx")); err != nil || fi.Size() == 0 {
		t.Errorf("liste.xlsx: %v, %v", fi, err)
	}
}

func TestLimitedBuffer(t *testing.T) {
	t.Parallel()
	head := &limitedBuffer{max: 5}
	tail := &limitedBuffer{max: 5, tail: true}
	for _, s := range []string{"abc", "defg", "h", "ijklmnop", "q"} {
		head.Write([]byte(s))
		tail.Write([]byte(s))
	}
	if got := head.String(); got != "abcde" {
		t.Errorf("head = %q; want %q", got, "abcde")
	}
	if got := tail.String(); got != "mnopq" {
		t.Errorf("tail = %q; want %q", got, "mnopq")
	}
}

func TestMeasure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		timeout time.Duration
		want    string
	}{
		{"true", nil, time.Minute, statusOK},
		{"sh", []string{"-c", "echo refused >&2; exit 2"}, time.Minute, "exit 2"},
		{"sleep", []string{"10"}, 100 * time.Millisecond, statusTimeout},
		{"no-such-tool-dccprov-bench", nil, time.Minute, statusMissing},
	}
	for _, tt := range tests {
		m := measure(t.Context(), tt.timeout, dir, false, tt.name, tt.args...)
		if m.status != tt.want {
			t.Errorf("measure(%s %q).status = %q; want %q", tt.name, tt.args, m.status, tt.want)
		}
	}
	if m := measure(t.Context(), time.Minute, dir, false, "sh", "-c", "echo refused >&2; exit 2"); m.note != "refused" {
		t.Errorf("note = %q; want the last line of stderr", m.note)
	}
	// A converter's output goes to /dev/null, not to the harness.
	isNull := `echo converted; test "$(readlink /proc/$$/fd/1)" = /dev/null`
	if m := measure(t.Context(), time.Minute, dir, true, "sh", "-c", isNull); m.status != statusOK || m.stdout != "" {
		t.Errorf("discarded: status %q, stdout %q; want ok and nothing (stdout on /dev/null)", m.status, m.stdout)
	}
	if m := measure(t.Context(), time.Minute, dir, false, "sh", "-c", isNull); m.status == statusOK || m.stdout != "converted\n" {
		t.Errorf("kept: status %q, stdout %q; want a failure (stdout not /dev/null) and the output", m.status, m.stdout)
	}
}

// TestReport checks the table and the goals on made-up measurements.
func TestReport(t *testing.T) {
	t.Parallel()
	ok := func(s float64, mib int64) measurement {
		return measurement{status: statusOK, wall: time.Duration(s * float64(time.Second)), maxRSS: mib << 10}
	}
	rej := func(s float64, mib int64) measurement {
		m := ok(s, mib)
		m.status = statusRejections
		return m
	}
	var list []result
	add := func(size int, mix, tool string, m measurement) {
		list = append(list, result{size: size, mix: mix, tool: tool, measurement: m})
	}
	for _, mix := range []string{biglist.Realistic, biglist.Heavy} {
		add(100_000, mix, toolFloor, ok(0.1, 10))
		add(100_000, mix, toolXLSX2CSV, ok(3, 20))
		add(100_000, mix, toolOpenpyxl, ok(6, 40))
		add(100_000, mix, toolCheckX, rej(0.9, 100))
		add(100_000, mix, toolCheckC, rej(0.5, 90))
		add(100_000, mix, toolRunX, rej(2, 120))
		add(1_000_000, mix, toolFloor, ok(1, 10))
		add(1_000_000, mix, toolXLSX2CSV, ok(30, 20))
		add(1_000_000, mix, toolOpenpyxl, measurement{status: statusTimeout, wall: time.Minute})
		add(1_000_000, mix, toolCheckX, measurement{status: statusRefused, wall: time.Second, note: "too many rows"})
		add(1_000_000, mix, toolCheckC, rej(3.5, 250))
		add(1_000_000, mix, toolRunX, measurement{status: statusRefused, wall: time.Second})
	}
	var b bytes.Buffer
	if err := report(&b, "head", list); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| 100000 | realistic | dccprov check .xlsx | ok (exit 1) | 0.900 | 100.0 | 9.00 | 0.30 |",
		"| 1000000 | heavy | openpyxl read-only | timeout | > 60.000 | 0.0 | — | — |",
		"| 1000000 | realistic | dccprov check .xlsx | refused (exit 2) | 1.000 | 0.0 | — | — |",
		"- 1000000 realistic, dccprov check .xlsx: too many rows",
		"- holds: check of the 100000-row realistic xlsx at least 3× faster than xlsx2csv (0.90 s vs 3.00 s: 3.33× faster)",
		"- holds: check of the 100000-row realistic xlsx within 128 MiB (100.0 MiB)",
		"- **MISSED**: run ≤ 1.5× check, 100000 realistic xlsx (2.00 s vs 0.90 s: 2.22×)",
		"- **MISSED**: 1000000 rows realistic: dccprov check .xlsx within 256 MiB (0.0 MiB, refused (exit 2))",
		"- holds: 1000000 rows realistic: dccprov check .csv within 256 MiB (250.0 MiB, ok (exit 1))",
		"- holds: 1000000 rows realistic: dccprov check .csv ≤ 4× the Go-csv floor (3.50 s vs 1.00 s: 3.50×)",
		"- holds: heavy ≤ 2× realistic, 100000 rows, dccprov check .xlsx (0.90 s vs 0.90 s: 1.00×)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q; got:\n%s", want, out)
		}
	}
}
