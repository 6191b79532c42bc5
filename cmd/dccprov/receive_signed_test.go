package main

import (
	"bytes"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/pades/padestest"
	"github.com/dccprov/dccprov/provision/store"
)

func TestReceiveSigned(t *testing.T) {
	storePath, forms := seedFormsStore(t)
	ref := forms[0].Ref
	dir := t.TempDir()
	if code, _, stderr := runFormsCLI(t, "forms", "print", ref, "-o", dir, "--store", storePath, "--date", "2026-01-20"); code != 0 {
		t.Fatalf("forms print: exit %d: %s", code, stderr)
	}
	issued, err := os.ReadFile(filepath.Join(dir, ref+".pdf"))
	if err != nil {
		t.Fatal(err)
	}

	ca := padestest.NewCA(t)
	now := time.Now()
	director := ca.NewSigner(t, "Dr Claire Directrice", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	signed := padestest.Sign(t, issued, director, ca, now)
	if _, err := exec.LookPath("qpdf"); err == nil {
		f := filepath.Join(dir, "signed.pdf")
		if err := os.WriteFile(f, signed, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("qpdf", "--check", f).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --check: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal("qpdf is required under CI")
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	other := bytes.Clone(issued)
	other[len(other)/2] ^= 1 // not a file we issued, then signed correctly
	notIssued := padestest.Sign(t, append(other, '\n'), director, ca, now)

	st, err := store.Open(t.Context(), storePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t.Setenv("SOURCE_DATE_EPOCH", "1768867200") // 2026-01-20
	t.Setenv("USER", "testeur")

	for _, tc := range []struct {
		name    string
		data    []byte
		caFile  string
		sign    bool
		outcome string
		signed  bool
	}{
		{"system roots", signed, "", true, signedUntrusted, false},
		{"no signature", issued, caFile, true, signedNone, false},
		{"not issued", notIssued, caFile, true, signedNotIssued, false},
		{"verify only", signed, caFile, false, signedValid, false},
		{"sign", signed, caFile, true, signedValid, true},
		{"again", signed, caFile, true, signedClosed, false},
	} {
		e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: os.Getenv, caFile: tc.caFile, signSigned: tc.sign}
		e.g.store = storePath
		e.g.date = "2026-01-20"
		got, err := e.receiveSigned(t.Context(), st, "retour.pdf", tc.data)
		if err != nil {
			t.Fatalf("%s: receiveSigned = %v", tc.name, err)
		}
		if got.Outcome != tc.outcome || got.Signed != tc.signed || (tc.outcome == signedValid) != (got.Refusal == "") {
			t.Errorf("%s: receiveSigned = %+v; want outcome %s, signed %v", tc.name, got, tc.outcome, tc.signed)
		}
		if tc.outcome == signedValid && (got.Ref != ref || got.Digest != forms[0].Digest || got.Signer != "Dr Claire Directrice") {
			t.Errorf("%s: receiveSigned = %+v; want REF %s, its digest, the certificate's signer", tc.name, got, ref)
		}
	}
	f, err := st.Form(t.Context(), ref)
	if err != nil || f.Status != store.FormSigned || f.Signer != "Dr Claire Directrice" {
		t.Errorf("Form(%s) = %+v, %v; want signed by the certificate's name", ref, f, err)
	}
	events, err := st.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Action != "form-signature-verified" {
			continue
		}
		n++
		if strings.Contains(ev.Object+ev.Detail, "Claire") || strings.Contains(ev.Object+ev.Detail, "retour") {
			t.Errorf("audit event %+v names the signer or the file", ev)
		}
	}
	if n != 6 {
		t.Errorf("%d verification events in the audit; want 6", n)
	}
}

func TestReceiveSignedBadCAFile(t *testing.T) {
	storePath, _ := seedFormsStore(t)
	st, err := store.Open(t.Context(), storePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bad := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bad, []byte("not a pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: os.Getenv, caFile: bad}
	e.g.store = storePath
	_, err = e.receiveSigned(t.Context(), st, "x.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if err == nil || !strings.Contains(err.Error(), "--ca-file "+bad+": no PEM certificate") {
		t.Errorf("receiveSigned with a bad --ca-file = %v", err)
	}
}

// TestRunRecordsFormFiles checks that run records the SHA-256 of each form
// PDF it writes, so a signed return of it can be matched.
func TestRunRecordsFormFiles(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "liste.csv")
	if err := os.WriteFile(list, []byte("Nom;Prénom;Fonction;Spécialité;RPPS;Courriel;Portable;Etablissement;FINESS;Habilitations;Authentification\n"+
		"MÉNARD;Loïc;Oncologue;;10008063603;loic.menard@clinique-sainte-an.fr;0683778353;Clinique Sainte-Anne-des-Bois;917763179;\"Participant aux RCP; Coordonnateur de RCP\";Carte CPS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "dccprov.db")
	out := filepath.Join(dir, "out")
	if code, _, stderr := runFormsCLI(t, "run", list, "-o", out, "--store", db); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	pdfs, _ := filepath.Glob(filepath.Join(out, "forms", "*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("run wrote %d forms; want 1", len(pdfs))
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
	ref, ok, err := st.FormFileRef(t.Context(), store.FileSHA256(data))
	if err != nil || !ok || ref+".pdf" != filepath.Base(pdfs[0]) {
		t.Errorf("FormFileRef(SHA-256 of %s) = %q, %v, %v; want its REF", filepath.Base(pdfs[0]), ref, ok, err)
	}
}

// TestFormsReceiveSignedCLI runs `forms receive` on an electronically
// signed form: accepted with --ca-file (and recorded with --sign, under the
// certificate's name, without --signer), refused with the system roots,
// refused once a byte of the issued part is changed.
func TestFormsReceiveSignedCLI(t *testing.T) {
	storePath, forms := seedFormsStore(t)
	ref := forms[0].Ref
	dir := t.TempDir()
	if code, _, stderr := runFormsCLI(t, "forms", "print", ref, "-o", dir, "--store", storePath, "--date", "2026-01-20"); code != 0 {
		t.Fatalf("forms print: exit %d: %s", code, stderr)
	}
	issued, err := os.ReadFile(filepath.Join(dir, ref+".pdf"))
	if err != nil {
		t.Fatal(err)
	}
	ca := padestest.NewCA(t)
	now := time.Now()
	director := ca.NewSigner(t, "Dr Claire Directrice", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	signedPath := filepath.Join(dir, "retour.pdf")
	if err := os.WriteFile(signedPath, padestest.Sign(t, issued, director, ca, now), 0o600); err != nil {
		t.Fatal(err)
	}
	altered := bytes.Clone(issued)
	i := bytes.Index(altered, []byte("/Producer"))
	if i < 0 {
		t.Fatal("no /Producer in the issued form")
	}
	altered[i+1] = 'p' // one byte of the issued part, before it is signed
	alteredPath := filepath.Join(dir, "modifie.pdf")
	if err := os.WriteFile(alteredPath, padestest.Sign(t, altered, director, ca, now), 0o600); err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"--store", storePath, "--date", "2026-01-20"}

	code, stdout, _ := runFormsCLI(t, append([]string{"forms", "receive", signedPath, "--sign"}, common...)...)
	if code != 1 || !strings.Contains(stdout, "retour.pdf: ") || !strings.Contains(stdout, "trust") {
		t.Errorf("system roots: exit %d, stdout %q; want 1 and an untrusted certificate", code, stdout)
	}
	code, stdout, _ = runFormsCLI(t, append([]string{"forms", "receive", alteredPath, "--sign", "--ca-file", caFile}, common...)...)
	if code != 1 || !strings.Contains(stdout, "not a form file dccprov issued") {
		t.Errorf("altered: exit %d, stdout %q; want 1 and not issued", code, stdout)
	}
	code, stdout, stderr := runFormsCLI(t, append([]string{"forms", "receive", signedPath, "--sign", "--ca-file", caFile}, common...)...)
	if code != 0 || !strings.Contains(stdout, "electronic signature valid (Dr Claire Directrice), form "+ref) || !strings.Contains(stdout, "recorded as signed") {
		t.Fatalf("accepted: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runFormsCLI(t, append([]string{"forms", "list", "--json"}, common...)...)
	if code != 0 || !strings.Contains(stdout, `"signer": "Dr Claire Directrice"`) {
		t.Errorf("forms list after receive: exit %d, %s", code, stdout)
	}
}
