package provision

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func writeSummary(tb testing.TB, people []Person) []byte {
	tb.Helper()
	var b bytes.Buffer
	r := NewReport(testTable(), testPeople(), testProblems())
	if err := WriteSummaryHTML(&b, r, people); err != nil {
		tb.Fatalf("WriteSummaryHTML = %v", err)
	}
	return b.Bytes()
}

func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	checkGolden(t, "summary.html", writeSummary(t, testPeople()))
}

func TestSummaryDeterministic(t *testing.T) {
	t.Parallel()
	a := writeSummary(t, testPeople())
	if b := writeSummary(t, nil); !bytes.Equal(a, b) {
		t.Errorf("WriteSummaryHTML(r, nil) differs from WriteSummaryHTML(r, r.People)")
	}
}

// TestSummarySelfContained checks the page fetches nothing, runs nothing
// and shows no personal data.
func TestSummarySelfContained(t *testing.T) {
	t.Parallel()
	page := string(writeSummary(t, testPeople()))
	for _, bad := range []string{"<script", "src=", "href=", "url(", "@import", "<link", "<iframe", "on" + "load="} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("summary.html contains %q", bad)
		}
	}
	for _, personal := range []string{"DUPONT", "Jean", "jean.dupont", "LÉVÊQUE", "+33612345678", "19999900004", "secretariat.onco", "HYPERLINK"} {
		if strings.Contains(page, personal) {
			t.Errorf("summary.html shows personal data %q", personal)
		}
	}
	for _, want := range []string{"Centre Hospitalier Exemple", "750000002", "<svg", "AUTH_MODE_UNKNOWN", "Habilitations en attente de signature<b>1</b>"} {
		if !strings.Contains(page, want) {
			t.Errorf("summary.html lacks %q", want)
		}
	}
	// Each inline SVG is well-formed XML.
	for rest := page; ; {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "</svg>")
		if j < 0 {
			t.Fatalf("unterminated <svg>")
		}
		svg := rest[i : i+j+len("</svg>")]
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			if _, err := d.Token(); err != nil {
				if err.Error() != "EOF" {
					t.Errorf("inline SVG is not well-formed: %v\n%s", err, svg)
				}
				break
			}
		}
		rest = rest[i+j:]
	}
}
