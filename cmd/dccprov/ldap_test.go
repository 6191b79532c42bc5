package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

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
mail: alice.martin@chu-exemple.fr
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
mail: bruno.petit@chu-exemple.fr
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
	db := emptyStore(t)
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
	if got := run(t.Context(), []string{"ldap", "apply", dir, "--date", "2026-01-15", "--store", emptyStore(t)}, strings.NewReader(""), &stdout, &stderr); got != 0 {
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

// emptyStore returns the path of a new store with no run recorded: ldap
// apply refuses a store that does not exist, and these tests apply run
// folders made without a run.
func emptyStore(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dccprov.db")
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCLI calls run with args and returns the exit status, stdout and stderr.
func runCLI(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// ldapArgs are the settings of srv for `ldap plan|apply DIR`, bound as the
// rootdn, with a password file and a store in a temporary folder.
func ldapArgs(t testing.TB, srv *ldaptest.Server, sub, dir string, extra ...string) []string {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte(srv.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return append([]string{"ldap", sub, dir, "--url", srv.URL, "--ca-file", srv.CAFile, "--bind-dn", srv.BindDN,
		"--bind-password-file", pw, "--date", "2026-01-15"}, extra...)
}

// TestLDAPBaseDNPrecedence: --base-dn > DCCPROV_LDAP_BASE_DN > ldap.base_dn
// of the config > the base of the DNs in accounts.ldif.
func TestLDAPBaseDNPrecedence(t *testing.T) {
	srv := ldaptest.Start(t, ldaptest.Options{})
	dir := ldapDir(t)
	ldif := filepath.Join(dir, "accounts.ldif")
	data, _ := os.ReadFile(ldif)
	os.WriteFile(ldif, bytes.ReplaceAll(data, []byte("dc=dcc,dc=invalid"), []byte("dc=other,dc=invalid")), 0o600)
	cfg := filepath.Join(t.TempDir(), "dccprov.yaml")
	os.WriteFile(cfg, []byte("ldap:\n  base_dn: dc=dcc,dc=invalid\n"), 0o600)
	notFound := func(base string) string {
		return "the base DN " + base + " does not exist in the directory; check --base-dn"
	}

	if code, _, stderr := runCLI(t, ldapArgs(t, srv, "plan", dir)...); code != 2 || !strings.Contains(stderr, notFound("dc=other,dc=invalid")) {
		t.Errorf("plan with the base of accounts.ldif only = %d, %q; want 2 naming dc=other,dc=invalid", code, stderr)
	}
	if code, _, stderr := runCLI(t, ldapArgs(t, srv, "plan", dir, "--config", cfg)...); code != 0 {
		t.Errorf("plan with ldap.base_dn in the config = %d, %q; want 0", code, stderr)
	}
	t.Setenv("DCCPROV_LDAP_BASE_DN", "dc=env,dc=invalid")
	if code, _, stderr := runCLI(t, ldapArgs(t, srv, "plan", dir, "--config", cfg)...); code != 2 || !strings.Contains(stderr, notFound("dc=env,dc=invalid")) {
		t.Errorf("plan with DCCPROV_LDAP_BASE_DN = %d, %q; want 2 naming dc=env,dc=invalid", code, stderr)
	}
	if code, _, stderr := runCLI(t, ldapArgs(t, srv, "plan", dir, "--config", cfg, "--base-dn", srv.BaseDN)...); code != 0 {
		t.Errorf("plan with --base-dn = %d, %q; want 0", code, stderr)
	}
}

// TestLDAPSlapdStopped stops slapd in the middle of `ldap apply`: exit 3
// with what to do, then, slapd back, a re-run converges with no duplicate.
func TestLDAPSlapdStopped(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{NoSync: true})
	const n = 4000
	dir := bigDir(t, n)
	args := ldapArgs(t, srv, "apply", dir, "--store", emptyStore(t))

	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, stdout, stderr := runCLI(t, args...)
		done <- result{code, stdout, stderr}
	}()
	var first result
	for stopped := false; ; {
		select {
		case first = <-done:
		case <-time.After(10 * time.Millisecond):
			if !stopped && srv.Count(t, "ou=people,dc=dcc,dc=invalid") >= 100 {
				srv.Stop(t)
				stopped = true
			}
			continue
		}
		break
	}
	if first.code != 3 || !strings.Contains(first.stderr, "run 'dccprov ldap apply' again to finish") {
		t.Fatalf("apply with slapd stopped midway = %d; want 3 and what to do\n%s", first.code, first.stderr)
	}
	if strings.Contains(first.stderr, "\n\t") || strings.Count(first.stderr, "dccprov ldap:") != 1 {
		t.Errorf("the error is not one sentence:\n%s", first.stderr)
	}
	srv.Restart(t)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("apply after the restart = %d; want 0\n%s", code, stderr)
	}
	if got := srv.Count(t, "ou=people,dc=dcc,dc=invalid"); got != n {
		t.Errorf("%d people after the re-run; want %d", got, n)
	}
	if code, stdout, stderr := runCLI(t, args...); code != 0 || !strings.Contains(stdout, "0 add, 0 modify, 0 remove") {
		t.Errorf("third apply = %d, %q; want nothing to do\n%s", code, stdout, stderr)
	}
}

// bigDir writes a run folder of n synthetic people holding CONSULTATION.
func bigDir(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	var ldif, csv strings.Builder
	ldif.WriteString("version: 1\n")
	csv.WriteString("uid,national_id,birth_name,first_name,finess,establishment,habilitation,label,signature,status,form\n")
	for i := range n {
		fmt.Fprintf(&ldif, "\ndn: uid=user%04d,ou=people,dc=dcc,dc=invalid\nobjectClass: inetOrgPerson\nuid: user%04d\ncn: Test USER%d\nsn: USER%d\nmail: user%d@exemple.invalid\no: Clinique Exemple\n", i, i, i, i, i)
		fmt.Fprintf(&csv, "user%04d,,USER%d,Test,010000001,Clinique Exemple,CONSULTATION,Consultation,false,active,\n", i, i)
	}
	os.WriteFile(filepath.Join(dir, "accounts.ldif"), []byte(ldif.String()), 0o600)
	os.WriteFile(filepath.Join(dir, "habilitations.csv"), []byte(csv.String()), 0o600)
	return dir
}

// TestLDAPEndToEnd: run on a staff list → ldap apply (the habilitation
// pending signature is in no group) → forms sign → run again → ldap apply
// adds the membership.
func TestLDAPEndToEnd(t *testing.T) {
	srv := ldaptest.Start(t, ldaptest.Options{})
	work := t.TempDir()
	list := filepath.Join(work, "liste.csv")
	os.WriteFile(list, []byte("Nom;Prénom;Fonction;Spécialité;RPPS;Courriel;Portable;Etablissement;FINESS;Habilitations;Authentification\n"+
		"TESTEUR;Camille;Médecin;;19999900004;camille.testeur@chu-exemple.fr;0600000001;CHU Exemple-sur-Loire;440000172;\"Participant aux RCP; Coordonnateur de RCP\";CPS\n"+
		"ESSAI;Dominique;Secrétaire médicale;;;dominique.essai@clinique-exemple.fr;0600000002;Clinique des Tilleuls;920300555;Consultation des dossiers;Mail\n"), 0o600)
	db := filepath.Join(work, "dccprov.db")
	dir1, dir2 := filepath.Join(work, "out1"), filepath.Join(work, "out2")
	coord := "cn=COORDONNATEUR_RCP,ou=groups,dc=dcc,dc=invalid"

	code, _, stderr := runCLI(t, "run", list, "-o", dir1, "--store", db, "--date", "2026-01-15")
	if code != 0 {
		t.Fatalf("run = %d\n%s", code, stderr)
	}
	m := regexp.MustCompile(`form (F-[0-9]+-[0-9]+-[0-9a-f]+): 1 request\(s\) to sign`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("run printed no form to sign:\n%s", stderr)
	}
	if code, _, stderr := runCLI(t, ldapArgs(t, srv, "apply", dir1, "--store", db)...); code != 0 {
		t.Fatalf("ldap apply %s = %d\n%s", dir1, code, stderr)
	}
	dump := srv.Dump(t)
	if !strings.Contains(dump, "dn: cn=participant_rcp,ou=groups,dc=dcc,dc=invalid") || strings.Contains(dump, strings.ToLower(coord)) {
		t.Fatalf("after the first apply, want PARTICIPANT_RCP and no COORDONNATEUR_RCP group (pending signature):\n%s", dump)
	}

	if code, _, stderr := runCLI(t, "forms", "sign", m[1], "--signer", "Dr Directrice", "--store", db, "--date", "2026-01-20"); code != 0 {
		t.Fatalf("forms sign %s = %d\n%s", m[1], code, stderr)
	}
	if code, _, stderr := runCLI(t, "run", list, "-o", dir2, "--store", db, "--date", "2026-01-20"); code != 0 {
		t.Fatalf("second run = %d\n%s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, ldapArgs(t, srv, "apply", dir2, "--store", db)...)
	if code != 0 || !strings.Contains(stdout, "add  "+coord) || !strings.Contains(stdout, "1 add, 0 modify, 0 remove") {
		t.Fatalf("ldap apply %s = %d; want the COORDONNATEUR_RCP group added\n%s\n%s", dir2, code, stdout, stderr)
	}
	if dump := srv.Dump(t); !strings.Contains(dump, "dn: "+strings.ToLower(coord)+"\ncn: COORDONNATEUR_RCP\nmember: uid=") {
		t.Errorf("the signed habilitation has no member:\n%s", dump)
	}
}

// TestLDAPPlainRemote: plain LDAP to an address that is not loopback is
// refused without --insecure.
func TestLDAPPlainRemote(t *testing.T) {
	host := nonLoopback()
	if host == "" {
		t.Skip("no non-loopback IPv4 address on this machine (the address check is unit-tested in provision/ldap)")
	}
	srv := ldaptest.Start(t, ldaptest.Options{Host: host, NoTLS: true})
	dir := ldapDir(t)
	args := ldapArgs(t, srv, "plan", dir)
	code, _, stderr := runCLI(t, args...)
	if code != 2 || !strings.Contains(stderr, "plain LDAP is allowed only to a loopback address") {
		t.Errorf("plan in plain LDAP to %s = %d, %q; want 2 and the refusal", host, code, stderr)
	}
	code, _, stderr = runCLI(t, append(args, "--insecure")...)
	if code != 0 || !strings.Contains(stderr, "plain LDAP") {
		t.Errorf("plan --insecure in plain LDAP to %s = %d, %q; want 0 and a warning", host, code, stderr)
	}
}

// nonLoopback returns an IPv4 address of this machine that is not
// loopback, or "".
func nonLoopback() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
			return ipn.IP.String()
		}
	}
	return ""
}

