package pades_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/provision/pades"
	"github.com/dccprov/dccprov/provision/pdfconf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
)

func TestPageTexts(t *testing.T) {
	t.Parallel()
	form := issued(t)
	// The form as issued, and rewritten (pdfcpu's optimisation: objects
	// renumbered, xref stream) as a signing service may.
	var rewritten bytes.Buffer
	if err := api.Optimize(bytes.NewReader(form), &rewritten, pdfconf.Config()); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"issued": form, "rewritten": rewritten.Bytes()} {
		texts, err := pades.PageTexts(data)
		if err != nil {
			t.Fatalf("%s: PageTexts = %v", name, err)
		}
		if len(texts) != 2 {
			t.Fatalf("%s: %d pages, want 2", name, len(texts))
		}
		for i := range texts {
			texts[i] = strings.ReplaceAll(texts[i], "\u202f", " ") // before a colon
		}
		for i, want := range []string{"Référence : F-010000016-20260115-75df95 — Empreinte des demandes : 75df95be4a41", "page 1/2", "Centre hospitalier « Cœur de Loire »"} {
			if !strings.Contains(texts[0], want) {
				t.Errorf("%s: page 1 text lacks %d %q:\n%s", name, i, want, texts[0])
			}
		}
		if !strings.Contains(texts[1], "page 2/2") {
			t.Errorf("%s: page 2 lacks page 2/2", name)
		}
	}
}
