package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/dccprov/dccprov/provision/pades"
	"github.com/dccprov/dccprov/provision/store"
)

// Outcomes of an electronically signed form, in signedResult.Outcome.
const (
	signedValid       = "valid"
	signedNone        = "no-signature"
	signedInvalid     = "invalid"
	signedNotCovering = "not-covering"
	signedUntrusted   = "untrusted"
	signedExpired     = "expired"
	signedNotIssued   = "not-issued" // valid signature, but not on a file we issued
	signedClosed      = "form-closed"
)

// signedResult is what receiveSigned found in one returned PDF. It holds no
// personal data but Signer (the certificate's name, recorded on the form as
// forms sign --signer would).
type signedResult struct {
	File        string `json:"file"`
	SHA256      string `json:"sha256"` // of the received file
	Ref         string `json:"ref,omitempty"`
	Digest      string `json:"digest,omitempty"`
	Signer      string `json:"signer,omitempty"`
	SigningTime string `json:"signing_time,omitempty"` // RFC 3339, as the signature claims
	Outcome     string `json:"outcome"`
	Refusal     string `json:"refusal,omitempty"` // one English sentence for the operator
	Signed      bool   `json:"signed"`            // the form was recorded as signed
}

// roots returns the pool of --ca-file, or nil (the system roots).
func (e *env) roots() (*x509.CertPool, error) {
	if e.caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(e.caFile)
	if err != nil {
		return nil, usageErr("--ca-file %s: cannot read it; give the PEM file of the certificate authorities to trust", e.caFile)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usageErr("--ca-file %s: no PEM certificate in it; give the PEM file of the certificate authorities to trust", e.caFile)
	}
	return pool, nil
}

// receiveSigned verifies the electronic signature of the returned PDF data
// (named name), matches the document as it was before the signature to a
// form file dccprov issued, records the outcome in the audit trail and,
// with e.signSigned, records an accepted signature on its form. A refused
// signature is a result with Refusal set, not an error; errors are the
// store's or a bad --ca-file.
func (e *env) receiveSigned(ctx context.Context, st *store.Store, name string, data []byte) (signedResult, error) {
	res := signedResult{File: name, SHA256: store.FileSHA256(data)}
	cfg, _, err := e.loadConfig()
	if err != nil {
		return res, err
	}
	roots, err := e.roots()
	if err != nil {
		return res, err
	}
	v, verr := pades.Verify(data, pades.Options{Roots: roots, Now: time.Now()})
	switch pades.ReasonOf(verr) {
	case 0:
		res.Outcome = signedValid
	case pades.NoSignature:
		res.Outcome = signedNone
	case pades.Invalid:
		res.Outcome = signedInvalid
	case pades.NotCovering:
		res.Outcome = signedNotCovering
	case pades.Untrusted:
		res.Outcome = signedUntrusted
	case pades.Expired:
		res.Outcome = signedExpired
	}
	if verr != nil {
		res.Refusal = verr.Error()
	} else {
		res.Signer = v.Signer
		if !v.SigningTime.IsZero() {
			res.SigningTime = v.SigningTime.UTC().Format(time.RFC3339)
		}
		for _, p := range v.Prefixes {
			ref, ok, err := st.FormFileRef(ctx, store.FileSHA256(p))
			if err != nil {
				return res, err
			}
			if ok {
				res.Ref = ref
				break
			}
		}
		if res.Ref == "" {
			res.Outcome = signedNotIssued
			res.Refusal = "the signed document is not a form file dccprov issued (it was changed or rewritten before signing): ask the director to sign the PDF printed by dccprov as it is"
		} else {
			f, err := st.Form(ctx, res.Ref)
			if err != nil {
				return res, err
			}
			res.Digest = f.Digest
		}
	}

	if res.Refusal == "" && e.signSigned {
		date := cfg.Date
		err := st.Sign(ctx, res.Ref, res.Signer, cfg.Operator, date)
		switch {
		case errors.Is(err, store.ErrFormClosed):
			res.Outcome = signedClosed
			res.Refusal = fmt.Sprintf("form %s is no longer pending (already signed or rejected); nothing changed", res.Ref)
		case errors.Is(err, store.ErrBeforeCreation):
			f, ferr := st.Form(ctx, res.Ref)
			if ferr != nil {
				return res, ferr
			}
			return res, usageErr("form %s was printed on %s, so it cannot be signed on %s; give the date of the signature with --date YYYY-MM-DD",
				res.Ref, f.CreatedOn, date.Format(time.DateOnly))
		case err != nil:
			return res, err
		default:
			res.Signed = true
		}
	}

	// The audit names the REF, the outcome and the received file's
	// SHA-256: never the signer's name, nor the file name (which a director
	// may have named after a person).
	object := res.Ref
	if object == "" {
		object = "unmatched file"
	}
	detail := fmt.Sprintf("outcome=%s sha256=%s", res.Outcome, res.SHA256)
	if res.Signed {
		detail += " signed=yes"
	}
	if err := st.AddEvents(ctx, cfg.Date, cfg.Operator, []store.Event{{Action: "form-signature-verified", Object: object, Detail: detail}}); err != nil {
		return res, err
	}
	return res, nil
}
