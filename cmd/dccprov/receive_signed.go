package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/pades"
	"github.com/dccprov/dccprov/provision/store"
)

// Outcome of the verification of a signed PDF, as `forms receive` shows
// it and the audit trail records it.
const (
	signatureValid       = "valid"
	signatureNone        = "no-signature"
	signatureInvalid     = "invalid"
	signatureUntrusted   = "untrusted"
	signatureExpired     = "expired"
	signatureNotCovering = "not-covering"
	signatureNotIssued   = "not-issued" // valid, but not over a file this store issued
	// valid, over a form the signing service rewrote: matched by its text
	signatureRewritten = "valid-rewritten"
)

// signedResult is what [env.receiveSigned] makes of an electronically
// signed PDF: the form it is (REF and digest, as the store knows the file
// issued), who signed it by their certificate, the outcome of the
// verification, the form codes of its pages (as a scan's pages would give
// them, when it is accepted), and why it is refused if it is.
type signedResult struct {
	ref         string
	digest      string
	signer      string    // the certificate's subject CN; personal data, never logged
	signingTime time.Time // as the signature says
	outcome     string    // signatureValid …
	pages       int
	codes       []pageCode
	problem     string // one sentence, without the file name; "" when accepted
}

// signatureInfo is what `forms receive --json` shows of a signed PDF.
type signatureInfo struct {
	Outcome     string `json:"outcome"`
	Ref         string `json:"ref,omitempty"`
	Signer      string `json:"signer,omitempty"`
	SigningTime string `json:"signing_time,omitempty"` // RFC 3339
}

// loadRoots reads the --ca-file PEM: the only authorities trusted to
// certify a signer. "" means the system's roots (nil).
func loadRoots(name string) (*x509.CertPool, error) {
	if name == "" {
		return nil, nil
	}
	return loadCAFile(name, nil, "give the certificate of the authority that certifies the signers, in PEM")
}

// loadCAFile reads the --ca-file PEM name into pool (a new pool when nil):
// a file that cannot be read, or holds no certificate, is a usage error
// naming it, hint saying what to give.
func loadCAFile(name string, pool *x509.CertPool, hint string) (*x509.CertPool, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErr("--ca-file %s: cannot read it (%v)", name, pathErr(err))
	}
	if pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, usageErr("--ca-file %s: holds no PEM certificate; %s", name, hint)
	}
	return pool, nil
}

// receiveSigned verifies an electronically signed PDF ([pades.Verify],
// with the roots of --ca-file, e.caRoots) and finds the form it is: the
// SHA-256 of the document before the signature, looked up among the files
// the store issued; failing that, the form reference in the document's
// title, whose form is printed again from the store's model and compared
// byte for byte. A valid signature over an issued file gives the form
// codes of all its pages, with the issued form's digest, so that the
// caller checks and signs it as it does a scan (the signer's name is the
// certificate's). A refusal is a sentence in problem; err is only for
// the store's failures.
func (e *env) receiveSigned(ctx context.Context, st *store.Store, cfg *provision.Config, name string, data []byte) (signedResult, error) {
	var r signedResult
	res, verr := pades.Verify(data, pades.Options{Roots: e.caRoots})
	if res != nil {
		r.signer, r.signingTime = res.Signer, res.SigningTime
	}
	r.outcome = outcomeOf(verr)
	if errors.Is(verr, pades.ErrNoSignature) {
		// Classified as signed, but no signature dictionary could be read.
		r.problem = verr.Error() + " that can be read; send the PDF as the signing tool made it"
		return r, nil
	}
	var prefix []byte
	if res != nil {
		var err error
		if r.ref, prefix, err = e.issuedFile(ctx, st, cfg, res.Candidates); err != nil {
			return r, err
		}
	}
	e.log.Debug().Str("file", name).Str("ref", r.ref).Str("outcome", r.outcome).Msg("signed PDF verified")
	if verr != nil {
		r.problem = "refused: " + verr.Error()
		if r.ref != "" {
			r.problem = fmt.Sprintf("form %s refused: %s", r.ref, verr.Error())
		}
		return r, nil
	}
	if r.ref == "" {
		// The signing service rewrote the file: the form is recognised by
		// its text, if every page and every request issued is there.
		ref, pages, err := e.formByText(ctx, st, data)
		if err != nil {
			return r, err
		}
		if ref != "" {
			r.ref, r.outcome = ref, signatureRewritten
			return e.acceptSigned(ctx, st, r, pages)
		}
		r.outcome = signatureNotIssued
		r.problem = fmt.Sprintf("the signature is valid but the document signed is not a form issued by %s as it was printed (the signing service rewrote the file, or it comes from another store); have the PDF written by dccprov signed without changing it", e.g.store)
		return r, nil
	}
	return e.acceptSigned(ctx, st, r, countPages(prefix))
}

// acceptSigned gives an accepted signed form the codes of its pages,
// with the issued form's digest.
func (e *env) acceptSigned(ctx context.Context, st *store.Store, r signedResult, pages int) (signedResult, error) {
	issued, err := st.Form(ctx, r.ref)
	if err != nil {
		return r, err
	}
	r.digest = issued.Digest
	r.pages = pages
	for p := 1; p <= r.pages; p++ {
		r.codes = append(r.codes, pageCode{page: p, code: provision.FormCode{Ref: r.ref, Page: p, Pages: r.pages, Digest: issued.Digest}})
	}
	return r, nil
}

// outcomeOf names the result of [pades.Verify].
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return signatureValid
	case errors.Is(err, pades.ErrNoSignature):
		return signatureNone
	case errors.Is(err, pades.ErrUntrusted):
		return signatureUntrusted
	case errors.Is(err, pades.ErrExpired):
		return signatureExpired
	case errors.Is(err, pades.ErrNotCovering):
		return signatureNotCovering
	}
	return signatureInvalid
}