// TestAuditBatches: the audit trail is written during apply, a transaction
// per batch, not only at the end.
func TestAuditBatches(t *testing.T) {
	t.Parallel()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "dccprov.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	aud := &storeAuditor{log: zerolog.Nop(), db: db, date: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), operator: "test"}
	recorded := func() int {
		events, err := db.Audit(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range events {
			if ev.Action == "ldap.add" {
				n++
			}
		}
		return n
	}
	for i := range 2500 {
		if err := aud.Audit(t.Context(), "ldap.add", fmt.Sprintf("uid=u%d,ou=people,dc=dcc,dc=invalid", i), "add uid: done"); err != nil {
			t.Fatal(err)
		}
	}
	if got := recorded(); got < 2000 {
		t.Errorf("after 2500 operations, %d are in the audit trail; want at least 2000 (batches of %d)", got, auditBatch)
	}
	if err := aud.flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := recorded(); got != 2500 {
		t.Errorf("after flush, %d operations in the audit trail; want 2500", got)
	}
}

// TestLDAPInterrupted: Ctrl-C (a canceled context) is exit 3 with
// "interrupted", not a lost connection, before and during apply.
func TestLDAPInterrupted(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{NoSync: true})
	dir := bigDir(t, 4000)
	args := ldapArgs(t, srv, "apply", dir, "--store", emptyStore(t))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, args, strings.NewReader(""), &stdout, &stderr); code != 3 || !strings.Contains(stderr.String(), "interrupted before anything was changed") {
		t.Errorf("ldap apply interrupted before it starts = %d, %q; want 3 and interrupted", code, stderr.String())
	}

	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	done := make(chan int, 1)
	stderr.Reset()
	go func() { done <- run(ctx, args, strings.NewReader(""), &stdout, &stderr) }()
	var code int
	for {
		select {
		case code = <-done:
		case <-time.After(10 * time.Millisecond):
			if srv.Count(t, "ou=people,dc=dcc,dc=invalid") >= 100 {
				cancel()
			}
			continue
		}
		break
	}
	if code != 3 || !strings.Contains(stderr.String(), "dccprov ldap: interrupted; run 'dccprov ldap apply' again to finish") {
		t.Errorf("ldap apply interrupted midway = %d; want 3 and what to do\n%s", code, stderr.String())
	}
}

