package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// update rewrites golden files and testscript expectations: go test ./cmd/dccprov -update.
var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"dccprov": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// fixturesDir is the absolute path of the shared test lists.
var fixturesDir, _ = filepath.Abs(filepath.Join("..", "..", "provision", "testdata", "fixtures"))

// TestScript runs the CLI scenarios of testdata/script/*.txtar, each in a
// fresh temporary folder with dccprov registered in-process.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			// Tests must not depend on the machine's clock or user.
			env.Setenv("SOURCE_DATE_EPOCH", "1768435200") // 2026-01-15
			env.Setenv("USER", "testeur")
			// FIXTURES holds the staff lists of provision/testdata/fixtures
			// (binary workbooks a .txtar cannot carry).
			env.Setenv("FIXTURES", fixturesDir)
			return nil
		},
	})
}

func TestParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct{ args, want []string }{
		{[]string{"a.csv", "--quiet"}, []string{"a.csv"}},
		{[]string{"--", "-x.csv"}, []string{"-x.csv"}},
		{[]string{"a.csv", "--", "-x", "--json"}, []string{"a.csv", "-x", "--json"}},
		{[]string{"--quiet", "a.csv", "--", "--"}, []string{"a.csv", "--"}},
	}
	for _, tt := range tests {
		e := &env{stderr: io.Discard}
		got, err := e.parseArgs(e.newFlagSet("check"), tt.args)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("parseArgs(%q) = %q, %v; want %q", tt.args, got, err, tt.want)
		}
		if e.g.json {
			t.Errorf("parseArgs(%q) set --json; want it a positional", tt.args)
		}
	}
}