// issuedFile finds which candidate prefix of a signed PDF is a file the
// store issued, and that file's form: by SHA-256 first; then, for a form
// issued before the store kept the files' sums, by the reference in the
// prefix's title, printing the form again from its model. "" when none is.
func (e *env) issuedFile(ctx context.Context, st *store.Store, cfg *provision.Config, candidates [][]byte) (string, []byte, error) {
	sums := make([]string, len(candidates))
	for i, c := range candidates {
		sum := sha256.Sum256(c)
		sums[i] = hex.EncodeToString(sum[:])
		ref, err := st.FormFile(ctx, sums[i])
		switch {
		case err == nil:
			return ref, c, nil
		case !errors.Is(err, store.ErrUnknownFormFile):
			return "", nil, err
		}
	}
	seen := map[string]bool{}
	for _, c := range candidates {
		ref := titleRef(c)
		if ref == "" || seen[ref] {
			continue
		}
		seen[ref] = true
		model, err := st.Model(ctx, ref)
		switch {
		case errors.Is(err, store.ErrUnknownForm), errors.Is(err, store.ErrNoModel):
			continue
		case err != nil:
			return "", nil, err
		}
		var b bytes.Buffer
		if err := provision.WriteFormPDF(&b, model, cfg); err != nil {
			return "", nil, err
		}
		sum := sha256.Sum256(b.Bytes())
		for i, s := range sums {
			if s == hex.EncodeToString(sum[:]) {
				return ref, candidates[i], nil
			}
		}
	}
	return "", nil, nil
}

// titleRE finds the document title of a PDF dccprov wrote: a literal
// string, UTF-16BE with a byte order mark.
var titleRE = regexp.MustCompile(`/Title\s*\(`)

// titleRef is the form reference in the last /Title of a PDF written by
// dccprov ("… — REF"), or "".
func titleRef(data []byte) string {
	locs := titleRE.FindAllIndex(data, -1)
	if len(locs) == 0 {
		return ""
	}
	s, _ := pades.Literal(data[locs[len(locs)-1][1]:])
	if len(s) >= 2 && s[0] == 0xfe && s[1] == 0xff {
		u := make([]uint16, 0, len(s)/2)
		for i := 2; i+1 < len(s); i += 2 {
			u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
		}
		s = []byte(string(utf16.Decode(u)))
	}
	_, ref, ok := strings.Cut(string(s), " — ")
	if !ok || !refPattern.MatchString(ref) {
		return ""
	}
	return ref
}

// pageObject matches a page object's type in a PDF dccprov wrote (fpdf
// writes no object streams).
var pageObject = regexp.MustCompile(`/Type\s*/Page[^s]`)

// countPages counts the pages of a PDF dccprov wrote.
func countPages(data []byte) int {
	return len(pageObject.FindAllIndex(data, -1))
}

// The lines of a form's text that [env.formByText] reads (see
// templates/form.yaml): the footer of every page, and the count of
// requests in the instructions.
var (
	footerRE   = regexp.MustCompile(`Référence : (F-[0-9A-Za-z-]+) — Empreinte des demandes : ([0-9a-f]+)`)
	pageRE     = regexp.MustCompile(`(?m)^\s*page ([0-9]+)/([0-9]+)\s*$`)
	requestsRE = regexp.MustCompile(`\(([0-9]+) demande\(s\)\)`)
)

// formByText recognises a signed form that the signing service rewrote
// (no issued file in it) by its text: every page's footer gives the same
// reference and the issued form's digest, the pages are numbered 1 to n,
// n the PDF's page count; the count of requests is the issued one's, every
// person's names are there, and every request's line number followed by
// its habilitation. It
// returns the reference and page count, or "" if any of that fails.
func (e *env) formByText(ctx context.Context, st *store.Store, data []byte) (string, int, error) {
	texts, err := pades.PageTexts(data)
	if err != nil || len(texts) == 0 {
		return "", 0, nil
	}
	var ref, digest string
	seen := map[int]bool{}
	for i, t := range texts {
		t = strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(t)
		texts[i] = t
		f := footerRE.FindAllStringSubmatch(t, -1)
		p := pageRE.FindAllStringSubmatch(t, -1)
		if len(f) != 1 || len(p) != 1 || ref != "" && (f[0][1] != ref || f[0][2] != digest) {
			return "", 0, nil
		}
		ref, digest = f[0][1], f[0][2]
		n, _ := strconv.Atoi(p[0][1])
		of, _ := strconv.Atoi(p[0][2])
		if of != len(texts) || n < 1 || n > of || seen[n] {
			return "", 0, nil
		}
		seen[n] = true
	}
	if !refPattern.MatchString(ref) {
		return "", 0, nil
	}
	issued, err := st.Form(ctx, ref)
	if errors.Is(err, store.ErrUnknownForm) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	model, err := st.Model(ctx, ref)
	if errors.Is(err, store.ErrNoModel) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	all := strings.Join(texts, "\n")
	m := requestsRE.FindStringSubmatch(all)
	if issued.Digest != digest || m == nil || m[1] != strconv.Itoa(issued.Requests) {
		return "", 0, nil
	}
	// Words are compared without spaces: a cell may wrap a long label.
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	all = squeeze(all)
	// Each person's row shows their names, then each request's line
	// number and habilitation.
	for _, l := range model.Lines {
		if !strings.Contains(all, squeeze(l.BirthName+l.FirstName)) {
			return "", 0, nil
		}
	}
	for _, l := range model.RequestLines() {
		if !strings.Contains(all, squeeze(strconv.Itoa(l.Line)+l.Label)) {
			return "", 0, nil
		}
	}
	return ref, len(texts), nil
}
