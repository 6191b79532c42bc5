package provision

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// codeConstants returns the values of the constants of type Code declared
// in problem.go.
func codeConstants(tb testing.TB) []string {
	tb.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "problem.go", nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					tb.Fatalf("problem.go: Code constant with a non-literal value")
				}
				s, _ := strconv.Unquote(lit.Value)
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestCodesGolden checks that every Code constant has a catalogue entry,
// that the catalogue has no other entry, and that the list is the one of
// testdata/codes.golden: codes are never renamed or dropped.
func TestCodesGolden(t *testing.T) {
	t.Parallel()
	consts := codeConstants(t)
	var cat []string
	for _, c := range slices.Sorted(maps.Keys(Codes)) {
		cat = append(cat, string(c))
		info := Codes[c]
		if info.Title == "" || info.Fix == "" || info.Example == "" ||
			info.Severity != SeverityError && info.Severity != SeverityWarning && info.Severity != SeverityInfo {
			t.Errorf("Codes[%s] = %+v; want severity, title, example and fix", c, info)
		}
	}
	if !slices.Equal(consts, cat) {
		t.Errorf("Code constants %v\ncatalogue %v\nwant the same list", consts, cat)
	}
	got := strings.Join(cat, "\n") + "\n"
	const golden = "testdata/codes.golden"
	if old, err := os.ReadFile(golden); err == nil {
		for c := range strings.FieldsSeq(string(old)) {
			if !slices.Contains(cat, c) {
				t.Errorf("code %s of %s is gone from the catalogue; codes are never renamed or removed", c, golden)
			}
		}
	}
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("codes differ from %s (a code may be added with -update, never renamed or removed):\n got %q\nwant %q", golden, got, want)
	}
}

// TestREADMEListsEveryCode keeps the README's table of problem codes in
// step with the catalogue, which is its source.
func TestREADMEListsEveryCode(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for code, info := range Codes {
		row := fmt.Sprintf("| `%s` | %s | %s |", code, info.Severity, info.Title)
		if !strings.Contains(string(data), row) {
			t.Errorf("README.md lacks the row %q", row)
		}
	}
}
