package ldap_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/ldap"
	"github.com/dccprov/dccprov/provision/ldap/ldaptest"
	"github.com/dccprov/dccprov/templates"
)

// testPerson is a synthetic account of a run folder.
type testPerson struct {
	uid, first, last, mail, mobile, id, profession string
	establishments                                 []string
	habs                                           map[string]string // code → status
}

var date = time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)

func basePeople() []testPerson {
	return []testPerson{
		{uid: "alice.martin", first: "Alice", last: "MARTIN", mail: "alice.martin@chu-exemple.invalid",
			mobile: "+33600000001", id: "810000000001", profession: "Médecin",
			establishments: []string{"Centre Hospitalier Exemple"},
			habs:           map[string]string{"CONSULTATION": "active", "COORDONNATEUR_RCP": "pending-signature"}},
		{uid: "bruno.petit", first: "Bruno", last: "PETIT", mail: "bruno.petit@chu-exemple.invalid",
			profession: "Infirmier", establishments: []string{"Centre Hospitalier Exemple", "Clinique Exemple"},
			habs: map[string]string{"CONSULTATION": "active", "PARTICIPANT_RCP": "active"}},
		{uid: "chloe.durand", first: "Chloé", last: "DURAND", mail: "chloe.durand@clinique.invalid",
			profession: "Secrétaire médicale", establishments: []string{"Clinique Exemple"},
			habs: map[string]string{"SECRETAIRE_RCP": "active"}},
	}
}

