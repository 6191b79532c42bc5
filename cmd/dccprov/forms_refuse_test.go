package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/provision/store"
)

// TestRefusedLines checks the rules of --refuse and --reason on forms
// sign: one without the other, a number that is not one, a repeated
// number, each a usage error (exit 2) with one sentence.
func TestRefusedLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		refuse, reason string
		want           []int
		wantErr        string // in the message; "" for none
	}{
		{"", "", nil, ""},
		{"2", "Non", []int{2}, ""},
		{"5,2", "Non", []int{2, 5}, ""},
		{" 1 , 3 ", "Non", []int{1, 3}, ""},
		{"2", "", nil, "--refuse 2 needs --reason TEXT"},
		{"2", "   ", nil, "--refuse 2 needs --reason TEXT"},
		{"", "Non", nil, "--reason goes with --refuse"},
		{"2,2", "Non", nil, "line 2 is given twice"},
		{"0", "Non", nil, `"0" is not a line number`},
		{"-1", "Non", nil, `"-1" is not a line number`},
		{"2,", "Non", nil, `"" is not a line number`},
		{"deux", "Non", nil, `"deux" is not a line number`},
	}
	for _, tt := range tests {
		got, err := refusedLines(tt.refuse, tt.reason)
		if tt.wantErr == "" {
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("refusedLines(%q, %q) = %v, %v; want %v", tt.refuse, tt.reason, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitCode(err) != 2 || strings.Count(err.Error(), "\n") != 0 {
			t.Errorf("refusedLines(%q, %q) = %v, %v; want a one-line usage error with %q", tt.refuse, tt.reason, got, err, tt.wantErr)
		}
	}
}

// TestFormsSignRefuse signs a seeded form with one line refused and checks
// the JSON printed, the store's form and that a second decision is refused.
func TestFormsSignRefuse(t *testing.T) {
	t.Parallel()
	path, forms := seedFormsStore(t)
	ref := forms[0].Ref
	n := len(forms[0].RequestLines())
	if n < 1 {
		t.Fatalf("seeded form %s has no request line", ref)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"forms", "sign", ref, "--signer", "Dr X", "--refuse", "1", "--reason", "Non", "--date", "2026-01-20", "--store", path, "--json"},
		strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("forms sign --refuse 1: exit %d, stderr %s", code, stderr.String())
	}
	var got signedJSON
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("forms sign --json: %v\n%s", err, stdout.String())
	}
	wantStatus := store.FormSigned
	if n == 1 {
		wantStatus = store.FormRejected // every line refused
	}
	if got.Ref != ref || got.Status != wantStatus || !slices.Equal(got.Refused, []int{1}) || got.Form.Refused != 1 || got.Form.Signer != "Dr X" {
		t.Errorf("forms sign --json = %+v; want %s %s, line 1 refused, signed by Dr X", got, ref, wantStatus)
	}
	stderr.Reset()
	code = run(context.Background(), []string{"forms", "sign", ref, "--signer", "Dr X", "--store", path}, strings.NewReader(""), &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "already") {
		t.Errorf("forms sign again: exit %d, stderr %q; want 2, already signed", code, stderr.String())
	}
	// A line the form does not print.
	stderr.Reset()
	code = run(context.Background(), []string{"forms", "sign", forms[1].Ref, "--signer", "Dr X", "--refuse", "99", "--reason", "Non", "--date", "2026-01-20", "--store", path},
		strings.NewReader(""), &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "numbers its request lines 1 to") {
		t.Errorf("forms sign --refuse 99: exit %d, stderr %q; want 2 and the lines of the form", code, stderr.String())
	}
}

// TestFormsListRefusedWhole checks the row `forms list` prints for a form
// signed with every line refused: rejected, every request counted as
// refused, and the signer kept (a form rejected whole shows "-").
func TestFormsListRefusedWhole(t *testing.T) {
	t.Parallel()
	path, forms := seedFormsStore(t)
	ref := forms[0].Ref
	var all []string
	for i := range forms[0].RequestLines() {
		all = append(all, strconv.Itoa(i+1))
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"forms", "sign", ref, "--signer", "Dr X", "--refuse", strings.Join(all, ","), "--reason", "Non", "--date", "2026-01-20", "--store", path},
		strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("forms sign --refuse %s: exit %d, stderr %s", strings.Join(all, ","), code, stderr.String())
	}
	code = run(t.Context(), []string{"forms", "reject", forms[1].Ref, "--reason", "Non", "--date", "2026-01-20", "--store", path}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("forms reject: exit %d, stderr %s", code, stderr.String())
	}
	stdout.Reset()
	code = run(t.Context(), []string{"forms", "list", "--status", "rejected", "--store", path}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("forms list: exit %d, stderr %s", code, stderr.String())
	}
	want := map[string]*regexp.Regexp{
		ref:          regexp.MustCompile(`  ` + strconv.Itoa(len(all)) + `  +rejected  +2026-01-15  +2026-01-20  +Dr X$`),
		forms[1].Ref: regexp.MustCompile(`  ` + strconv.Itoa(len(forms[1].RequestLines())) + `  +rejected  +2026-01-15  +2026-01-20  +-$`),
	}
	for l := range strings.Lines(stdout.String()) {
		l = strings.TrimRight(l, "\n")
		for r, re := range want {
			if strings.HasPrefix(l, r+" ") {
				if !re.MatchString(l) {
					t.Errorf("forms list row %q; want it to match %s", l, re)
				}
				delete(want, r)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("forms list --status rejected:\n%s\nwant a row for each of %v", stdout.String(), slices.Sorted(maps.Keys(want)))
	}
}
