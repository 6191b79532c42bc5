package provision_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
	"github.com/dccprov/dccprov/templates"
)

// The Chromium test renders summary.html of real runs of the sample list
// in headless Chromium (Debian package chromium; make deps installs it)
// and checks every count the browser shows against report.json of the
// same run. It lives in package provision_test to use the real store,
// which imports provision.

var readmeScreenshot = flag.Bool("readme-screenshot", false, "write ../docs/summary.png, the README's screenshot of summary.html")

// needChromium returns the path of chromium, or skips the test when it is
// missing, except under CI=true where a missing chromium fails it.
func needChromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("provision: chromium is not installed (CI=true): run make deps")
	}
	tb.Skipf("provision: chromium is not installed; skipping (make deps installs it)")
	return ""
}

// chromium runs headless Chromium on the page with args and returns its
// standard output. Each call has its own profile and a time limit.
func chromium(tb testing.TB, bin, page string, args ...string) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 20*time.Second)
	defer cancel()
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
		"--user-data-dir=" + tb.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes()
}

func chromiumConfig(tb testing.TB, date string) *provision.Config {
	tb.Helper()
	defs, err := provision.DefaultHabilitations(templates.FS)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		tb.Fatal(err)
	}
	return &provision.Config{
		Templates:     templates.FS,
		Habilitations: defs,
		CSV:           provision.CSVOptions{Separator: ','},
		Date:          d,
		BaseDN:        "dc=dcc,dc=invalid",
		Operator:      "operateur.ars",
		Limits:        provision.DefaultLimits,
	}
}

// runInto runs input into a new dir with the store st, on date.
func runInto(tb testing.TB, st provision.Store, input, dir, date string) *provision.Batch {
	tb.Helper()
	out, err := provision.CreateOutDir(dir, false)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	b, err := provision.Run(tb.Context(), input, out, st, chromiumConfig(tb, date))
	if err != nil {
		tb.Fatalf("Run(%s): %v", input, err)
	}
	return b
}

// chromiumReport is what the test reads of report.json.
type chromiumReport struct {
	Rows struct {
		Read         int `json:"read"`
		Accepted     int `json:"accepted"`
		Rejected     int `json:"rejected"`
		WithWarnings int `json:"with_warnings"`
	} `json:"rows"`
	Problems []struct {
		Code string `json:"code"`
	} `json:"problems"`
	People []struct {
		UID           string `json:"uid"`
		Status        string `json:"status"`
		DuplicateOf   int    `json:"duplicate_of"`
		Establishment struct {
			FINESS string `json:"finess"`
			Name   string `json:"name"`
		} `json:"establishment"`
		Habilitations []struct {
			Code   string `json:"code"`
			Status string `json:"status"`
			Form   string `json:"form"`
		} `json:"habilitations"`
	} `json:"people"`
	Forms []struct {
		Ref      string `json:"ref"`
		Requests int    `json:"requests"`
	} `json:"forms"`
	Absent []struct {
		UID string `json:"uid"`
	} `json:"absent"`
	Establishments []struct {
		FINESS string `json:"finess"`
		Status string `json:"status"`
		Items  []struct {
			Key    string `json:"key"`
			Status string `json:"status"`
		} `json:"items"`
	} `json:"establishments"`
}

// readiness returns the traffic lights summary.html must show: "FINESS"
// → status, "FINESS key" → the item's status.
func (r chromiumReport) readiness() map[string]string {
	want := map[string]string{}
	for _, e := range r.Establishments {
		want[e.FINESS] = e.Status
		for _, it := range e.Items {
			want[e.FINESS+" "+it.Key] = it.Status
		}
	}
	return want
}

