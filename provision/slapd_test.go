package provision

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/provision/ldap/ldaptest"
)

// The accounts.ldif integration test loads a generated file into a real,
// throwaway slapd with ldapadd, so the schema (inetOrgPerson) and the
// server's own LDIF parser judge it. The slapd is ldaptest's, which
// imports nothing of ours, so there is no cycle.

// needTool returns the path of a command-line tool, or skips the test when
// it is missing, except under CI=true where a missing tool fails it.
func needTool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("provision: %s is not installed (CI=true): run make deps", name)
		}
		tb.Skipf("provision: %s is not installed; skipping (make deps installs it)", name)
	}
	return p
}

// ldapAdd runs ldapadd with the root DN on ldif.
func ldapAdd(tb testing.TB, srv *ldaptest.Server, ldif []byte) {
	tb.Helper()
	ldapadd := needTool(tb, "ldapadd")
	cmd := exec.Command(ldapadd, "-x", "-H", srv.URL, "-D", srv.BindDN, "-w", srv.Password)
	cmd.Stdin = bytes.NewReader(ldif)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("ldapadd: %v\n%s\ninput:\n%s", err, out, ldif)
	}
}

// ldapSearch returns the LDIF of the entries under ou=people, attributes
// as stored.
func ldapSearch(tb testing.TB, srv *ldaptest.Server, filter string, attrs ...string) string {
	tb.Helper()
	ldapsearch := needTool(tb, "ldapsearch")
	args := append([]string{"-x", "-LLL", "-o", "ldif-wrap=no", "-H", srv.URL, "-D", srv.BindDN, "-w", srv.Password,
		"-b", "ou=people," + srv.BaseDN, filter}, attrs...)
	out, err := exec.Command(ldapsearch, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("ldapsearch: %v\n%s", err, out)
	}
	return string(out)
}

func TestLDIFLoadsIntoSlapd(t *testing.T) {
	if testing.Short() {
		t.Skip("provision: -short skips the slapd test")
	}
	t.Parallel()
	// The LDIF's DNs are under dc=dcc,dc=invalid, ldaptest's base.
	srv := ldaptest.Start(t, ldaptest.Options{NoBase: true, NoTLS: true})
	ldapAdd(t, srv, []byte("dn: "+srv.BaseDN+"\nobjectClass: dcObject\nobjectClass: organization\ndc: dcc\no: DCC\n\n"+
		"dn: ou=people,"+srv.BaseDN+"\nobjectClass: organizationalUnit\nou: people\n"))

	people := testPeople()
	for i, o := range oddPeople {
		people = append(people, Person{Row: 100 + i, Status: StatusAccepted, UID: o.uid, FirstName: o.first, BirthName: o.birth,
			Email: fmt.Sprintf("odd%d@chu-exemple.fr", i), Profession: medecin,
			Establishment: Establishment{FINESS: "750000001", Name: o.org}})
	}
	ldapAdd(t, srv, writeLDIF(t, people, testConfig(t)))

	got := ldapSearch(t, srv, "(uid=jean.dupont)", "o", "employeeNumber")
	for _, want := range []string{"o: Centre Hospitalier Exemple", "o: Clinique Exemple", "employeeNumber: 819999900004"} {
		if !strings.Contains(got, want) {
			t.Errorf("slapd entry of jean.dupont lacks %q:\n%s", want, got)
		}
	}
	all := ldapSearch(t, srv, "(objectClass=inetOrgPerson)", "uid")
	n := 0
	for line := range strings.Lines(all) {
		if strings.HasPrefix(line, "dn:") {
			n++
		}
	}
	if n != 3+len(oddPeople) {
		t.Errorf("slapd holds %d people; want %d:\n%s", n, 3+len(oddPeople), all)
	}
}
