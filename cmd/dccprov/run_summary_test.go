package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// luhnKey completes s with its Luhn check digit, as FINESS and RPPS
// numbers are keyed.
func luhnKey(s string) string {
	sum := 0
	for i := range len(s) {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + fmt.Sprint((10-sum%10)%10)
}

// TestRunSummaryManyForms checks that the terminal summary of a run with
// more than ten forms lists ten and says how many more, and where to see
// them: a national run makes hundreds.
func TestRunSummaryManyForms(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Nom;Prénom;Courriel;Tél. portable;Profession;RPPS;Établissement;FINESS;Habilitations;Mode de connexion\n")
	for i := range 12 {
		fmt.Fprintf(&b, "MARTIN;Paul%c;paul%d.martin@chu-exemple.fr;0612345679;Médecin;%s;CH %d;%s;Accès étendu;CPS\n",
			'A'+i, i, luhnKey(fmt.Sprintf("1000000%03d", i)), i, luhnKey(fmt.Sprintf("440001%02d", i)))
	}
	list := filepath.Join(dir, "liste.csv")
	if err := os.WriteFile(list, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "run", list, "-o", filepath.Join(dir, "out"), "--store", filepath.Join(dir, "dccprov.db"), "--quiet")
	if code != 0 {
		t.Fatalf("run = %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "forms: 12 new, 0 still awaiting signature\n") {
		t.Errorf("summary has no forms count line:\n%s", stderr)
	}
	if n := len(regexp.MustCompile(`(?m)^  form F-\S+: 1 request\(s\) to sign → `).FindAllString(stderr, -1)); n != 10 {
		t.Errorf("summary lists %d forms; want 10:\n%s", n, stderr)
	}
	if !strings.Contains(stderr, "  … and 2 more: dccprov forms list\n") {
		t.Errorf("summary does not say how many more forms and where:\n%s", stderr)
	}
}