// expected returns what summary.html must show, worked out from
// report.json alone: "scope count where" → number, where scope is "" (the
// cards), est=KEY, code=CODE or form=REF, and where "table" or "chart".
// An exact repeat of a row (duplicate_of) counts once, in no column but
// its own; forms are those of DIR/forms, new or printed again.
func (r chromiumReport) expected(forms []string) map[string]int {
	want := map[string]int{
		" read table":          r.Rows.Read,
		" rejected table":      r.Rows.Rejected,
		" with_warnings table": r.Rows.WithWarnings,
		" accepted table":      0,
		" pending table":       0,
	}
	onForm := map[string]int{}
	dups := map[string]int{}
	for _, p := range r.People {
		key := cmpOr(p.Establishment.FINESS, "nom:"+p.Establishment.Name)
		for _, where := range []string{"table", "chart"} {
			for _, c := range []string{"accepted", "rejected", "pending"} {
				want["est="+key+" "+c+" "+where] += 0
			}
		}
		switch {
		case p.DuplicateOf != 0:
			dups[key]++
		case p.Status == "accepted":
			want[" accepted table"]++
			want["est="+key+" accepted table"]++
			want["est="+key+" accepted chart"]++
			for _, h := range p.Habilitations {
				if h.Status == "pending-signature" {
					want[" pending table"]++
					want["est="+key+" pending table"]++
					want["est="+key+" pending chart"]++
					onForm[h.Form]++
				}
			}
		case p.Status == "rejected":
			want["est="+key+" rejected table"]++
			want["est="+key+" rejected chart"]++
		}
	}
	if len(dups) > 0 { // the column is shown only then
		for _, p := range r.People {
			key := cmpOr(p.Establishment.FINESS, "nom:"+p.Establishment.Name)
			want["est="+key+" duplicates table"] = dups[key]
		}
	}
	for _, p := range r.Problems {
		want["code="+p.Code+" problems table"]++
		want["code="+p.Code+" problems chart"]++
	}
	for _, ref := range forms {
		want["form="+ref+" requests table"] = onForm[ref]
	}
	return want
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// shownPage is what the browser shows of summary.html.
type shownPage struct {
	counts  map[string]int    // as [chromiumReport.expected]
	newRefs []string          // forms tagged "nouveau"
	refused map[string]string // uid + " " + habilitation code → form REF
	absent  []string          // uids
	// readiness is the table « Préparation des établissements », as
	// [chromiumReport.readiness].
	readiness map[string]string
	text      string // every text of the page
}

// numberRE is a count as the page writes it: groups of three digits
// separated by a narrow no-break space.
var numberRE = regexp.MustCompile("^[0-9]{1,3}(\u202f[0-9]{3})*$")

func readShown(tb testing.TB, dom []byte) shownPage {
	tb.Helper()
	doc, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		tb.Fatalf("parsing the DOM chromium dumped: %v", err)
	}
	s := shownPage{counts: map[string]int{}, refused: map[string]string{}, readiness: map[string]string{}}
	var text strings.Builder
	var walk func(n *html.Node, scope, where string, row []string)
	walk = func(n *html.Node, scope, where string, row []string) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
			text.WriteString(" ")
		}
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		attr := map[string]string{}
		for _, a := range n.Attr {
			attr[a.Key] = a.Val
		}
		if n.Data == "svg" {
			where = "chart"
		}
		for _, k := range []string{"data-est", "data-code", "data-form"} {
			if v, ok := attr[k]; ok {
				scope = strings.TrimPrefix(k, "data-") + "=" + v
			}
		}
		if n.Data == "tr" {
			if ref, ok := attr["data-form"]; ok && strings.Contains(textOf(n), "nouveau") {
				s.newRefs = append(s.newRefs, ref)
			}
			if uid, ok := attr["data-refused"]; ok {
				cells := cellsOf(n)
				if len(cells) != 7 {
					tb.Fatalf("refused habilitation row %q has %d cells, want 7 (with line, date and reason)", uid, len(cells))
				}
				code, _, _ := strings.Cut(cells[2], " ")
				s.refused[uid+" "+code] = cells[3]
			}
			if uid, ok := attr["data-absent"]; ok {
				s.absent = append(s.absent, uid)
			}
			if finess, ok := attr["data-readiness"]; ok {
				s.readiness[finess] = attr["data-status"]
				for _, li := range elementsOf(n, "li") {
					if key := attrOf(li, "data-item"); key != "" {
						s.readiness[finess+" "+key] = attrOf(li, "data-status")
					}
				}
			}
		}
		if c, ok := attr["data-count"]; ok {
			v := strings.TrimSpace(textOf(n))
			if !numberRE.MatchString(v) {
				tb.Errorf("%s %s (%s) shows %q, not a count written the French way", scope, c, where, v)
			}
			num, err := strconv.Atoi(strings.ReplaceAll(v, "\u202f", ""))
			if err != nil {
				num = -1
			}
			key := scope + " " + c + " " + where
			if _, dup := s.counts[key]; dup {
				tb.Errorf("summary.html shows %s twice", key)
			}
			s.counts[key] = num
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, scope, where, row)
		}
	}
	walk(doc, "", "table", nil)
	s.text = text.String()
	return s
}

