package provision

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The list of recognised variants in docs/fidelity.md sits between these
// markers; the rest of that page is written by hand.
const (
	variantsBegin = "<!-- variants:begin -->\n"
	variantsEnd   = "<!-- variants:end -->\n"
)

// TestREADMEVariants keeps the list of header, profession and login-mode
// variants in docs/fidelity.md (linked from the README) in sync with
// templates/; -update rewrites that section, and only it.
func TestREADMEVariants(t *testing.T) {
	path := filepath.Join("..", "docs", "fidelity.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(variantsBegin))
	j := bytes.Index(data, []byte(variantsEnd))
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", path, strings.TrimSpace(variantsBegin), strings.TrimSpace(variantsEnd))
	}
	got := string(data[i+len(variantsBegin) : j])
	want := variantsMarkdown(t)
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("%s: the variants section is out of date with templates/; run go test ./provision -run TestREADMEVariants -update", path)
	}
	out := bytes.Join([][]byte{data[:i+len(variantsBegin)], []byte(want), data[j:]}, nil)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// variantsMarkdown renders the variants of templates/ for docs/fidelity.md.
func variantsMarkdown(tb testing.TB) string {
	tb.Helper()
	n := mustNomenclature(tb)
	h, err := loadHeaders(testConfig(tb).Templates)
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("<!-- Generated from templates/headers.yaml, professions.yaml and login-modes.yaml by TestREADMEVariants\n" +
		"     (go test ./provision -run TestREADMEVariants -update); edit those files, not this section. -->\n\n")
	b.WriteString("#### Recognised variants\n\n")
	b.WriteString("Headers, professions, login modes and habilitations are compared by a key that ignores case, accents,\n" +
		"punctuation, the articles and prepositions `de`, `du`, `d'`, `des`, `la`, `le`, `l'`, `les` (for login modes\n" +
		"also `par`, `via`, `avec`, `en`, `un`, `une`, `sur`, `à`), plurals, inclusive endings (`(e)`, `(ne)`, `(trice)`,\n" +
		"`·e`, `-e`) and feminine forms: `N° de portable` is `N° portable`, `Adresses e-mail professionnelles` is\n" +
		"`Adresse mail professionnel`, `Infirmier·ère` and `Infirmières` are `Infirmier`, `Par SMS` is `SMS`. A known\n" +
		"profession followed by a qualifier keeps the profession (`IDE coordinatrice` is Infirmier), with the\n" +
		"specialty the qualifier names when the profession may hold it in TRE_R38 (`PH radiologue`: SM44,\n" +
		"`Infirmière IBODE`: SI06), unless the qualifier is a typo of a longer name (`Infirmière diplômée d'etta`)\n" +
		"or names another health profession (`Kiné onco`): those stay `PROFESSION_UNKNOWN`. A TRE_R38 specialty\n" +
		"alone names its profession (`IADE`).\n\n")
	b.WriteString("A \"did you mean\" (`PROFESSION_UNKNOWN`, `HABILITATION_UNKNOWN`) offers only names within a few typing\n" +
		"errors of the value, first letter right (none for 3 letters or fewer, 1 up to 5, 2 up to 10, 3 beyond), or\n" +
		"sharing a word of 3 letters or more with it (6 or more: one typo allowed), at most 3, closest first, one\n" +
		"name per profession; otherwise the suggestion says none is close. A habilitation that needs a\n" +
		"signature is offered on a shared word only when no other habilitation has that word. An unrelated value\n" +
		"(`Super-utilisateur`, a specialty typed as a habilitation) gets no guess.\n\n")

	fmt.Fprintf(&b, "Headers (`templates/headers.yaml`; a bracketed hint, a `*` and the words %s are dropped):\n\n",
		codeList(h.noiseWords))
	b.WriteString("| field | headers |\n|---|---|\n")
	for _, d := range h.defs {
		fmt.Fprintf(&b, "| `%s` | %s |\n", d.Field, codeList(d.Headers))
	}

	b.WriteString("\nProfessions (`templates/professions.yaml`; the official labels of TRE_G15, TRE_R95, TRE_R94 and TRE_R85\n" +
		"are recognised too):\n\n")
	b.WriteString("| profession | specialty | written |\n|---|---|---|\n")
	for _, d := range n.profDefs {
		p, spec, _ := n.Profession(d.Synonyms[0])
		who := fmt.Sprintf("%s %s %s", p.System, p.Code, p.Label)
		if p.Role != nil {
			who = fmt.Sprintf("%s %s, role %s %s", p.System, p.Code, p.Role.Code, p.Role.Label)
		}
		s := ""
		if spec != nil {
			s = spec.Code + " " + spec.Label
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", who, s, codeList(d.Synonyms))
	}

	b.WriteString("\nLogin modes (`templates/login-modes.yaml`; the mode's name is recognised too):\n\n")
	b.WriteString("| mode | written |\n|---|---|\n")
	for _, d := range n.loginDefs {
		fmt.Fprintf(&b, "| `%s` | %s |\n", d.Mode, codeList(d.Variants))
	}
	return b.String()
}

// codeList writes names as `a`, `b`, `c`.
func codeList(names []string) string {
	q := make([]string, len(names))
	for i, s := range names {
		q[i] = "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
	}
	return strings.Join(q, ", ")
}
