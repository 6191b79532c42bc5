package main

import "testing"

func TestNearest(t *testing.T) {
	t.Parallel()
	cmds := []string{"check", "run", "forms", "ldap", "template", "explain", "version"}
	tests := []struct{ in, want string }{
		{"chek", "check"},
		{"chcek", "check"}, // a transposition counts one
		{"CHECK", "check"},
		{"templ", "template"}, // a prefix
		{"rnu", "run"},
		{"rn", "run"},
		{"vresion", "version"},
		{"frobnicate", ""},
		{"x", ""},
		{"", ""},
		{"--corection", ""}, // no flag among commands
	}
	for _, tt := range tests {
		if got := nearest(tt.in, cmds); got != tt.want {
			t.Errorf("nearest(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := nearest("--corection", []string{"corrections", "sheet", "json"}); got != "corrections" {
		t.Errorf("nearest(--corection) = %q; want corrections", got)
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"check", "chek", 1}, {"ab", "ba", 1}, {"kitten", "sitting", 3}} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
