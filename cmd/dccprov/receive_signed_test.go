package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/pades/padestest"
	"github.com/dccprov/dccprov/provision/pdfconf"
	"github.com/dccprov/dccprov/provision/store"
	"github.com/dccprov/dccprov/templates"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/rs/zerolog"
)

// signedFixture is a seeded store, a form printed by `forms print`, and a
// throwaway authority and signer.
type signedFixture struct {
	db      string
	form    provision.Form
	other   provision.Form // a form never printed by forms print: no file recorded
	printed []byte         // the PDF forms print wrote
	ca      *padestest.CA
	signer  *padestest.Signer
	cfg     *provision.Config
}

func newSignedFixture(t *testing.T) signedFixture {
	t.Helper()
	db, forms := seedFormsStore(t)
	dir := t.TempDir()
	if code, _, errs := runFormsCLI(t, "forms", "print", forms[0].Ref, "-o", dir, "--store", db); code != 0 {
		t.Fatalf("forms print = %d, %s", code, errs)
	}
	printed, err := os.ReadFile(filepath.Join(dir, forms[0].Ref+".pdf"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := padestest.NewCA("Autorité de test")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ca.Issue("Dr Jeanne Martin", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &provision.Config{Templates: templates.FS, Date: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)}
	return signedFixture{db: db, form: forms[0], other: forms[1], printed: printed, ca: ca, signer: s, cfg: cfg}
}

func (fx signedFixture) sign(t *testing.T, data []byte) []byte {
	t.Helper()
	out, err := fx.signer.Sign(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func TestFormsPrintRecordsFile(t *testing.T) {
	fx := newSignedFixture(t)
	st, err := store.Open(t.Context(), fx.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sums, err := st.FormFiles(t.Context(), fx.form.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := sha256Hex(fx.printed); !slices.Equal(sums, []string{want}) {
		t.Errorf("FormFiles(%s) after forms print = %q, want [%s]", fx.form.Ref, sums, want)
	}
	if ref, err := st.FormFile(t.Context(), sha256Hex(fx.printed)); err != nil || ref != fx.form.Ref {
		t.Errorf("FormFile(sum) = %q, %v; want %s", ref, err, fx.form.Ref)
	}
}

func TestReceiveSigned(t *testing.T) {
	fx := newSignedFixture(t)
	ctx := t.Context()
	st, err := store.Open(ctx, fx.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	signed := fx.sign(t, fx.printed)
	flipped := bytes.Clone(signed)
	flipped[len(fx.printed)/2] ^= 0x01 // one byte of the issued part
	expiredSigner, err := fx.ca.Issue("Dr Ancien", time.Now().AddDate(-2, 0, 0), time.Now().AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	expired, err := expiredSigner.Sign(fx.printed)
	if err != nil {
		t.Fatal(err)
	}
	// A PDF of a form whose file is not recorded (issued by an older
	// dccprov): found by the REF in its title and the form printed again
	// from its model.
	var unrecorded bytes.Buffer
	if err := provision.WriteFormPDF(&unrecorded, fx.other, fx.cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FormFile(ctx, sha256Hex(unrecorded.Bytes())); err == nil {
		t.Fatal("the file of the form never printed is recorded")
	}
	changed := bytes.Replace(unrecorded.Bytes(), []byte("/Producer"), []byte("/Producex"), 1)
	if bytes.Equal(changed, unrecorded.Bytes()) {
		t.Fatal("no /Producer to change")
	}

	for _, tc := range []struct {
		name    string
		data    []byte
		trusted bool // --ca-file with the test authority
		outcome string
		ref     string // "" when the form is not found
		problem string // a substring; "" when accepted
	}{
		{"valid, issued", signed, true, signatureValid, fx.form.Ref, ""},
		{"system roots", signed, false, signatureUntrusted, fx.form.Ref, "form " + fx.form.Ref + " refused: the signer's certificate is not issued by a trusted"},
		{"one byte changed", flipped, true, signatureInvalid, "", "refused: the electronic signature does not match the document"},
		{"expired", expired, true, signatureExpired, fx.form.Ref, "refused: the signer's certificate has expired"},
		{"no signature", []byte("%PDF-1.4\n/ByteRange\n%%EOF\n"), true, signatureNone, "", "carries no electronic signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &env{stdout: io.Discard, stderr: io.Discard, log: zerolog.Nop()}
			if tc.trusted {
				e.caRoots = fx.ca.Pool()
			}
			r, err := e.receiveSigned(ctx, st, fx.cfg, "retour.pdf", tc.data)
			if err != nil {
				t.Fatalf("receiveSigned = %v", err)
			}
			if r.outcome != tc.outcome || r.ref != tc.ref {
				t.Errorf("outcome %q, ref %q; want %q, %q", r.outcome, r.ref, tc.outcome, tc.ref)
			}
			if tc.problem == "" {
				if r.problem != "" || r.signer != "Dr Jeanne Martin" || r.digest != fx.form.Digest || r.pages == 0 || len(r.codes) != r.pages {
					t.Errorf("accepted: problem %q, signer %q, digest %q, %d pages, %d codes; want none, the certificate's CN, %s, one code a page",
						r.problem, r.signer, r.digest, r.pages, len(r.codes), fx.form.Digest)
				}
				return
			}
			if !strings.Contains(r.problem, tc.problem) || len(r.codes) != 0 {
				t.Errorf("problem %q, %d codes; want %q and no code", r.problem, len(r.codes), tc.problem)
			}
			if strings.Contains(r.problem, "retour") {
				t.Errorf("problem %q names the file; the caller does", r.problem)
			}
		})
	}

	e := &env{stdout: io.Discard, stderr: io.Discard, log: zerolog.Nop(), caRoots: fx.ca.Pool()}
	t.Run("found by its title when not recorded", func(t *testing.T) {
		r, err := e.receiveSigned(ctx, st, fx.cfg, "retour.pdf", fx.sign(t, unrecorded.Bytes()))
		if err != nil || r.problem != "" || r.ref != fx.other.Ref {
			t.Errorf("receiveSigned = %q, %q, %v; want %s accepted", r.ref, r.problem, err, fx.other.Ref)
		}
	})
	t.Run("its title, not the file issued, its text the form's", func(t *testing.T) {
		r, err := e.receiveSigned(ctx, st, fx.cfg, "retour.pdf", fx.sign(t, changed))
		if err != nil || r.outcome != signatureRewritten || r.ref != fx.other.Ref || r.problem != "" {
			t.Errorf("receiveSigned = %q, %q, %q, %v; want %s accepted by its text", r.ref, r.outcome, r.problem, err, fx.other.Ref)
		}
	})
	t.Run("rewritten by the signing service", func(t *testing.T) {
		var rewritten bytes.Buffer
		if err := api.Optimize(bytes.NewReader(fx.printed), &rewritten, pdfconf.Config()); err != nil {
			t.Fatal(err)
		}
		r, err := e.receiveSigned(ctx, st, fx.cfg, "retour.pdf", fx.sign(t, rewritten.Bytes()))
		if err != nil || r.outcome != signatureRewritten || r.ref != fx.form.Ref || r.problem != "" || r.pages != 1 || len(r.codes) != 1 {
			t.Errorf("receiveSigned = %q, %q, %q, %d pages, %v; want %s accepted by its text", r.ref, r.outcome, r.problem, r.pages, err, fx.form.Ref)
		}
	})
	t.Run("its reference and digest, but a request missing", func(t *testing.T) {
		// The form's footer, with one request less: what a tampered
		// rewrite would show. Refused: it is not what was issued.
		f := fx.form
		f.Lines = slices.Clone(f.Lines)
		f.Lines[0].Habilitations = f.Lines[0].Habilitations[:len(f.Lines[0].Habilitations)-1]
		var b bytes.Buffer
		if err := provision.WriteFormPDF(&b, f, fx.cfg); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b.Bytes(), []byte("%%EOF")) {
			t.Fatal("no PDF")
		}
		r, err := e.receiveSigned(ctx, st, fx.cfg, "retour.pdf", fx.sign(t, b.Bytes()))
		if err != nil || r.outcome != signatureNotIssued || r.ref != "" || !strings.Contains(r.problem, "is not a form issued by") {
			t.Errorf("receiveSigned = %q, %q, %q, %v; want not issued", r.ref, r.outcome, r.problem, err)
		}
	})
}

// TestFormsReceiveSignedAudit receives a signed form with --sign: the
// form is signed by the certificate's name, and the audit trail records
// the verification outcome and the file's SHA-256, never the signer's
// name or the file's.
func TestFormsReceiveSignedAudit(t *testing.T) {
	fx := newSignedFixture(t)
	dir := t.TempDir()
	signed := fx.sign(t, fx.printed)
	name := filepath.Join(dir, "retour-martin.pdf")
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(name, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(caFile, fx.ca.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runFormsCLI(t, "forms", "receive", name, "--ca-file", caFile, "--sign", "--store", fx.db)
	if code != 0 || !strings.Contains(out, fx.form.Ref+"  signed  pages found") {
		t.Fatalf("forms receive --sign = %d, stdout %q, stderr %q; want 0 and the form signed", code, out, errs)
	}
	st, err := store.Open(t.Context(), fx.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f, err := st.Form(t.Context(), fx.form.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != store.FormSigned || f.Signer != "Dr Jeanne Martin" {
		t.Errorf("form %s is %s by %q; want signed by the certificate's CN", f.Ref, f.Status, f.Signer)
	}
	events, err := st.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var file *store.Event
	for i, e := range events {
		if e.Action == "form-file-received" {
			file = &events[i]
		}
		if strings.Contains(e.Detail+e.Object, "Martin") || strings.Contains(e.Detail+e.Object, "retour") {
			t.Errorf("audit event %q %q names the signer or the file", e.Object, e.Detail)
		}
	}
	if file == nil || file.Object != "sha256:"+sha256Hex(signed) || !strings.HasPrefix(file.Detail, "signed-pdf, ") || !strings.HasSuffix(file.Detail, "; signature valid") {
		t.Errorf("form-file-received event = %+v; want the file's SHA-256 and the signature valid", file)
	}
}

// TestRunRecordsFormFiles: a run records the SHA-256 of each form PDF it
// writes, and a second run printing the pending form again adds nothing.
func TestRunRecordsFormFiles(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "liste.csv")
	csv := "Nom;Prénom;Fonction;Spécialité;RPPS;Courriel;Portable;Etablissement;FINESS;Habilitations;Authentification\n" +
		"MARTIN;Anne;Médecin;;10000000108;anne.martin@chu-exemple.fr;0680000000;CHU d'Exemple;010000016;\"Coordonnateur de RCP\";CPS\n"
	if err := os.WriteFile(list, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "dccprov.db")
	t.Chdir(dir)
	for i, out := range []string{"out1", "out2"} {
		if code, _, errs := runFormsCLI(t, "run", list, "-o", out, "--store", db); code != 0 {
			t.Fatalf("run %d = %d, %s", i+1, code, errs)
		}
	}
	pdfs, err := filepath.Glob(filepath.Join(dir, "out1", "forms", "*.pdf"))
	if err != nil || len(pdfs) != 1 {
		t.Fatalf("forms written: %q, %v; want one", pdfs, err)
	}
	data, err := os.ReadFile(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ref := strings.TrimSuffix(filepath.Base(pdfs[0]), ".pdf")
	sums, err := st.FormFiles(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sums, []string{sha256Hex(data)}) {
		t.Errorf("FormFiles(%s) = %q; want the SHA-256 of %s only", ref, sums, pdfs[0])
	}
}
