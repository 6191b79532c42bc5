package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSamplesUpToDate regenerates the samples and compares them byte for
// byte with the committed ones: the generator is deterministic, and
// samples/ is what it writes. After changing the generator, run
// go run ./samples/gen -o samples/liste-personnels.xlsx.
func TestSamplesUpToDate(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "liste-personnels.xlsx")
	people := generate()
	if err := writeXLSX(out, people); err != nil {
		t.Fatal(err)
	}
	if err := writeCSV(filepath.Join(dir, "liste-personnels.csv"), people); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"liste-personnels.xlsx", "liste-personnels.csv"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("samples/%s differs from what samples/gen writes; run go run ./samples/gen -o samples/liste-personnels.xlsx", name)
		}
	}
}

func TestLuhnKey(t *testing.T) {
	tests := []struct{ payload, want string }{
		{"24000005", "9"},   // FINESS 240000059
		{"2B000534", "2"},   // FINESS 2B0005342: B counts as 2
		{"01000002", "4"},   // FINESS 010000024
		{"1999990000", "4"}, // RPPS 19999900004 (synthetic, 199 range)
	}
	for _, tt := range tests {
		if got := luhnKey(tt.payload); got != tt.want {
			t.Errorf("luhnKey(%q) = %q; want %q", tt.payload, got, tt.want)
		}
	}
}
