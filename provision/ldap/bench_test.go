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
// rate with ldapadd of the same entries on an identical slapd (dbnosync for
// both). It also checks that re-planning the unchanged directory is one
// search per container and no write. Run with `make bench`.
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
			entries := 2 + n + 1 + len(codes)
			var ours, theirs time.Duration
			for b.Loop() {
				b.StopTimer()
				srv := ldaptest.Start(b, ldaptest.Options{NoSync: true})
				c := mustDial(b, settings(srv))
				batch, err := ldap.ReadBatch(dir)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				cs, err := ldap.Plan(b.Context(), c, batch, ldap.Options{})
				if err != nil {
					b.Fatal(err)
				}
				sum, err := ldap.Apply(b.Context(), c, cs, ldap.ApplyOptions{Dir: b.TempDir(), Date: date})
				if err != nil {
					b.Fatal(err)
				}
				ours += time.Since(start)
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
				srv.Stop(b)

				ref := ldaptest.Start(b, ldaptest.Options{NoSync: true})
				file := ldapaddFile(b, dir, people, codes)
				cmd := exec.Command("ldapadd", "-c", "-x", "-ZZ", "-H", ref.URL, "-D", ref.BindDN, "-w", ref.Password, "-f", file)
				cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+ref.CAFile)
				start = time.Now()
				out, err := cmd.CombinedOutput()
				theirs += time.Since(start)
				if err != nil {
					b.Fatalf("ldapadd: %v\n%.2000s", err, out)
				}
				ref.Stop(b)
				b.StartTimer()
			}
			k := float64(b.N)
			oursRate := float64(entries) * k / ours.Seconds()
			theirRate := float64(entries) * k / theirs.Seconds()
			b.ReportMetric(oursRate, "dccprov-entries/s")
			b.ReportMetric(theirRate, "ldapadd-entries/s")
			b.ReportMetric(oursRate/theirRate, "ratio")
		})
	}
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
