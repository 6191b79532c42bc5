package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/provision"
)

// TestExplainGolden checks the list printed by `dccprov explain` against
// testdata/explain.golden (rewrite with -update), and that each code
// explains itself.
func TestExplainGolden(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"explain"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("run(explain) = %d; stderr %s", code, stderr.String())
	}
	const golden = "testdata/explain.golden"
	if *update {
		if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if stdout.String() != string(want) {
		t.Errorf("run(explain) output differs from %s:\n%s", golden, stdout.String())
	}
	for c, info := range provision.Codes {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"explain", strings.ToLower(string(c))}, strings.NewReader(""), &out, &errOut); code != 0 {
			t.Errorf("run(explain %s) = %d; stderr %s", c, code, errOut.String())
			continue
		}
		if !strings.Contains(out.String(), info.Fix) || !strings.HasPrefix(out.String(), string(c)) {
			t.Errorf("run(explain %s) = %q; want the code and its fix", c, out.String())
		}
	}
}
