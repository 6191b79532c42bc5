// Package ldaptest starts a throwaway OpenLDAP slapd for tests: 127.0.0.1,
// a temporary folder, a test CA and server certificate for StartTLS and
// LDAPS, stopped by its own process ID.
package ldaptest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// Options shape the server.
type Options struct {
	// NoSync trades durability for speed (dbnosync), for benchmarks.
	NoSync bool
	// NoBase leaves the base entry out (it is created by default).
	NoBase bool
	// Unlimited lifts the size limit of [Server.UserDN] on paged searches
	// (limits … size.prtotal=unlimited), as the README tells operators to.
	// Without it the user reads at most 500 entries in total, slapd's
	// default for every bind but the rootdn.
	Unlimited bool
	// Host is the address slapd listens on (default 127.0.0.1).
	Host string
	// NoTLS runs slapd without TLS: StartTLS is refused and there is no
	// LDAPS URL.
	NoTLS bool
}

// Server is a running (or stopped) slapd.
type Server struct {
	URL      string // ldap://127.0.0.1:PORT (StartTLS offered)
	LDAPSURL string // ldaps://127.0.0.1:PORT
	BaseDN   string
	BindDN   string
	Password string
	// UserDN is an ordinary (non-rootdn) account with write access to the
	// whole base, subject to slapd's size limits; its password is
	// UserPassword. It exists unless Options.NoBase is set.
	UserDN, UserPassword string
	// CAFile is the PEM of the CA that signed the server certificate.
	CAFile string
	CAPool *x509.CertPool
	Dir    string

	conf, urls string
	noTLS      bool
	cmd        *exec.Cmd
	exited     chan error
}

// Slapd is where Debian installs slapd.
const Slapd = "/usr/sbin/slapd"

// Require skips the test when slapd is not installed, or fails it under
// CI=true, where integration tests must run.
func Require(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(Slapd); err == nil {
		return
	}
	if _, err := exec.LookPath("slapd"); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("slapd is not installed (Debian package slapd); CI requires it")
	}
	t.Skip("slapd is not installed (Debian package slapd): skipping the LDAP integration test")
}

// Start starts a slapd with base dc=dcc,dc=invalid and its base entry,
// stopped when the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	s := &Server{
		BaseDN:   "dc=dcc,dc=invalid",
		BindDN:   "cn=admin,dc=dcc,dc=invalid",
		Password: "test-secret",
		UserDN:   "cn=dccprov,dc=dcc,dc=invalid",
		Dir:      dir,
		CAFile:   filepath.Join(dir, "ca.pem"),
	}
	s.UserPassword = "user-secret"
	s.noTLS = opt.NoTLS
	s.writeCerts(t)
	host := opt.Host
	if host == "" {
		host = "127.0.0.1"
	}
	tlsConf := ""
	if !opt.NoTLS {
		tlsConf = fmt.Sprintf("TLSCACertificateFile %[1]s/ca.pem\nTLSCertificateFile %[1]s/server.pem\nTLSCertificateKeyFile %[1]s/server.key\n", dir)
	}
	limits := ""
	if opt.Unlimited {
		limits = fmt.Sprintf("limits dn.exact=%q size.prtotal=unlimited\n", s.UserDN)
	}
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	nosync := ""
	if opt.NoSync {
		nosync = "dbnosync\n"
	}
	conf := fmt.Sprintf(`include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
%[9]spidfile %[1]s/slapd.pid
argsfile %[1]s/slapd.args
%[6]ssizelimit 500
database mdb
maxsize 2147483648
suffix "%[2]s"
rootdn "%[3]s"
rootpw %[4]s
directory %[1]s/db
%[5]s%[7]sindex objectClass eq
index uid eq
index member eq
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="%[8]s" write by * read
`, dir, s.BaseDN, s.BindDN, s.Password, nosync, tlsConf, limits, s.UserDN, moduleConf())
	s.conf = filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(s.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// freePort's port is free only until it is closed: another process
	// may take it before slapd binds, and slapd then exits. Try again on
	// other ports.
	const attempts = 5
	var err error
	for range attempts {
		s.URL = "ldap://" + net.JoinHostPort(host, strconv.Itoa(freePort(t, host)))
		s.urls = s.URL + "/"
		if !opt.NoTLS {
			s.LDAPSURL = "ldaps://" + net.JoinHostPort(host, strconv.Itoa(freePort(t, host)))
			s.urls += " " + s.LDAPSURL + "/"
		}
		var retry bool
		if retry, err = s.launch(); err == nil || !retry {
			break
		}
		t.Logf("ldaptest: %v; trying other ports", err)
	}
	if err != nil {
		t.Fatalf("ldaptest: %v", err)
	}
	t.Cleanup(func() { s.Stop(t) })
	if !opt.NoBase {
		conn := s.Conn(t)
		defer conn.Close()
		req := goldap.NewAddRequest(s.BaseDN, nil)
		req.Attribute("objectClass", []string{"top", "dcObject", "organization"})
		req.Attribute("dc", []string{"dcc"})
		req.Attribute("o", []string{"DCC test"})
		if err := conn.Add(req); err != nil {
			t.Fatalf("adding the base entry: %v", err)
		}
		req = goldap.NewAddRequest(s.UserDN, nil)
		req.Attribute("objectClass", []string{"top", "organizationalRole", "simpleSecurityObject"})
		req.Attribute("cn", []string{"dccprov"})
		req.Attribute("userPassword", []string{s.UserPassword})
		if err := conn.Add(req); err != nil {
			t.Fatalf("adding the user entry: %v", err)
		}
	}
	return s
}

