package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBashCompletion sources the script in a real bash and completes a few
// lines with the function complete -F registers, as bash does on TAB.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bash not found")
		}
		t.Skip("bash not found")
	}
	dir := t.TempDir()
	var script bytes.Buffer
	if err := writeBashCompletion(t.Context(), &script, commands); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dccprov.bash")
	if err := os.WriteFile(path, script.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"liste.csv", "liste.xlsx", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A stand-in dccprov for the form REFs: what `forms list --json` prints.
	fake := filepath.Join(dir, "fake-dccprov")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n[ \"$1 $2 $3\" = 'forms list --json' ] || exit 2\n"+
		"printf '[\\n  {\"ref\": \"F-440000172-20260115\", \"status\": \"pending\"},\\n  {\"ref\": \"F-920300555-20260115\"}\\n]\\n'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string // the words before the cursor, the last one being completed
		want []string
	}{
		{"dccprov ch", []string{"check"}},
		{"dccprov rea", []string{"readiness"}},
		{"dccprov readiness --h", []string{"--help", "--history"}},
		{"dccprov c", []string{"check", "completion"}},
		{"dccprov explain EMAIL_", []string{"EMAIL_DOMAIN_TYPO", "EMAIL_GENERIC", "EMAIL_INVALID", "EMAIL_MISSING", "EMAIL_PERSONAL", "EMAIL_SHARED"}},
		{"dccprov forms s", []string{"sign"}},
		{"dccprov ldap ", []string{"--help", "apply", "plan"}},
		{"dccprov check --co", []string{"--config", "--corrections"}},
		{"dccprov ldap apply --pr", []string{"--prune"}},
		{"dccprov run -", nil}, // checked below: has -o and --replace
		{"dccprov check liste.", []string{"liste.csv", "liste.xlsx"}},
		{"dccprov --json chec", []string{"check"}},
		{"dccprov check --log-format j", []string{"json"}},
		{"FAKE forms sign F-44", []string{"F-440000172-20260115"}},
		{"FAKE forms print --store x.db ", []string{"F-440000172-20260115", "F-920300555-20260115"}},
		{"dccprov forms sign F-1 --signer", []string{"--signer"}},
	}
	for _, tt := range tests {
		words := strings.Split(strings.Replace(tt.line, "FAKE", fake, 1), " ")
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+w+"'")
		}
		prog := "source " + path + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
			string(rune('0'+len(words)-1)) + "\n_dccprov\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%q: bash: %v\n%s", tt.line, err, out)
			continue
		}
		var got []string
		for l := range strings.Lines(string(out)) {
			if l = strings.TrimSpace(l); l != "" {
				got = append(got, l)
			}
		}
		slices.Sort(got)
		if tt.want == nil {
			if !slices.Contains(got, "-o") || !slices.Contains(got, "--replace") || slices.Contains(got, "--o") {
				t.Errorf("%q completes to %v; want -o and --replace among them", tt.line, got)
			}
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q completes to %v; want %v", tt.line, got, tt.want)
		}
	}
}
