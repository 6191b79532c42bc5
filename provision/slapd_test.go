package provision

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The accounts.ldif integration test loads a generated file into a real,
// throwaway slapd with ldapadd, so the schema (inetOrgPerson) and the
// server's own LDIF parser judge it. The LDAP helper's package has its own
// harness; this one stays small on purpose.

const (
	slapdSuffix = "dc=dcc,dc=invalid"
	slapdRootDN = "cn=admin,dc=dcc,dc=invalid"
	slapdRootPW = "secret-for-tests-only"
)

// needTool returns the path of a tool, or skips the test when it is
// missing, except under CI=true where a missing tool fails it.
func needTool(tb testing.TB, name string, fallbacks ...string) string {
	tb.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range fallbacks {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("provision: %s is not installed (run make deps)", name)
	}
	tb.Skipf("provision: %s is not installed; skipping the slapd test (make deps installs it)", name)
	return ""
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startSlapd starts slapd in the foreground as a child process on a free
// loopback port with an empty mdb database for [slapdSuffix], and returns
// its URL. It is stopped by its own PID when the test ends.
func startSlapd(tb testing.TB) string {
	tb.Helper()
	slapd := needTool(tb, "slapd", "/usr/sbin/slapd")
	dir := tb.TempDir()
	db := filepath.Join(dir, "db")
	if err := os.Mkdir(db, 0o700); err != nil {
		tb.Fatal(err)
	}
	var conf strings.Builder
	for _, s := range []string{"core", "cosine", "inetorgperson", "nis"} {
		fmt.Fprintf(&conf, "include /etc/ldap/schema/%s.schema\n", s)
	}
	fmt.Fprintf(&conf, "pidfile %s\n", filepath.Join(dir, "slapd.pid"))
	for _, mp := range []string{"/usr/lib/ldap", "/usr/lib/openldap", "/usr/lib64/openldap"} {
		if _, err := os.Stat(filepath.Join(mp, "back_mdb.la")); err == nil {
			fmt.Fprintf(&conf, "modulepath %s\nmoduleload back_mdb\n", mp)
			break
		}
	}
	fmt.Fprintf(&conf, "database mdb\nmaxsize 10485760\nsuffix %q\nrootdn %q\nrootpw %s\ndirectory %s\n",
		slapdSuffix, slapdRootDN, slapdRootPW, db)
	confPath := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		tb.Fatal(err)
	}

	url := fmt.Sprintf("ldap://127.0.0.1:%d/", freePort(tb))
	var logs bytes.Buffer
	cmd := exec.Command(slapd, "-f", confPath, "-h", url, "-d", "0")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting slapd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		cmd.Process.Kill() // our own child, by its PID
		<-exited
	})

	addr := strings.TrimSuffix(strings.TrimPrefix(url, "ldap://"), "/")
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-exited:
			tb.Fatalf("slapd exited: %v\n%s", err, logs.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return url
		}
		if time.Now().After(deadline) {
			tb.Fatalf("slapd did not listen on %s within 15s\n%s", url, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ldapAdd runs ldapadd with the root DN on ldif.
func ldapAdd(tb testing.TB, url string, ldif []byte) {
	tb.Helper()
	ldapadd := needTool(tb, "ldapadd")
	cmd := exec.Command(ldapadd, "-x", "-H", url, "-D", slapdRootDN, "-w", slapdRootPW)
	cmd.Stdin = bytes.NewReader(ldif)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("ldapadd: %v\n%s\ninput:\n%s", err, out, ldif)
	}
}

// ldapSearch returns the LDIF of the entries under ou=people, attributes
// as stored.
func ldapSearch(tb testing.TB, url, filter string, attrs ...string) string {
	tb.Helper()
	ldapsearch := needTool(tb, "ldapsearch")
	args := append([]string{"-x", "-LLL", "-o", "ldif-wrap=no", "-H", url, "-D", slapdRootDN, "-w", slapdRootPW,
		"-b", "ou=people," + slapdSuffix, filter}, attrs...)
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
	url := startSlapd(t)
	ldapAdd(t, url, []byte("dn: "+slapdSuffix+"\nobjectClass: dcObject\nobjectClass: organization\ndc: dcc\no: DCC\n\n"+
		"dn: ou=people,"+slapdSuffix+"\nobjectClass: organizationalUnit\nou: people\n"))

	people := testPeople()
	for i, o := range oddPeople {
		people = append(people, Person{Row: 100 + i, Status: StatusAccepted, UID: o.uid, FirstName: o.first, BirthName: o.birth,
			Email: fmt.Sprintf("odd%d@chu-exemple.fr", i), Profession: medecin,
			Establishment: Establishment{FINESS: "750000001", Name: o.org}})
	}
	ldapAdd(t, url, writeLDIF(t, people, testConfig(t)))

	got := ldapSearch(t, url, "(uid=jean.dupont)", "o", "employeeNumber")
	for _, want := range []string{"o: Centre Hospitalier Exemple", "o: Clinique Exemple", "employeeNumber: 810001045367"} {
		if !strings.Contains(got, want) {
			t.Errorf("slapd entry of jean.dupont lacks %q:\n%s", want, got)
		}
	}
	all := ldapSearch(t, url, "(objectClass=inetOrgPerson)", "uid")
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
