package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/provision/ldap/ldaptest"
	"github.com/dccprov/dccprov/provision/store"
)

// ldapDir writes a synthetic run folder with two people, one of them
// holding CONSULTATION active.
func ldapDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	ldif := `# dccprov accounts — 2026-01-15
version: 1

dn: uid=alice.martin,ou=people,dc=dcc,dc=invalid
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: inetOrgPerson
uid: alice.martin
cn: Alice MARTIN
sn: MARTIN
givenName: Alice
mail: alice.martin@chu-exemple.invalid
employeeType:: TcOpZGVjaW4=
o: Centre Hospitalier Exemple

dn: uid=bruno.petit,ou=people,dc=dcc,dc=invalid
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: inetOrgPerson
uid: bruno.petit
cn: Bruno PETIT
sn: PETIT
givenName: Bruno
mail: bruno.petit@chu-exemple.invalid
employeeType: Infirmier
o: Centre Hospitalier Exemple
`
	csv := "uid,national_id,birth_name,first_name,finess,establishment,habilitation,label,signature,status,form\n" +
		"alice.martin,,MARTIN,Alice,010000001,Centre Hospitalier Exemple,CONSULTATION,Consultation des dossiers,false,active,\n" +
		"bruno.petit,,PETIT,Bruno,010000001,Centre Hospitalier Exemple,ADMIN_3C,Administrateur 3C,true,pending-signature,REF1\n"
	for name, data := range map[string]string{"accounts.ldif": ldif, "habilitations.csv": csv} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLDAPExitCodes(t *testing.T) {
	srv := ldaptest.Start(t, ldaptest.Options{})
	dir := ldapDir(t)
	secrets := t.TempDir()
	good := filepath.Join(secrets, "good")
	bad := filepath.Join(secrets, "bad")
	os.WriteFile(good, []byte(srv.Password+"\n"), 0o600)
	os.WriteFile(bad, []byte("nope\n"), 0o600)
	db := filepath.Join(secrets, "dccprov.db")
	common := func(sub, url, pw string, extra ...string) []string {
		return append([]string{"ldap", sub, dir, "--url", url, "--base-dn", srv.BaseDN, "--bind-dn", srv.BindDN,
			"--bind-password-file", pw, "--date", "2026-01-15", "--store", db}, extra...)
	}
	tests := []struct {
		name     string
		args     []string
		want     int
		stderr   string
		jsonWant string // counts in the --json result
	}{
		{"plan", common("plan", srv.URL, good, "--ca-file", srv.CAFile, "--json"), 0, "", "add=5 modify=0 remove=0 failed=0"},
		{"apply", common("apply", srv.URL, good, "--ca-file", srv.CAFile, "--json"), 0, "", "add=5 modify=0 remove=0 failed=0"},
		{"apply again", common("apply", srv.LDAPSURL, good, "--ca-file", srv.CAFile, "--json"), 0, "", "add=0 modify=0 remove=0 failed=0"},
		{"wrong password", common("apply", srv.URL, bad, "--ca-file", srv.CAFile), 2, "refused the bind DN or password", ""},
		{"untrusted certificate", common("plan", srv.LDAPSURL, good), 2, "--ca-file", ""},
		{"unreachable", common("plan", "ldap://127.0.0.1:1", good), 3, "could not be reached", ""},
		{"no password", []string{"ldap", "plan", dir, "--url", srv.URL, "--bind-dn", srv.BindDN}, 2, "DCCPROV_LDAP_PASSWORD", ""},
		{"not a run folder", common("plan", srv.URL, good, "--ca-file", srv.CAFile)[:2:2], 2, "expected one DIR", ""},
		{"empty folder", append([]string{"ldap", "plan", t.TempDir()}, common("plan", srv.URL, good, "--ca-file", srv.CAFile)[3:]...), 2, "dccprov run", ""},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		got := run(t.Context(), tt.args, strings.NewReader(""), &stdout, &stderr)
		if got != tt.want || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%s: run(%q) = %d, stderr %q; want %d and %q", tt.name, tt.args, got, stderr.String(), tt.want, tt.stderr)
			continue
		}
		if tt.jsonWant != "" {
			var sum struct{ Add, Modify, Remove, Failed int }
			if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
				t.Errorf("%s: stdout is not JSON: %v\n%s", tt.name, err, stdout.String())
				continue
			}
			if c := jsonCounts(sum.Add, sum.Modify, sum.Remove, sum.Failed); c != tt.jsonWant {
				t.Errorf("%s: run(%q) printed %s; want %s", tt.name, tt.args, c, tt.jsonWant)
			}
		}
		if strings.Contains(stderr.String(), "alice.martin@") || strings.Contains(stderr.String(), srv.Password) {
			t.Errorf("%s: stderr shows personal data or the password:\n%s", tt.name, stderr.String())
		}
	}

	// Every operation of the first apply is in the store's audit trail, by
	// DN and attribute names, never values.
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	events, err := st.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	adds := 0
	for _, ev := range events {
		if ev.Action == "ldap.add" {
			adds++
		}
		if strings.Contains(ev.Detail, "@") || strings.Contains(ev.Object, "@") {
			t.Errorf("audit event %+v carries an email", ev)
		}
	}
	if adds != 5 {
		t.Errorf("audit trail holds %d ldap.add events, want 5 (the first apply's adds): %+v", adds, events)
	}
}

// TestLDAPEnv takes every setting from DCCPROV_LDAP_* (the password too).
func TestLDAPEnv(t *testing.T) {
	srv := ldaptest.Start(t, ldaptest.Options{})
	dir := ldapDir(t)
	t.Setenv("DCCPROV_LDAP_URL", srv.URL)
	t.Setenv("DCCPROV_LDAP_BASE_DN", srv.BaseDN)
	t.Setenv("DCCPROV_LDAP_BIND_DN", srv.BindDN)
	t.Setenv("DCCPROV_LDAP_PASSWORD", srv.Password)
	t.Setenv("DCCPROV_LDAP_CA_FILE", srv.CAFile)
	var stdout, stderr bytes.Buffer
	if got := run(t.Context(), []string{"ldap", "apply", dir, "--date", "2026-01-15", "--store", filepath.Join(t.TempDir(), "dccprov.db")}, strings.NewReader(""), &stdout, &stderr); got != 0 {
		t.Fatalf("ldap apply with the environment = %d; want 0\n%s", got, stderr.String())
	}
	if !strings.Contains(stdout.String(), "5 add, 0 modify, 0 remove, 0 unchanged, 0 failed") ||
		!strings.Contains(stdout.String(), "uid=alice.martin,ou=people,dc=dcc,dc=invalid") {
		t.Errorf("ldap apply printed:\n%s", stdout.String())
	}
	if strings.Contains(stdout.String(), "alice.martin@") {
		t.Errorf("values printed without --show-values:\n%s", stdout.String())
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "ldap-undo-20260115T000000.ldif")); len(matches) != 1 {
		t.Errorf("no undo file ldap-undo-20260115T000000.ldif in %s", dir)
	}
}

func jsonCounts(add, modify, remove, failed int) string {
	return fmt.Sprintf("add=%d modify=%d remove=%d failed=%d", add, modify, remove, failed)
}
