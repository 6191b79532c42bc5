package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/scan/scantest"
	"github.com/dccprov/dccprov/provision/store"
	"github.com/dccprov/dccprov/templates"
)

// TestFormsReceiveAudit receives the scan of a form with --sign: the audit
// trail records the file's SHA-256, what was found on it and the
// signature, and no personal data of the form's lines.
func TestFormsReceiveAudit(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftoppm not found: install poppler-utils")
		}
		t.Skip("pdftoppm not found: install poppler-utils to run this test")
	}
	db, forms := seedFormsStore(t)
	dir := t.TempDir()
	cfg := &provision.Config{Templates: templates.FS, Date: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
	var pdf bytes.Buffer
	if err := provision.WriteFormPDF(&pdf, forms[0], cfg); err != nil {
		t.Fatal(err)
	}
	printed := filepath.Join(dir, "printed.pdf")
	if err := os.WriteFile(printed, pdf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	scanned := filepath.Join(dir, "retour.pdf")
	if err := scantest.Scan(scanned, []string{printed + ":1@180"}, dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(scanned)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)

	code, out, errs := runFormsCLI(t, "forms", "receive", scanned, "--sign", "--signer", "Dr Jeanne Martin", "--store", db)
	if code != 0 || !strings.Contains(out, forms[0].Ref+"  signed  pages found 1 of 1") {
		t.Fatalf("forms receive --sign = %d, stdout %q, stderr %q; want 0 and the form signed", code, out, errs)
	}
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	events, err := st.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		switch e.Action {
		case "form-signed", "form-received", "form-file-received":
			got = append(got, e.Action+" "+e.Object+" "+e.Detail)
		}
	}
	want := []string{
		"form-signed " + forms[0].Ref,
		"form-received " + forms[0].Ref + " status signed; pages found 1 of 1; missing none; digest ok; signed",
		"form-file-received sha256:" + hex.EncodeToString(sum[:]) + " pdf, 1 page(s), 1 with a form code: page 1: " +
			forms[0].Ref + " 1/1 " + forms[0].Digest,
	}
	if len(got) != len(want) {
		t.Fatalf("audit events of forms receive = %q; want %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("audit event %d = %q; want %q", i, got[i], want[i])
		}
	}
	for _, g := range got[1:] {
		for _, l := range forms[0].Lines {
			if strings.Contains(g, l.BirthName) || strings.Contains(g, l.UID) || strings.Contains(g, "retour") {
				t.Errorf("audit event %q names a person or the file; want neither", g)
			}
		}
	}
}
