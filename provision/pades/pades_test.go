package pades_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/dccprov/dccprov/provision/pades"
	"github.com/dccprov/dccprov/provision/pades/padestest"
)

func issued(t *testing.T) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(false) // so the test can change a byte of the text
	p.AddPage()
	p.SetFont("Helvetica", "", 12)
	p.Cell(40, 10, "Formulaire F-TEST")
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func qpdfCheck(t *testing.T, data []byte) {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("qpdf is required under CI")
		}
		t.Log("qpdf not installed: skipping qpdf --check")
		return
	}
	f := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", f).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}

func TestVerify(t *testing.T) {
	orig := issued(t)
	ca := padestest.NewCA(t)
	now := time.Now()
	good := ca.NewSigner(t, "Dr Test Directeur", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	signed := padestest.Sign(t, orig, good, ca, now)
	qpdfCheck(t, signed)

	res, err := pades.Verify(signed, pades.Options{Roots: ca.Pool()})
	if err != nil {
		t.Fatalf("Verify(signed, test CA) = %v", err)
	}
	if res.Signer != "Dr Test Directeur" {
		t.Errorf("Signer = %q", res.Signer)
	}
	if res.SigningTime.IsZero() || res.SigningTime.Sub(now).Abs() > time.Minute {
		t.Errorf("SigningTime = %v, want about %v", res.SigningTime, now)
	}
	found := false
	for _, p := range res.Prefixes {
		found = found || bytes.Equal(p, orig)
	}
	if !found {
		t.Errorf("no prefix is the issued file (%d candidates)", len(res.Prefixes))
	}

	expired := ca.NewSigner(t, "Old", now.AddDate(-1, 0, 0), now.AddDate(0, 0, -1))
	tampered := bytes.Clone(signed)
	i := bytes.Index(tampered, []byte("F-TEST"))
	tampered[i] = 'G'
	appended := append(bytes.Clone(signed), "\n% more\n"...)

	for _, tc := range []struct {
		name  string
		data  []byte
		roots bool
		want  pades.Reason
	}{
		{"system roots", signed, false, pades.Untrusted},
		{"one byte changed", tampered, true, pades.Invalid},
		{"expired certificate", padestest.Sign(t, orig, expired, ca, now), true, pades.Expired},
		{"no signature", orig, true, pades.NoSignature},
		{"bytes appended", appended, true, pades.NotCovering},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := pades.Options{}
			if tc.roots {
				o.Roots = ca.Pool()
			}
			_, err := pades.Verify(tc.data, o)
			if got := pades.ReasonOf(err); got != tc.want {
				t.Fatalf("Verify reason = %v (%v), want %v", got, err, tc.want)
			}
			if err.Error() == "" {
				t.Error("empty sentence")
			}
		})
	}
}
