package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionBash sources the script of `dccprov completion bash` in a
// real bash and completes a few lines with COMP_WORDS, as bash does on TAB.
func TestCompletionBash(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bash is not installed; CI must run this test")
		}
		t.Skip("bash is not installed")
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"completion", "bash"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("completion bash: exit %d, stderr %q", code, stderr.String())
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "dccprov.bash")
	if err := os.WriteFile(script, stdout.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "liste.csv"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string // the words, the last one being completed
		want string // COMPREPLY, space-separated
	}{
		{"dccprov ch", "check"},
		{"dccprov co", "completion"},
		{"dccprov explain EMAIL_", "EMAIL_DOMAIN_TYPO EMAIL_GENERIC EMAIL_INVALID EMAIL_MISSING EMAIL_PERSONAL EMAIL_SHARED"},
		{"dccprov explain EMAIL_MISSING E", ""},
		{"dccprov forms s", "sign"},
		{"dccprov ldap a", "apply"},
		{"dccprov completion b", "bash"},
		{"dccprov --date 2026-01-15 r", "run"},
		{"dccprov run --r", "--replace"},
		{"dccprov forms sign --si", "--signer"},
		{"dccprov check --corrections li", "liste.csv"},
		{"dccprov check li", "liste.csv"},
	}
	for _, tt := range tests {
		// The words go to bash as arguments, never through its parser.
		prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _dccprov; echo "${COMPREPLY[*]}"`
		words := strings.Fields(tt.line)
		if strings.HasSuffix(tt.line, " ") {
			words = append(words, "")
		}
		cmd := exec.Command(bash, append([]string{"--norc", "--noprofile", "-c", prog, "bash", script}, words...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: bash: %v\n%s", tt.line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != tt.want {
			t.Errorf("%q completes to %q; want %q", tt.line, got, tt.want)
		}
	}
}
