package pades_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/pades"
	"github.com/dccprov/dccprov/provision/pades/padestest"
)

// issued is a form PDF as dccprov issues it.
func issued(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "forms", "sample.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func newCA(t *testing.T) *padestest.CA {
	t.Helper()
	ca, err := padestest.NewCA("Autorité de test")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func signWith(t *testing.T, ca *padestest.CA, cn string, notBefore, notAfter time.Time, data []byte) []byte {
	t.Helper()
	s, err := ca.Issue(cn, notBefore, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Sign(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// qpdfCheck checks data with qpdf --check.
func qpdfCheck(t *testing.T, data []byte) {
	t.Helper()
	qpdf, err := exec.LookPath("qpdf")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pades: qpdf is not installed (CI=true): run make deps")
		}
		t.Skip("pades: qpdf is not installed; skipping (make deps installs it)")
	}
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check of the signed form: %v\n%s", err, out)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	form := issued(t)
	ca := newCA(t)
	now := time.Now()
	signed := signWith(t, ca, "Dr Marie Durand", now.Add(-time.Hour), now.AddDate(1, 0, 0), form)
	qpdfCheck(t, signed)

	t.Run("accepted with the CA as root", func(t *testing.T) {
		res, err := pades.Verify(signed, pades.Options{Roots: ca.Pool()})
		if err != nil {
			t.Fatalf("Verify = %v, want nil", err)
		}
		if res.Signer != "Dr Marie Durand" {
			t.Errorf("Signer = %q, want the certificate's CN", res.Signer)
		}
		if res.SigningTime.IsZero() || res.SigningTime.Sub(now).Abs() > time.Minute {
			t.Errorf("SigningTime = %v, want about %v", res.SigningTime, now)
		}
		if !bytes.Equal(res.Prefix, form) {
			t.Errorf("Prefix is %d bytes, want the %d bytes issued", len(res.Prefix), len(form))
		}
		if len(res.Candidates) < 2 || !bytes.Equal(res.Candidates[1], form[:len(form)-1]) {
			t.Errorf("Candidates[1] is not the issued file without its last end of line")
		}
	})

	// Another CA signing the same way, to tell the refusals apart.
	other := newCA(t)
	expired := signWith(t, ca, "Dr Ancien", now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0), form)
	notYet := signWith(t, ca, "Dr Futur", now.Add(time.Hour), now.AddDate(1, 0, 0), form)
	flipped := bytes.Clone(signed)
	i := bytes.Index(flipped, []byte("/Title"))
	if i < 0 {
		t.Fatal("no /Title in the form to alter")
	}
	flipped[i+1] = 't' // one byte of the original part
	appended := append(bytes.Clone(signed), []byte("% added after signing\n")...)

	for _, tc := range []struct {
		name  string
		data  []byte
		opts  pades.Options
		want  error
		prefx bool // the Result still gives the prefix
	}{
		{"system roots", signed, pades.Options{}, pades.ErrUntrusted, true},
		{"another CA", signed, pades.Options{Roots: other.Pool()}, pades.ErrUntrusted, true},
		{"one byte of the original changed", flipped, pades.Options{Roots: ca.Pool()}, pades.ErrInvalidSignature, true},
		{"bytes appended", appended, pades.Options{Roots: ca.Pool()}, pades.ErrNotCovering, true},
		{"expired certificate", expired, pades.Options{Roots: ca.Pool()}, pades.ErrExpired, true},
		{"certificate not yet valid", notYet, pades.Options{Roots: ca.Pool()}, pades.ErrExpired, true},
		{"valid later, expired at verification", signed, pades.Options{Roots: ca.Pool(), Time: now.AddDate(2, 0, 0)}, pades.ErrExpired, true},
		{"no signature", form, pades.Options{Roots: ca.Pool()}, pades.ErrNoSignature, false},
		{"not a PDF", []byte("hello"), pades.Options{}, pades.ErrNoSignature, false},
		{"ByteRange out of the file", []byte("%PDF-1.4\n/ByteRange [0 10 90000 5]"), pades.Options{}, pades.ErrInvalidSignature, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := pades.Verify(tc.data, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			var pe *pades.Error
			if !errors.As(err, &pe) || pe.Error() == "" {
				t.Errorf("Verify error %v is not a *pades.Error with a sentence", err)
			}
			if tc.prefx && (res == nil || !bytes.Equal(res.Prefix, tc.data[:len(form)])) {
				t.Errorf("Result.Prefix is not the issued part")
			}
		})
	}
}

func TestVerifyTwoRevisionsBeforeSignature(t *testing.T) {
	t.Parallel()
	// A signed file signed again: the last signature covers the whole file
	// and its prefix is the first signed file.
	form := issued(t)
	ca := newCA(t)
	now := time.Now()
	once := signWith(t, ca, "Premier", now.Add(-time.Hour), now.AddDate(1, 0, 0), form)
	twice := signWith(t, ca, "Second", now.Add(-time.Hour), now.AddDate(1, 0, 0), once)
	res, err := pades.Verify(twice, pades.Options{Roots: ca.Pool()})
	if err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if res.Signer != "Second" || !bytes.Equal(res.Prefix, once) {
		t.Errorf("Signer %q, prefix %d bytes; want Second and the %d bytes signed once", res.Signer, len(res.Prefix), len(once))
	}
	found := false
	for _, c := range res.Candidates {
		found = found || bytes.Equal(c, form)
	}
	if !found {
		t.Errorf("no candidate prefix is the issued form")
	}
}
