package ldap_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/ldap"
	"github.com/dccprov/dccprov/provision/ldap/ldaptest"
)

// BenchmarkApply provisions N people into an empty slapd and compares the
// rate with ldapadd of the same entries on an identical slapd: a fresh one
// per side, same slapd.conf (dbnosync, same indexes), StartTLS for both,
// and the side that goes first alternates between iterations. It reports
// entries per second for
//   - dccprov-apply: Apply alone (undo file included), the counterpart of
//     ldapadd's adds;
//   - dccprov-total: connecting, binding, reading the directory (Plan) and
//     Apply — everything but reading DIR, as ldapadd's whole run includes
//     connecting and reading its LDIF;
//   - ldapadd: the whole `ldapadd -c -x -ZZ` process;
//
// and the two ratios to ldapadd. The benchmark timer runs only during
// dccprov's total, so ns/op is that, and the default -benchtime makes one
// iteration; `make bench` asks for two, so that each side goes first once.
// It also checks that re-planning the unchanged directory is one search per
// container and no write.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			if _, err := exec.LookPath("ldapadd"); err != nil {
				b.Skip("ldapadd is not installed (Debian package ldap-utils)")
			}
			var people []testPerson
			codes := []string{"PARTICIPANT_RCP", "SECRETAIRE_RCP", "ACCES_ETENDU"}
			for i := range n {
				people = append(people, testPerson{uid: fmt.Sprintf("user%06d", i), first: "Test", last: fmt.Sprintf("USER%d", i),
					mail: fmt.Sprintf("user%d@exemple.invalid", i), mobile: "+33600000000", profession: "Infirmier",
					establishments: []string{fmt.Sprintf("Établissement %d", i%20)},
					habs:           map[string]string{"CONSULTATION": "active", codes[i%3]: "active"}})
			}
			dir := writeDir(b, "", people)
			file := ldapaddFile(b, dir, people, codes)
			entries := 2 + n + 1 + len(codes)
			var apply, total, ref time.Duration
			iter := 0
			for b.Loop() {
				b.StopTimer()
				if iter%2 == 0 {
					a, t := benchDccprov(b, dir, entries)
					apply, total = apply+a, total+t
					ref += benchLdapadd(b, file, n)
				} else {
					ref += benchLdapadd(b, file, n)
					a, t := benchDccprov(b, dir, entries)
					apply, total = apply+a, total+t
				}
				iter++
				b.StartTimer()
			}
			rate := func(d time.Duration) float64 { return float64(entries) * float64(iter) / d.Seconds() }
			b.ReportMetric(rate(apply), "dccprov-apply-entries/s")
			b.ReportMetric(rate(total), "dccprov-total-entries/s")
			b.ReportMetric(rate(ref), "ldapadd-entries/s")
			b.ReportMetric(rate(apply)/rate(ref), "ratio-apply")
			b.ReportMetric(rate(total)/rate(ref), "ratio-total")
		})
	}
}

// benchDccprov provisions DIR into a fresh slapd and returns how long Apply
// took, and how long dialling, planning and applying took. It runs the
// benchmark timer during the latter.
func benchDccprov(b *testing.B, dir string, entries int) (apply, total time.Duration) {
	srv := ldaptest.Start(b, ldaptest.Options{NoSync: true})
	defer srv.Stop(b)
	batch, err := ldap.ReadBatch(dir)
	if err != nil {
		b.Fatal(err)
	}
	undo := b.TempDir()
	b.StartTimer()
	start := time.Now()
	c := mustDial(b, settings(srv))
	cs, err := ldap.Plan(b.Context(), c, batch, ldap.Options{})
	if err != nil {
		b.Fatal(err)
	}
	applyStart := time.Now()
	sum, err := ldap.Apply(b.Context(), c, cs, ldap.ApplyOptions{Dir: undo, Date: date})
	if err != nil {
		b.Fatal(err)
	}
	end := time.Now()
	b.StopTimer()
	if sum.Add != entries {
		b.Fatalf("added %d entries; want %d", sum.Add, entries)
	}
	c.Counts().Searches.Store(0)
	c.Counts().Writes.Store(0)
	again, err := ldap.Plan(b.Context(), c, batch, ldap.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if s, w := c.Counts().Searches.Load(), c.Counts().Writes.Load(); len(again.Changes) != 0 || s != 2 || w != 0 {
		b.Fatalf("re-plan of an unchanged directory: %d changes, %d searches, %d writes; want 0, 2, 0", len(again.Changes), s, w)
	}
	c.Close()
	return end.Sub(applyStart), end.Sub(start)
}

// benchLdapadd loads file with ldapadd into a fresh slapd and returns how
// long the ldapadd process ran.
func benchLdapadd(b *testing.B, file string, people int) time.Duration {
	ref := ldaptest.Start(b, ldaptest.Options{NoSync: true})
	defer ref.Stop(b)
	cmd := exec.Command("ldapadd", "-c", "-x", "-ZZ", "-H", ref.URL, "-D", ref.BindDN, "-w", ref.Password, "-f", file)
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+ref.CAFile)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("ldapadd: %v\n%.2000s", err, out)
	}
	if got := ref.Count(b, "ou=people,dc=dcc,dc=invalid"); got != people {
		b.Fatalf("ldapadd added %d people; want %d", got, people)
	}
	return d
}

// ldapaddFile writes the entries Apply creates as one LDIF for ldapadd:
// the containers, accounts.ldif as is (its base is the test server's), and
// the groups.
func ldapaddFile(b *testing.B, dir string, people []testPerson, codes []string) string {
	b.Helper()
	accounts, err := os.ReadFile(filepath.Join(dir, "accounts.ldif"))
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("dn: ou=people,dc=dcc,dc=invalid\nobjectClass: top\nobjectClass: organizationalUnit\nou: people\n\n")
	sb.WriteString("dn: ou=groups,dc=dcc,dc=invalid\nobjectClass: top\nobjectClass: organizationalUnit\nou: groups\n\n")
	sb.Write(accounts)
	for _, code := range append([]string{"CONSULTATION"}, codes...) {
		fmt.Fprintf(&sb, "\ndn: cn=%s,ou=groups,dc=dcc,dc=invalid\nobjectClass: top\nobjectClass: groupOfNames\ncn: %s\n", code, code)
		for _, p := range people {
			if p.habs[code] == "active" {
				fmt.Fprintf(&sb, "member: uid=%s,ou=people,dc=dcc,dc=invalid\n", p.uid)
			}
		}
	}
	file := filepath.Join(b.TempDir(), "ldapadd.ldif")
	if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return file
}