// writeDir writes a run folder for people as `dccprov run` would: the
// pinned formats of accounts.ldif and habilitations.csv.
func writeDir(t testing.TB, dir string, people []testPerson) string {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	var ldif, csv strings.Builder
	ldif.WriteString("# dccprov accounts — 2026-01-15\nversion: 1\n")
	csv.WriteString("uid,national_id,birth_name,first_name,finess,establishment,habilitation,label,signature,status,form\n")
	for _, p := range people {
		fmt.Fprintf(&ldif, "\n%s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: inetOrgPerson\n",
			ldifAttr("dn", "uid="+escapeDN(p.uid)+",ou=people,dc=dcc,dc=invalid"))
		ldif.WriteString(ldifAttr("uid", p.uid) + "\n")
		ldif.WriteString(ldifAttr("cn", p.first+" "+p.last) + "\n")
		ldif.WriteString(ldifAttr("sn", p.last) + "\n")
		ldif.WriteString(ldifAttr("givenName", p.first) + "\n")
		ldif.WriteString(ldifAttr("mail", p.mail) + "\n")
		if p.mobile != "" {
			ldif.WriteString(ldifAttr("mobile", p.mobile) + "\n")
		}
		if p.id != "" {
			ldif.WriteString(ldifAttr("employeeNumber", p.id) + "\n")
		}
		ldif.WriteString(ldifAttr("employeeType", p.profession) + "\n")
		for _, o := range p.establishments {
			ldif.WriteString(ldifAttr("o", o) + "\n")
		}
		for code, status := range p.habs {
			fmt.Fprintf(&csv, "%s,%s,%s,%s,010000001,%s,%s,label,false,%s,\n", csvCell(p.uid), p.id, csvCell(p.last), csvCell(p.first), csvCell(p.establishments[0]), code, status)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "accounts.ldif"), []byte(ldif.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "habilitations.csv"), []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func csvCell(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// escapeDN is a test-side RFC 4514 escaper, independent of the code under test.
func escapeDN(v string) string {
	var b strings.Builder
	for i, r := range v {
		switch {
		case strings.ContainsRune(`,+"\<>;=`, r), r == '#' && i == 0, r == ' ' && (i == 0 || i == len(v)-1):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ldifAttr(name, v string) string {
	safe := v == "" || (v[0] != ' ' && v[0] != ':' && v[0] != '<' && v[len(v)-1] != ' ')
	for i := 0; i < len(v) && safe; i++ {
		safe = v[i] < 0x80 && v[i] != '\n' && v[i] != '\r' && v[i] != 0
	}
	if safe {
		return name + ": " + v
	}
	return name + ":: " + b64(v)
}

func settings(s *ldaptest.Server) ldap.Settings {
	return ldap.Settings{URL: s.URL, BaseDN: s.BaseDN, BindDN: s.BindDN, Password: s.Password, RootCAs: s.CAPool, Timeout: 5 * time.Second}
}

func mustDial(t testing.TB, st ldap.Settings) *ldap.Client {
	t.Helper()
	c, err := ldap.Dial(t.Context(), st)
	if err != nil {
		t.Fatalf("Dial(%s) = %v", st.URL, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustPlan(t testing.TB, c *ldap.Client, dir string, opt ldap.Options) *ldap.Changeset {
	t.Helper()
	b, err := ldap.ReadBatch(dir)
	if err != nil {
		t.Fatalf("ReadBatch(%s) = %v", dir, err)
	}
	cs, err := ldap.Plan(t.Context(), c, b, opt)
	if err != nil {
		t.Fatalf("Plan = %v", err)
	}
	return cs
}

func mustApply(t testing.TB, c *ldap.Client, dir string, opt ldap.Options) *ldap.Summary {
	t.Helper()
	cs := mustPlan(t, c, dir, opt)
	sum, err := ldap.Apply(t.Context(), c, cs, ldap.ApplyOptions{Dir: dir, Date: date})
	if err != nil {
		t.Fatalf("Apply = %v (failures %+v)", err, sum.Failures)
	}
	return sum
}

// ops renders a summary's changes as "op dn [attrs]" lines.
func ops(s *ldap.Summary) string {
	var b strings.Builder
	for _, c := range s.Changes {
		fmt.Fprintf(&b, "%s %s %v\n", c.Op, c.DN, c.Attributes)
	}
	return b.String()
}

func counts(s *ldap.Summary) string {
	return fmt.Sprintf("add=%d modify=%d remove=%d unchanged=%d failed=%d", s.Add, s.Modify, s.Remove, s.Unchanged, s.Failed)
}

func TestPlanApplyConverges(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	c := mustDial(t, settings(srv))
	dir := writeDir(t, "", basePeople())

	before := srv.Dump(t)
	plan := mustPlan(t, c, dir, ldap.Options{}).Summary(false)
	if got, want := counts(plan), "add=8 modify=0 remove=0 unchanged=0 failed=0"; got != want {
		t.Fatalf("plan on an empty directory: %s; want %s\n%s", got, want, ops(plan))
	}
	if srv.Dump(t) != before {
		t.Fatal("plan changed the directory")
	}
	sum := mustApply(t, c, dir, ldap.Options{})
	if got, want := counts(sum), "add=8 modify=0 remove=0 unchanged=0 failed=0"; got != want {
		t.Fatalf("first apply: %s; want %s\n%s", got, want, ops(sum))
	}
	if fi, err := os.Stat(sum.Undo); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("undo file %s: %v, %v; want mode 0600", sum.Undo, fi, err)
	}
	// Pending signature: in no group.
	dump := srv.Dump(t)
	if strings.Contains(dump, "cn=coordonnateur_rcp") {
		t.Errorf("a group was created for a habilitation pending signature:\n%s", dump)
	}
	for _, want := range []string{
		"dn: cn=consultation,ou=groups,dc=dcc,dc=invalid\ncn: CONSULTATION\nmember: uid=alice.martin,ou=people,dc=dcc,dc=invalid\nmember: uid=bruno.petit,ou=people,dc=dcc,dc=invalid\n",
		"givenname: Chloé\n",
	} {
		if !strings.Contains(dump, want) {
			t.Errorf("directory lacks %q:\n%s", want, dump)
		}
	}

	c.Counts().Searches.Store(0)
	c.Counts().Writes.Store(0)
	again := mustApply(t, c, dir, ldap.Options{})
	if got, want := counts(again), "add=0 modify=0 remove=0 unchanged=6 failed=0"; got != want {
		t.Fatalf("second apply: %s; want %s\n%s", got, want, ops(again))
	}
	if again.Undo != "" {
		t.Errorf("second apply wrote an undo file %s", again.Undo)
	}
	if s, w := c.Counts().Searches.Load(), c.Counts().Writes.Load(); s != 2 || w != 0 {
		t.Errorf("an unchanged directory cost %d searches and %d writes; want 2 and 0", s, w)
	}

	// A new email: one modify of one attribute.
	people := basePeople()
	people[2].mail = "chloe.durand@nouveau.invalid"
	// A habilitation that became active: one group modify.
	people[0].habs["COORDONNATEUR_RCP"] = "active"
	writeDir(t, dir, people)
	sum = mustApply(t, c, dir, ldap.Options{})
	want := "modify uid=chloe.durand,ou=people,dc=dcc,dc=invalid [mail]\nadd cn=COORDONNATEUR_RCP,ou=groups,dc=dcc,dc=invalid [objectClass cn member]\n"
	if got := ops(sum); got != want {
		t.Errorf("apply after edits:\n%s\nwant:\n%s", got, want)
	}
	// Bruno loses PARTICIPANT_RCP (its only member): the group keeps the
	// placeholder. The code is in the catalogue, so the group is managed.
	delete(people[1].habs, "PARTICIPANT_RCP")
	writeDir(t, dir, people)
	sum = mustApply(t, c, dir, ldap.Options{Codes: catalogue(t)})
	if got, want := ops(sum), "modify cn=PARTICIPANT_RCP,ou=groups,dc=dcc,dc=invalid [member]\n"; got != want {
		t.Errorf("apply after removing the last member:\n%s\nwant:\n%s", got, want)
	}
	if d := srv.Dump(t); !strings.Contains(strings.ToLower(d), "member: cn=participant_rcp,ou=groups,dc=dcc,dc=invalid") {
		t.Errorf("emptied group has no placeholder member:\n%s", d)
	}
	if again := mustApply(t, c, dir, ldap.Options{}); len(again.Changes) != 0 {
		t.Errorf("apply after convergence changed:\n%s", ops(again))
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	c := mustDial(t, settings(srv))
	people := basePeople()
	dir := writeDir(t, "", people)
	mustApply(t, c, dir, ldap.Options{})
	// Someone of another establishment, provisioned by another batch.
	other := []testPerson{{uid: "david.roux", first: "David", last: "ROUX", mail: "d.roux@ailleurs.invalid",
		profession: "Médecin", establishments: []string{"Hôpital Ailleurs"}, habs: map[string]string{"CONSULTATION": "active"}}}
	mustApply(t, c, writeDir(t, "", other), ldap.Options{})

	// Bruno leaves the list.
	dir2 := writeDir(t, "", []testPerson{people[0], people[2]})
	if sum := mustApply(t, c, dir2, ldap.Options{}); len(sum.Changes) != 0 {
		t.Fatalf("without --prune, a person the batch no longer names was touched:\n%s", ops(sum))
	}
	// Bruno's row is still in the list, but rejected: report.json names him.
	dir3 := writeDir(t, "", []testPerson{people[0], people[2]})
	report := `{"people": [{"row": 2, "status": "accepted", "uid": "alice.martin"}, {"row": 3, "status": "rejected", "uid": "Bruno.Petit"}]}`
	if err := os.WriteFile(filepath.Join(dir3, "report.json"), []byte(report), 0o600); err != nil {
		t.Fatal(err)
	}
	if cs := mustPlan(t, c, dir3, ldap.Options{Prune: true, Date: date, Codes: catalogue(t)}); len(cs.Changes) != 0 {
		t.Fatalf("plan --prune disables a person whose row is rejected:\n%s", ops(cs.Summary(false)))
	}
	sum := mustApply(t, c, dir2, ldap.Options{Prune: true, Date: date, Codes: catalogue(t)})
	want := "remove uid=bruno.petit,ou=people,dc=dcc,dc=invalid [description]\n" +
		"modify cn=CONSULTATION,ou=groups,dc=dcc,dc=invalid [member]\n" +
		"modify cn=PARTICIPANT_RCP,ou=groups,dc=dcc,dc=invalid [member]\n"
	if got := ops(sum); got != want {
		t.Fatalf("apply --prune:\n%s\nwant:\n%s", got, want)
	}
	d := srv.Dump(t)
	if !strings.Contains(d, "description: dccprov-disabled 2026-01-15") || strings.Contains(d, "member: uid=bruno.petit") {
		t.Errorf("pruned person not disabled or still a member:\n%s", d)
	}
	if !strings.Contains(d, "member: uid=david.roux") {
		t.Errorf("a person of another establishment was removed:\n%s", d)
	}
	if again := mustApply(t, c, dir2, ldap.Options{Prune: true, Date: date, Codes: catalogue(t)}); len(again.Changes) != 0 {
		t.Errorf("second apply --prune changed:\n%s", ops(again))
	}
	// Named again: re-enabled and back in the groups.
	sum = mustApply(t, c, dir, ldap.Options{Prune: true, Date: date, Codes: catalogue(t)})
	if got := ops(sum); !strings.Contains(got, "modify uid=bruno.petit,ou=people,dc=dcc,dc=invalid [description]") {
		t.Errorf("a person named again was not re-enabled:\n%s", got)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	dir := writeDir(t, "", basePeople())
	for _, url := range []string{srv.URL, srv.LDAPSURL} {
		st := settings(srv)
		st.URL = url
		c := mustDial(t, st)
		if c.Plain() {
			t.Errorf("Dial(%s) went plain", url)
		}
		mustPlan(t, c, dir, ldap.Options{})

		st.RootCAs = nil // the system roots do not know the test CA
		if _, err := ldap.Dial(t.Context(), st); !errors.Is(err, ldap.ErrTLS) {
			t.Errorf("Dial(%s) without the CA = %v; want ErrTLS", url, err)
		}
	}
	st := settings(srv)
	st.Password = "wrong"
	if _, err := ldap.Dial(t.Context(), st); !errors.Is(err, ldap.ErrBind) {
		t.Errorf("Dial with a wrong password = %v; want ErrBind", err)
	}
	st = settings(srv)
	st.URL = "ldap://127.0.0.1:1"
	if _, err := ldap.Dial(t.Context(), st); !errors.Is(err, ldap.ErrUnreachable) {
		t.Errorf("Dial to a closed port = %v; want ErrUnreachable", err)
	}
}

// TestUndo loads the undo LDIF with ldapmodify and gets the previous state back.
func TestUndo(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	c := mustDial(t, settings(srv))
	people := basePeople()
	dir := writeDir(t, "", people[:2])
	mustApply(t, c, dir, ldap.Options{})
	before := srv.Dump(t)

	people[0].mail = "alice.martin@autre.invalid"
	people[0].mobile = ""
	people[1].habs = map[string]string{"CONSULTATION": "rejected"}
	writeDir(t, dir, people)
	sum := mustApply(t, c, dir, ldap.Options{Prune: true, Date: date})
	if len(sum.Changes) == 0 {
		t.Fatal("nothing changed")
	}
	srv.LDAPModify(t.Context(), t, "-f", sum.Undo)
	if after := srv.Dump(t); after != before {
		t.Errorf("after the undo LDIF:\n%s\nwant:\n%s", after, before)
	}
	// A second apply on the same date does not overwrite the first undo file.
	sum2 := mustApply(t, c, dir, ldap.Options{})
	if sum2.Undo == sum.Undo || !strings.HasPrefix(filepath.Base(sum2.Undo), "ldap-undo-20260115T103000-") {
		t.Errorf("next undo file %q; want a new suffixed name next to %q", sum2.Undo, sum.Undo)
	}
	if _, err := os.Stat(sum.Undo); err != nil {
		t.Errorf("earlier undo file: %v", err)
	}
}

func TestHostileNames(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	c := mustDial(t, settings(srv))
	var people []testPerson
	for i, uid := range []string{`a,b+c"d\e<f>g;h`, `#hash`, ` lead`, `trail `, `x=y`, `p*q(r)`} {
		people = append(people, testPerson{uid: uid, first: "Zoé", last: `O'BRIEN, "Jr" + <X>`,
			mail: fmt.Sprintf("p%d@exemple.invalid", i), profession: "Médecin",
			establishments: []string{`#Clinique "A", B+C ; <D> `},
			habs:           map[string]string{"CONSULTATION": "active"}})
	}
	dir := writeDir(t, "", people)
	sum := mustApply(t, c, dir, ldap.Options{})
	if sum.Add != 2+len(people)+1 {
		t.Fatalf("apply of hostile names: %s\n%s", counts(sum), ops(sum))
	}
	if got := srv.Count(t, "ou=people,dc=dcc,dc=invalid"); got != len(people) {
		t.Errorf("%d people in the directory; want %d", got, len(people))
	}
	if again := mustApply(t, c, dir, ldap.Options{Prune: true, Date: date}); len(again.Changes) != 0 {
		t.Errorf("second apply of hostile names changed:\n%s", ops(again))
	}
}

// TestConnectionLost stops slapd in the middle of an apply: exit with
// failures, then a re-run converges without duplicates.
func TestConnectionLost(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{NoSync: true})
	st := settings(srv)
	st.Timeout = 2 * time.Second
	c := mustDial(t, st)
	var people []testPerson
	for i := range 3000 {
		people = append(people, testPerson{uid: fmt.Sprintf("user%04d", i), first: "Test", last: fmt.Sprintf("USER%d", i),
			mail: fmt.Sprintf("user%d@exemple.invalid", i), profession: "Infirmier",
			establishments: []string{"Clinique Exemple"}, habs: map[string]string{"CONSULTATION": "active"}})
	}
	dir := writeDir(t, "", people)
	cs := mustPlan(t, c, dir, ldap.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	au := &stopper{after: 300, stop: func() { srv.Stop(t) }}
	sum, err := ldap.Apply(ctx, c, cs, ldap.ApplyOptions{Dir: dir, Date: date, Auditor: au})
	if !errors.Is(err, ldap.ErrIncomplete) || sum.Failed == 0 {
		t.Fatalf("Apply with slapd stopped = %v, %s; want ErrIncomplete and failures", err, counts(sum))
	}
	srv.Restart(t)
	c2 := mustDial(t, st)
	mustApply(t, c2, dir, ldap.Options{})
	if got := srv.Count(t, "ou=people,dc=dcc,dc=invalid"); got != len(people) {
		t.Errorf("%d people after the re-run; want %d", got, len(people))
	}
	if again := mustApply(t, c2, dir, ldap.Options{}); len(again.Changes) != 0 {
		t.Errorf("third apply changed %d entries", len(again.Changes))
	}
}

// stopper is an Auditor that stops the server after a number of operations.
type stopper struct {
	n, after int
	stop     func()
}

func (s *stopper) Audit(ctx context.Context, action, object, detail string) error {
	s.n++
	if s.n == s.after {
		s.stop()
	}
	return nil
}

// catalogue is the codes of the default habilitation catalogue, which the
// CLI passes as [ldap.Options.Codes].
func catalogue(t testing.TB) []string {
	t.Helper()
	defs, err := provision.DefaultHabilitations(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range defs {
		codes = append(codes, d.Code)
	}
	return codes
}

// addEntry adds an entry as the administrator, behind dccprov's back.
func addEntry(t testing.TB, srv *ldaptest.Server, dn string, attrs map[string][]string) {
	t.Helper()
	conn := srv.Conn(t)
	defer conn.Close()
	req := goldap.NewAddRequest(dn, nil)
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		req.Attribute(name, attrs[name])
	}
	if err := conn.Add(req); err != nil {
		t.Fatalf("adding %s: %v", dn, err)
	}
}

// TestGroupsByDN: a managed group is recognised by its DN, whatever its cn
// says, and a group dccprov does not manage is never touched, --prune
// included.
func TestGroupsByDN(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	c := mustDial(t, settings(srv))
	people := basePeople()
	dir := writeDir(t, "", people)
	const groups = "ou=groups,dc=dcc,dc=invalid"
	const alice, bruno, chloe = "uid=alice.martin,ou=people,dc=dcc,dc=invalid", "uid=bruno.petit,ou=people,dc=dcc,dc=invalid", "uid=chloe.durand,ou=people,dc=dcc,dc=invalid"
	addEntry(t, srv, groups, map[string][]string{"objectClass": {"top", "organizationalUnit"}, "ou": {"groups"}})
	// Created by hand: the cn in lower case, and a cn with two values, the
	// first one not the code.
	addEntry(t, srv, "cn=secretaire_rcp,"+groups, map[string][]string{"objectClass": {"top", "groupOfNames"},
		"cn": {"secretaire_rcp"}, "member": {chloe}})
	addEntry(t, srv, "cn=CONSULTATION,"+groups, map[string][]string{"objectClass": {"top", "groupOfNames"},
		"cn": {"Lecture des dossiers", "CONSULTATION"}, "member": {alice, bruno}})
	// A group of another application, holding people of the batch.
	addEntry(t, srv, "cn=vpn-users,"+groups, map[string][]string{"objectClass": {"top", "groupOfNames"},
		"cn": {"vpn-users"}, "member": {alice, bruno, "uid=someone.else,ou=people,dc=dcc,dc=invalid"}})

	opt := ldap.Options{Codes: catalogue(t), Prune: true, Date: date}
	sum := mustApply(t, c, dir, opt)
	want := "add ou=people,dc=dcc,dc=invalid [objectClass ou]\n" +
		"add uid=alice.martin,ou=people,dc=dcc,dc=invalid [objectClass uid cn sn givenName mail mobile employeeNumber employeeType o]\n" +
		"add uid=bruno.petit,ou=people,dc=dcc,dc=invalid [objectClass uid cn sn givenName mail employeeType o]\n" +
		"add uid=chloe.durand,ou=people,dc=dcc,dc=invalid [objectClass uid cn sn givenName mail employeeType o]\n" +
		"add cn=PARTICIPANT_RCP,ou=groups,dc=dcc,dc=invalid [objectClass cn member]\n"
	if got := ops(sum); got != want {
		t.Errorf("first apply:\n%s\nwant:\n%s", got, want)
	}
	if sum.Unchanged != 2 {
		t.Errorf("first apply: %d unchanged; want the 2 hand-made managed groups", sum.Unchanged)
	}
	vpn := "dn: cn=vpn-users,ou=groups,dc=dcc,dc=invalid\ncn: vpn-users\nmember: " + alice + "\nmember: " + bruno + "\nmember: uid=someone.else"
	if d := srv.Dump(t); !strings.Contains(d, vpn) || !strings.Contains(d, "dn: cn=secretaire_rcp,ou=groups,dc=dcc,dc=invalid\ncn: secretaire_rcp\nmember: "+chloe+"\n") {
		t.Errorf("hand-made groups changed:\n%s", d)
	}

	// Bruno leaves the list, and with him the last PARTICIPANT_RCP holder:
	// the code is no longer in habilitations.csv, but the catalogue has it.
	writeDir(t, dir, []testPerson{people[0], people[2]})
	sum = mustApply(t, c, dir, opt)
	want = "remove uid=bruno.petit,ou=people,dc=dcc,dc=invalid [description]\n" +
		"modify cn=CONSULTATION,ou=groups,dc=dcc,dc=invalid [member]\n" +
		"modify cn=PARTICIPANT_RCP,ou=groups,dc=dcc,dc=invalid [member]\n"
	if got := ops(sum); got != want {
		t.Errorf("apply --prune:\n%s\nwant:\n%s", got, want)
	}
	if d := srv.Dump(t); !strings.Contains(d, vpn) {
		t.Errorf("--prune edited a group dccprov does not manage:\n%s", d)
	}
	if again := mustApply(t, c, dir, opt); len(again.Changes) != 0 {
		t.Errorf("apply after convergence changed:\n%s", ops(again))
	}
}

// TestAddExists: an entry created between plan and apply turns the add
// into a modify, and the undo file restores that entry's values instead of
// deleting it.
func TestAddExists(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	c := mustDial(t, settings(srv))
	people := basePeople()
	dir := writeDir(t, "", people[:2])
	cs := mustPlan(t, c, dir, ldap.Options{})

	// Meanwhile someone creates ou=people, Alice (another mail, no
	// mobile) and the CONSULTATION group with another member.
	const alice = "uid=alice.martin,ou=people,dc=dcc,dc=invalid"
	addEntry(t, srv, "ou=people,dc=dcc,dc=invalid", map[string][]string{"objectClass": {"top", "organizationalUnit"}, "ou": {"people"}})
	addEntry(t, srv, "ou=groups,dc=dcc,dc=invalid", map[string][]string{"objectClass": {"top", "organizationalUnit"}, "ou": {"groups"}})
	addEntry(t, srv, alice, map[string][]string{"objectClass": {"top", "person", "organizationalPerson", "inetOrgPerson"},
		"uid": {"alice.martin"}, "cn": {"Alice MARTIN"}, "sn": {"MARTIN"}, "mail": {"old@ailleurs.invalid"}, "title": {"Dr"}})
	addEntry(t, srv, "cn=CONSULTATION,ou=groups,dc=dcc,dc=invalid", map[string][]string{"objectClass": {"top", "groupOfNames"},
		"cn": {"CONSULTATION"}, "member": {"uid=someone.else,ou=people,dc=dcc,dc=invalid"}})
	before := srv.Dump(t)

	sum, err := ldap.Apply(t.Context(), c, cs, ldap.ApplyOptions{Dir: dir, Date: date})
	if err != nil {
		t.Fatalf("Apply = %v (failures %+v)", err, sum.Failures)
	}
	want := "modify uid=alice.martin,ou=people,dc=dcc,dc=invalid [givenName mail mobile employeeNumber employeeType o]\n" +
		"add uid=bruno.petit,ou=people,dc=dcc,dc=invalid [objectClass uid cn sn givenName mail employeeType o]\n" +
		"modify cn=CONSULTATION,ou=groups,dc=dcc,dc=invalid [member]\n" +
		"add cn=PARTICIPANT_RCP,ou=groups,dc=dcc,dc=invalid [objectClass cn member]\n"
	if got := ops(sum); got != want {
		t.Errorf("apply over entries created after the plan:\n%s\nwant:\n%s", got, want)
	}
	undo, err := os.ReadFile(sum.Undo)
	if err != nil {
		t.Fatal(err)
	}
	for _, dn := range []string{alice, "ou=people,dc=dcc,dc=invalid", "ou=groups,dc=dcc,dc=invalid", "cn=CONSULTATION,ou=groups,dc=dcc,dc=invalid"} {
		if strings.Contains(string(undo), "dn: "+dn+"\nchangetype: delete") {
			t.Errorf("the undo file deletes %s, which existed before apply:\n%s", dn, undo)
		}
	}
	if again := mustApply(t, c, dir, ldap.Options{}); len(again.Changes) != 0 {
		t.Errorf("apply after convergence changed:\n%s", ops(again))
	}
	srv.LDAPModify(t.Context(), t, "-f", sum.Undo)
	if after := srv.Dump(t); after != before {
		t.Errorf("after the undo LDIF:\n%s\nwant:\n%s", after, before)
	}
}

// TestBaseDN: a base DN that is not in the directory stops Dial with one
// sentence; a container that cannot be created stops Apply before the
// people and groups.
func TestBaseDN(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	st := settings(srv)
	st.BaseDN = "dc=nope,dc=invalid"
	_, err := ldap.Dial(t.Context(), st)
	if !errors.Is(err, ldap.ErrSetting) || err.Error() != "the base DN dc=nope,dc=invalid does not exist in the directory; check --base-dn" {
		t.Errorf("Dial with a base DN not in the directory = %v; want ErrSetting naming it", err)
	}
	st = settings(srv)
	st.Password = ""
	if _, err := ldap.Dial(t.Context(), st); !errors.Is(err, ldap.ErrSetting) || !strings.Contains(err.Error(), "password is empty") {
		t.Errorf("Dial with an empty password = %v; want ErrSetting", err)
	}

	c := mustDial(t, settings(srv))
	var people []testPerson
	for i := range 50 {
		people = append(people, testPerson{uid: fmt.Sprintf("user%02d", i), first: "Test", last: "USER",
			mail: fmt.Sprintf("user%d@exemple.invalid", i), profession: "Infirmier",
			establishments: []string{"Clinique Exemple"}, habs: map[string]string{"CONSULTATION": "active"}})
	}
	dir := writeDir(t, "", people)
	cs := mustPlan(t, c, dir, ldap.Options{})
	// The base goes away after the plan.
	conn := srv.Conn(t)
	for _, dn := range []string{srv.UserDN, srv.BaseDN} {
		if err := conn.Del(goldap.NewDelRequest(dn, nil)); err != nil {
			t.Fatalf("deleting %s: %v", dn, err)
		}
	}
	conn.Close()
	c.Counts().Writes.Store(0)
	sum, err := ldap.Apply(t.Context(), c, cs, ldap.ApplyOptions{Dir: dir, Date: date})
	if !errors.Is(err, ldap.ErrIncomplete) || !strings.Contains(err.Error(), "could not be created: 51 operations not attempted") {
		t.Errorf("Apply without the base = %v; want ErrIncomplete, the people and the group not attempted", err)
	}
	if w := c.Counts().Writes.Load(); w != 2 || sum.Failed != 53 {
		t.Errorf("Apply without the base sent %d writes and counted %d failed; want 2 (the containers) and 53", w, sum.Failed)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("Apply error is not one line: %q", err)
	}
}

// TestSizeLimit: an ordinary bind DN reads at most 500 entries in a paged
// search unless the directory allows more; plan says how to allow it.
func TestSizeLimit(t *testing.T) {
	t.Parallel()
	var people []testPerson
	for i := range 501 {
		people = append(people, testPerson{uid: fmt.Sprintf("user%03d", i), first: "Test", last: "USER",
			mail: fmt.Sprintf("user%d@exemple.invalid", i), profession: "Infirmier",
			establishments: []string{"Clinique Exemple"}, habs: map[string]string{"CONSULTATION": "active"}})
	}
	dir := writeDir(t, "", people)
	for _, unlimited := range []bool{false, true} {
		t.Run(fmt.Sprint("unlimited=", unlimited), func(t *testing.T) {
			t.Parallel()
			srv := ldaptest.Start(t, ldaptest.Options{NoSync: true, Unlimited: unlimited})
			mustApply(t, mustDial(t, settings(srv)), dir, ldap.Options{}) // as the rootdn: no limit
			st := settings(srv)
			st.BindDN, st.Password = srv.UserDN, srv.UserPassword
			b, err := ldap.ReadBatch(dir)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := ldap.Plan(t.Context(), mustDial(t, st), b, ldap.Options{})
			if unlimited {
				if err != nil || len(cs.Changes) != 0 {
					t.Errorf("Plan as %s with size.prtotal=unlimited = %v; want no error and no change", st.BindDN, err)
				}
				return
			}
			if !errors.Is(err, ldap.ErrSetting) || !strings.Contains(err.Error(), `limits dn.exact="cn=dccprov,dc=dcc,dc=invalid" size.prtotal=unlimited`) {
				t.Errorf("Plan as %s over 501 people = %v; want ErrSetting naming the limits directive", st.BindDN, err)
			}
		})
	}
}

// TestInterrupted: a canceled context stops Apply with "interrupted", not
// "connection lost".
func TestInterrupted(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	c := mustDial(t, settings(srv))
	dir := writeDir(t, "", basePeople())
	cs := mustPlan(t, c, dir, ldap.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	sum, err := ldap.Apply(ctx, c, cs, ldap.ApplyOptions{Dir: dir, Date: date})
	if !errors.Is(err, ldap.ErrIncomplete) || !strings.Contains(err.Error(), "interrupted: 8 operations not attempted") || sum.Failed != 8 {
		t.Errorf("Apply with a canceled context = %v, %s; want interrupted, 8 not attempted", err, counts(sum))
	}
}