// Restart starts slapd again (after Stop) on the same ports and data.
// The ports were free while slapd held them, but another process may take
// one once it stops, so Restart retries for 15s before failing the test.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if s.cmd != nil {
		t.Fatal("ldaptest: slapd is already running")
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		retry, err := s.launch()
		if err == nil {
			return
		}
		if !retry || time.Now().After(deadline) {
			t.Fatalf("ldaptest: restarting slapd on %s: %v", s.urls, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// launch starts slapd on s.urls and waits until it serves: its pidfile
// holds our child's PID (slapd writes it once its listeners are bound), a
// TCP dial to s.URL succeeds, and the child is still running. A dial alone
// could reach another test's slapd on a port ours failed to bind. When the
// child exits first (a port taken, most likely) launch returns an error
// with slapd's output and retry set.
func (s *Server) launch() (retry bool, err error) {
	slapd := Slapd
	if _, err := os.Stat(slapd); err != nil {
		slapd = "slapd"
	}
	pidfile := filepath.Join(s.Dir, "slapd.pid")
	os.Remove(pidfile) // a killed slapd leaves its pidfile behind
	var out strings.Builder
	cmd := exec.Command(slapd, "-d", "0", "-f", s.conf, "-h", s.urls)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("starting slapd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	pid := strconv.Itoa(cmd.Process.Pid)
	addr := strings.TrimPrefix(s.URL, "ldap://")
	deadline := time.Now().Add(10 * time.Second)
	for {
		// out is read only once Wait has returned: exec copies into it
		// until then.
		select {
		case err := <-exited:
			return true, fmt.Errorf("slapd exited (%v) before serving on %s: %s", err, s.urls, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if b, err := os.ReadFile(pidfile); err == nil && strings.TrimSpace(string(b)) == pid {
			if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
				c.Close()
				select {
				case err := <-exited:
					return true, fmt.Errorf("slapd exited (%v) while starting on %s: %s", err, s.urls, out.String())
				default:
				}
				s.cmd, s.exited = cmd, exited
				return false, nil
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill() // our own child, by its PID
			<-exited
			return false, fmt.Errorf("slapd did not accept connections on %s within 10s: %s", s.urls, out.String())
		}
	}
}

// moduleConf loads back_mdb from where the distribution keeps it; a slapd
// with the backend built in needs no line.
func moduleConf() string {
	for _, dir := range []string{"/usr/lib/ldap", "/usr/lib/openldap", "/usr/lib64/openldap"} {
		if _, err := os.Stat(filepath.Join(dir, "back_mdb.la")); err == nil {
			return fmt.Sprintf("modulepath %s\nmoduleload back_mdb\n", dir)
		}
	}
	return ""
}

// Stop stops slapd by its process ID (SIGTERM, then SIGKILL after 10s).
// It does nothing when slapd is not running.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Conn returns a connection bound as the administrator, over StartTLS
// (plain with Options.NoTLS).
func (s *Server) Conn(t testing.TB) *goldap.Conn {
	t.Helper()
	conn, err := goldap.DialURL(s.URL)
	if err != nil {
		t.Fatalf("connecting to slapd: %v", err)
	}
	if s.noTLS {
		if err := conn.Bind(s.BindDN, s.Password); err != nil {
			conn.Close()
			t.Fatalf("binding to slapd: %v", err)
		}
		return conn
	}
	if err := conn.StartTLS(&tls.Config{RootCAs: s.CAPool, ServerName: "127.0.0.1"}); err != nil {
		conn.Close()
		t.Fatalf("StartTLS to slapd: %v", err)
	}
	if err := conn.Bind(s.BindDN, s.Password); err != nil {
		conn.Close()
		t.Fatalf("binding to slapd: %v", err)
	}
	return conn
}

// Dump returns every entry under the base as sorted LDIF-like text
// (attributes and values sorted, operational attributes left out), to
// compare two states of the directory.
func (s *Server) Dump(t testing.TB) string {
	t.Helper()
	conn := s.Conn(t)
	defer conn.Close()
	res, err := conn.SearchWithPaging(goldap.NewSearchRequest(s.BaseDN, goldap.ScopeWholeSubtree,
		goldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"*"}, nil), 500)
	if err != nil {
		t.Fatalf("dumping slapd: %v", err)
	}
	var entries []string
	for _, e := range res.Entries {
		var lines []string
		for _, a := range e.Attributes {
			for _, v := range a.Values {
				lines = append(lines, strings.ToLower(a.Name)+": "+v)
			}
		}
		slices.Sort(lines)
		entries = append(entries, "dn: "+strings.ToLower(e.DN)+"\n"+strings.Join(lines, "\n")+"\n")
	}
	slices.Sort(entries)
	return strings.Join(entries, "\n")
}

// Count returns the number of entries one level under dn.
func (s *Server) Count(t testing.TB, dn string) int {
	t.Helper()
	conn := s.Conn(t)
	defer conn.Close()
	res, err := conn.SearchWithPaging(goldap.NewSearchRequest(dn, goldap.ScopeSingleLevel,
		goldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"1.1"}, nil), 500)
	if goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject) {
		return 0
	}
	if err != nil {
		t.Fatalf("counting under %s: %v", dn, err)
	}
	return len(res.Entries)
}

// LDAPModify runs ldapmodify -x as the administrator with args (such as
// "-f", "undo.ldif"), as an operator would.
func (s *Server) LDAPModify(ctx context.Context, t testing.TB, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("ldapmodify"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ldapmodify is not installed (Debian package ldap-utils); CI requires it")
		}
		t.Skip("ldapmodify is not installed (Debian package ldap-utils)")
	}
	cmd := exec.CommandContext(ctx, "ldapmodify", append([]string{"-x", "-H", s.URL, "-D", s.BindDN, "-w", s.Password}, args...)...)
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+s.CAFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ldapmodify %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func freePort(t testing.TB, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// writeCerts makes a CA and a server certificate for 127.0.0.1 and
// localhost, valid for a day.
func (s *Server) writeCerts(t testing.TB) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dccprov test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(s.Dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.pem", "CERTIFICATE", caDER)
	write("server.pem", "CERTIFICATE", der)
	write("server.key", "PRIVATE KEY", keyDER)
	s.CAPool = x509.NewCertPool()
	s.CAPool.AddCert(ca)
}