// elementsOf returns the elements named name under n, in document order.
func elementsOf(n *html.Node, name string) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == name {
			out = append(out, c)
		}
		out = append(out, elementsOf(c, name)...)
	}
	return out
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func cellsOf(tr *html.Node) []string {
	var cells []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "td" {
			cells = append(cells, textOf(c))
		}
	}
	return cells
}

// checkShown renders DIR/summary.html in Chromium and compares what it
// shows with DIR/report.json and DIR/forms.
func checkShown(t *testing.T, bin, dir string) shownPage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep chromiumReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("reading report.json: %v", err)
	}
	pdfs, err := filepath.Glob(filepath.Join(dir, "forms", "*.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	var forms []string
	for _, p := range pdfs {
		forms = append(forms, strings.TrimSuffix(filepath.Base(p), ".pdf"))
	}

	page := filepath.Join(dir, "summary.html")
	shown := readShown(t, chromium(t, bin, page, "--dump-dom"))
	if !strings.Contains(shown.text, "Synthèse du lot") {
		t.Fatalf("chromium shows no summary:\n%s", shown.text)
	}
	if diff := cmp.Diff(rep.expected(forms), shown.counts); diff != "" {
		t.Errorf("%s: counts shown (+) differ from report.json (-):\n%s", page, diff)
	}

	var newRefs []string
	for _, f := range rep.Forms {
		newRefs = append(newRefs, f.Ref)
	}
	if !slices.Equal(slices.Sorted(slices.Values(shown.newRefs)), slices.Sorted(slices.Values(newRefs))) {
		t.Errorf("%s: forms shown as new %v, want report.json's forms %v", page, shown.newRefs, newRefs)
	}
	refused := map[string]string{}
	for _, p := range rep.People {
		if p.Status != "accepted" || p.DuplicateOf != 0 {
			continue
		}
		for _, h := range p.Habilitations {
			if h.Status == "rejected" {
				refused[p.UID+" "+h.Code] = h.Form
			}
		}
	}
	if diff := cmp.Diff(refused, shown.refused); diff != "" {
		t.Errorf("%s: refused habilitations shown (+) differ from report.json (-):\n%s", page, diff)
	}
	var absent []string
	for _, a := range rep.Absent {
		absent = append(absent, a.UID)
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(absent)), slices.Sorted(slices.Values(shown.absent))); diff != "" {
		t.Errorf("%s: absent people shown (+) differ from report.json (-):\n%s", page, diff)
	}
	if len(rep.Establishments) == 0 {
		t.Errorf("%s: report.json has no establishments", dir)
	}
	if diff := cmp.Diff(rep.readiness(), shown.readiness); diff != "" {
		t.Errorf("%s: readiness shown (+) differs from report.json (-):\n%s", page, diff)
	}
	for _, want := range []string{"Date du lot", "operateur.ars", "liste-personnels.xlsx", "Préparation des établissements", "bloquant"} {
		if !strings.Contains(shown.text, want) {
			t.Errorf("%s: chromium does not show %q", page, want)
		}
	}
	return shown
}

