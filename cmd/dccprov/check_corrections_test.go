package main

import "testing"

func TestCorrectionsPath(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"liste.xlsx", "liste.corrections.xlsx"},
		{"/tmp/envoi/Liste CHU.v2.csv", "Liste CHU.v2.corrections.xlsx"},
		{"../liste", "liste.corrections.xlsx"},
	} {
		if got := correctionsPath(tt.in); got != tt.want {
			t.Errorf("correctionsPath(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