// TestLDAPPruneRejectedRow: a person accepted by one run whose row the
// next list still has, but rejected (a typo in the email), is not absent
// and `ldap plan --prune` does not disable them.
func TestLDAPPruneRejectedRow(t *testing.T) {
	srv := ldaptest.Start(t, ldaptest.Options{})
	work := t.TempDir()
	const header = "Nom;Prénom;Fonction;Spécialité;RPPS;Courriel;Portable;Etablissement;FINESS;Habilitations;Authentification\n"
	other := "ESSAI;Dominique;Médecin;;19999900012;dominique.essai@chu-exemple.fr;0600000002;CHU Exemple-sur-Loire;440000172;Participant aux RCP;CPS\n"
	list1, list2 := filepath.Join(work, "liste1.csv"), filepath.Join(work, "liste2.csv")
	os.WriteFile(list1, []byte(header+
		"TESTEUR;Camille;Médecin;;19999900004;camille.testeur@chu-exemple.fr;0600000001;CHU Exemple-sur-Loire;440000172;Participant aux RCP;CPS\n"+other), 0o600)
	os.WriteFile(list2, []byte(header+
		"TESTEUR;Camille;Médecin;;19999900004;camille.testeur@@chu-exemple;0600000001;CHU Exemple-sur-Loire;440000172;Participant aux RCP;CPS\n"+other), 0o600)
	db := filepath.Join(work, "dccprov.db")
	dir1, dir2 := filepath.Join(work, "out1"), filepath.Join(work, "out2")

	if code, _, stderr := runCLI(t, "run", list1, "-o", dir1, "--store", db, "--date", "2026-01-15"); code != 0 {
		t.Fatalf("run = %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, ldapArgs(t, srv, "apply", dir1, "--store", db)...); code != 0 {
		t.Fatalf("ldap apply %s = %d\n%s", dir1, code, stderr)
	}
	if code, _, stderr := runCLI(t, "run", list2, "-o", dir2, "--store", db, "--date", "2026-01-20"); code != 1 && code != 0 {
		t.Fatalf("second run = %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir2, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Absent []json.RawMessage `json:"absent"`
		People []struct {
			Row    int    `json:"row"`
			Status string `json:"status"`
			UID    string `json:"uid"`
		} `json:"people"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Absent) != 0 {
		t.Errorf("report.json absent = %s; want none (the rejected row names the person)", rep.Absent)
	}
	if len(rep.People) == 0 || rep.People[0].Status != "rejected" || rep.People[0].UID != "camille.testeur" {
		t.Errorf("report.json people[0] = %+v; want rejected with uid camille.testeur", rep.People)
	}
	code, stdout, stderr := runCLI(t, ldapArgs(t, srv, "plan", dir2, "--prune", "--json")...)
	if code != 0 {
		t.Fatalf("ldap plan --prune = %d\n%s", code, stderr)
	}
	var sum struct{ Remove int }
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("ldap plan --json: %v\n%s", err, stdout)
	}
	if sum.Remove != 0 {
		t.Errorf("ldap plan --prune removes %d; want 0 (camille.testeur's row is rejected, not gone)\n%s", sum.Remove, stdout)
	}
}

// TestLDAPApplyFailureLog: a failed operation is logged by op, result code
// and count, never by DN (uid=NAME is personal data); the DN is in the
// result on stdout.
func TestLDAPApplyFailureLog(t *testing.T) {
	srv := ldaptest.Start(t, ldaptest.Options{})
	dir := ldapDir(t)
	ldif := filepath.Join(dir, "accounts.ldif")
	data, err := os.ReadFile(ldif)
	if err != nil {
		t.Fatal(err)
	}
	// mail is IA5String: a non-ASCII value fails with invalidAttributeSyntax (21).
	bad := strings.Replace(string(data), "mail: bruno.petit@chu-exemple.fr", "mail:: YnJ1bm/DqUBleC5pbnZhbGlk", 1)
	if err := os.WriteFile(ldif, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, ldapArgs(t, srv, "apply", dir, "--json", "--store", emptyStore(t))...)
	if code != 3 {
		t.Fatalf("apply with an invalid value = %d; want 3\n%s", code, stderr)
	}
	if !strings.Contains(stdout, `"dn": "uid=bruno.petit,ou=people,dc=dcc,dc=invalid"`) {
		t.Errorf("the result lacks the failed DN:\n%s", stdout)
	}
	if strings.Contains(stderr, "bruno") || strings.Contains(stderr, "uid=") {
		t.Errorf("the log names the person:\n%s", stderr)
	}
	if !strings.Contains(stderr, "ldap_result=21") || !strings.Contains(stderr, "count=1") {
		t.Errorf("the log lacks the result code and count of the failure:\n%s", stderr)
	}
}
