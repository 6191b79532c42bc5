package ldap

import "testing"

// TestCanonicalShortcut checks that the parser-free path of canonical gives
// what the parser gives, and that DNs needing the parser take it.
func TestCanonicalShortcut(t *testing.T) {
	tests := []struct {
		dn    string
		plain bool
	}{
		{"uid=user000001,ou=people,dc=dcc,dc=invalid", true},
		{"UID=Jean.Dupont,OU=People,DC=dcc,DC=invalid", true},
		{"cn=CONSULTATION,ou=groups,dc=dcc,dc=invalid", true},
		{"uid=a_b-c@d.e,dc=x", true},
		{"2.5.4.3=x,dc=y", true},
		{"uid=jean dupont,dc=x", false},
		{"uid=jean,  dc=x", false},
		{"uid=a\\,b,dc=x", false},
		{`cn="quoted",dc=x`, false},
		{"uid=a+cn=b,dc=x", false},
		{"uid=#41,dc=x", false},
		{"uid=é,dc=x", false},
		{"uid=a=b,dc=x", false},
		{"uid=,dc=x", false},
		{"=a,dc=x", false},
		{"uid=a,,dc=x", false},
		{"uid=a,", false},
		{"uid=a,dc=", false},
		{"uid", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := plainDN(tt.dn); got != tt.plain {
			t.Errorf("plainDN(%q) = %v; want %v", tt.dn, got, tt.plain)
		}
		if got, want := canonical(tt.dn), parsedCanonical(tt.dn); got != want {
			t.Errorf("canonical(%q) = %q; want %q (as parsed)", tt.dn, got, want)
		}
	}
}

// FuzzCanonical checks the shortcut against the parser on any input.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"uid=a,ou=people,dc=dcc,dc=invalid", "uid=a\\2Cb,dc=x", "cn= x ,dc=y", "a=b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dn string) {
		if got, want := canonical(dn), parsedCanonical(dn); got != want {
			t.Errorf("canonical(%q) = %q; want %q (as parsed)", dn, got, want)
		}
	})
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true,
		"192.0.2.2": false, "ldap.example.invalid": false, "::ffff:192.0.2.2": false, "": false,
	} {
		if got := loopback(host); got != want {
			t.Errorf("loopback(%q) = %v; want %v", host, got, want)
		}
	}
}