// TestChromiumSummary runs the sample list three times through one store
// and checks what Chromium shows of summary.html against report.json:
//
//  1. a list naming someone the sample does not (they are absent later);
//  2. the sample: two new forms;
//  3. the sample again, once one form was refused: the other is printed
//     again, the refused requests are listed with their form.
//
// It also prints the last page to PDF (A4: at most 4 pages, 3 today) and
// takes a screenshot, which -readme-screenshot writes to ../docs/summary.png.
func TestChromiumSummary(t *testing.T) {
	bin := needChromium(t)
	t.Parallel()
	tmp := t.TempDir()
	st, err := store.Open(t.Context(), filepath.Join(tmp, "dccprov.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	former := filepath.Join(tmp, "ancienne-liste.csv")
	csv := "Nom;Prénom;Profession;RPPS;Courriel;Portable;Etablissement;FINESS;Habilitation;Authentification\n" +
		"ANCIEN;Paul;Psychologue;;paul.ancien@chu-exemple.fr;;CHU Exemple-sur-Loire;440000172;Consultation des dossiers;Mail\n"
	if err := os.WriteFile(former, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	sample := "../samples/liste-personnels.xlsx"
	runInto(t, st, former, filepath.Join(tmp, "run0"), "2026-01-08")
	b1 := runInto(t, st, sample, filepath.Join(tmp, "run1"), "2026-01-15")
	if len(b1.Forms) < 2 {
		t.Fatalf("the sample's first run made %d forms, want at least 2", len(b1.Forms))
	}
	refused := b1.Forms[len(b1.Forms)-1].Ref
	if err := st.Reject(t.Context(), refused, "demande non justifiée", "operateur.ars", chromiumConfig(t, "2026-01-20").Date); err != nil {
		t.Fatal(err)
	}
	b2 := runInto(t, st, sample, filepath.Join(tmp, "run2"), "2026-01-22")
	if len(b2.Pending) == 0 || len(b2.Absent) == 0 {
		t.Fatalf("the third run has %d forms printed again and %d absent people, want some of each", len(b2.Pending), len(b2.Absent))
	}

	// Each rendering is its own Chromium; they run side by side.
	t.Run("first", func(t *testing.T) {
		t.Parallel()
		s := checkShown(t, bin, filepath.Join(tmp, "run1"))
		if len(s.newRefs) != len(b1.Forms) {
			t.Errorf("run 2 shows %d new forms, want %d", len(s.newRefs), len(b1.Forms))
		}
	})
	t.Run("again", func(t *testing.T) {
		t.Parallel()
		s := checkShown(t, bin, filepath.Join(tmp, "run2"))
		if len(s.refused) == 0 || len(s.absent) == 0 {
			t.Errorf("run 3 shows %d refused habilitations and %d absent people, want some of each", len(s.refused), len(s.absent))
		}
		for _, f := range b2.Pending {
			if _, ok := s.counts["form="+f.Ref+" requests table"]; !ok {
				t.Errorf("run 3 does not show form %s, printed again", f.Ref)
			}
		}
	})
	page := filepath.Join(tmp, "run2", "summary.html")
	t.Run("print", func(t *testing.T) {
		t.Parallel()
		pdf := filepath.Join(t.TempDir(), "summary.pdf")
		chromium(t, bin, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
		data, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatal(err)
		}
		// Chromium writes each page object's dictionary in the clear.
		pages := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(data, -1))
		if !bytes.HasPrefix(data, []byte("%PDF-")) || pages < 1 || pages > 4 {
			t.Errorf("summary.html prints as %d pages (%d bytes), want a PDF of 1 to 4 A4 pages", pages, len(data))
		}
	})
	t.Run("screenshot", func(t *testing.T) {
		t.Parallel()
		shot := filepath.Join(t.TempDir(), "summary.png")
		chromium(t, bin, page, "--window-size=1000,2200", "--force-device-scale-factor=1", "--screenshot="+shot)
		data, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("chromium's screenshot: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 1000 || b.Dy() != 2200 {
			t.Errorf("screenshot is %v, want 1000×2200", b)
		}
		if *readmeScreenshot {
			if err := os.WriteFile(filepath.Join("..", "docs", "summary.png"), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
}
