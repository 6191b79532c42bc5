// Package pades verifies the PAdES (CMS) signature a director adds, as an
// incremental update, to a signature form dccprov issued, and gives back the
// bytes of the document as it was before the signature revision, so the
// caller can compare them with the issued file.
package pades

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/digitorus/pdfsign/verify"
	"github.com/digitorus/pkcs7"
)

// Options tells Verify what to trust.
type Options struct {
	// Roots are the certificate authorities a signer must chain to; nil
	// means the system roots.
	Roots *x509.CertPool
	// Now is the time certificates are checked at when the signature has
	// no signing time; zero means time.Now.
	Now time.Time
}

// Result is what Verify found in an accepted signature.
type Result struct {
	Signer      string    // the signer certificate's subject common name
	SigningTime time.Time // the signing time the signature claims (zero if none)
	// Prefixes are the candidate bytes of the document before the
	// signature's incremental update, best first: the file up to the
	// %%EOF that precedes the signature revision, with and without its
	// end of line, then earlier revisions. The caller keeps the one whose
	// SHA-256 it issued.
	Prefixes [][]byte
}

// Reason is why a signature is refused.
type Reason int

const (
	NoSignature Reason = iota + 1
	Invalid
	NotCovering
	Untrusted
	Expired
)

// Error is a refusal; Sentence is for the operator.
type Error struct {
	Reason Reason
	detail string
}

func (e *Error) Error() string { return e.Sentence() }

// Sentence is one English sentence for the operator, without personal data.
func (e *Error) Sentence() string {
	switch e.Reason {
	case NoSignature:
		return "the PDF carries no electronic signature: print the form and have it signed by hand, or ask for a signed PDF"
	case Invalid:
		return "the electronic signature does not match the document (the file was altered after signing, or the signature is damaged): ask the director to sign the issued form again"
	case NotCovering:
		return "the electronic signature does not cover the whole file (content was added after signing): ask the director for the file exactly as signed"
	case Untrusted:
		return "the signer's certificate does not come from a trusted authority: give the authority's certificate with --ca-file, or ask for a signature with a recognised certificate"
	case Expired:
		return "the signer's certificate had expired (or was not yet valid) at signing time: ask the director to sign again with a valid certificate"
	}
	return "the electronic signature was refused"
}

// Is lets errors.Is match on the reason: errors.Is(err, &Error{Reason: Expired}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

func refuse(r Reason, detail string) error { return &Error{Reason: r, detail: detail} }

// ReasonOf returns the refusal reason of err, 0 if err is not a refusal.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return 0
}

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// Verify checks the last signature of the PDF in data.
func Verify(data []byte, opts Options) (res *Result, err error) {
	// The PDF reader under the verifier may panic on malformed input.
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, refuse(Invalid, fmt.Sprint(r))
		}
	}()
	ms := byteRangeRE.FindAllSubmatchIndex(data, -1)
	if len(ms) == 0 {
		return nil, refuse(NoSignature, "no /ByteRange")
	}
	m := ms[len(ms)-1]
	var br [4]int64
	for i := range br {
		v, err := strconv.ParseInt(string(data[m[2+2*i]:m[3+2*i]]), 10, 64)
		if err != nil {
			return nil, refuse(Invalid, "ByteRange")
		}
		br[i] = v
	}
	if br[0] != 0 || br[1] <= 0 || br[2] < br[1] || br[2]+br[3] != int64(len(data)) {
		return nil, refuse(NotCovering, "ByteRange does not cover the file")
	}

	// The certificates and signing time come from the CMS itself, so an
	// expired certificate is told apart from a broken signature (the
	// verifier below reports both as invalid).
	leaf, inter, signed, err := parseCMS(data[br[1]:br[2]])
	if err != nil {
		return nil, err
	}
	if !signed.IsZero() && (signed.Before(leaf.NotBefore) || signed.After(leaf.NotAfter)) {
		return nil, refuse(Expired, "signer certificate not valid at signing time")
	}

	vo := verify.DefaultVerifyOptions()
	vo.AllowUntrustedRoots = true // chain checked below against opts.Roots
	vo.TrustSignatureTime = true
	vo.EnableExternalRevocationCheck = false
	resp, err := verify.VerifyWithOptions(bytes.NewReader(data), int64(len(data)), vo)
	if resp == nil || len(resp.Signers) == 0 {
		if err != nil && !bytes.Contains(data, []byte("/Sig")) {
			return nil, refuse(NoSignature, "no signer")
		}
		return nil, refuse(Invalid, "no verifiable signer")
	}
	s := resp.Signers[len(resp.Signers)-1]
	if !s.ValidSignature {
		return nil, refuse(Invalid, "CMS signature invalid")
	}
	res = &Result{}
	if s.SignatureTime != nil {
		res.SigningTime = *s.SignatureTime
	}
	if s.TimeStamp != nil && !s.TimeStamp.Time.IsZero() {
		res.SigningTime = s.TimeStamp.Time
	}

	if res.SigningTime.IsZero() {
		res.SigningTime = signed
	}
	at := res.SigningTime
	if at.IsZero() {
		at = opts.Now
	}
	if at.IsZero() {
		at = time.Now()
	}
	if at.Before(leaf.NotBefore) || at.After(leaf.NotAfter) {
		return nil, refuse(Expired, "signer certificate not valid at signing time")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{
		Roots: opts.Roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}); err != nil {
		var ce x509.CertificateInvalidError
		if errors.As(err, &ce) && ce.Reason == x509.Expired {
			return nil, refuse(Expired, "a certificate of the chain was not valid at signing time")
		}
		return nil, refuse(Untrusted, "chain")
	}
	res.Signer = leaf.Subject.CommonName
	res.Prefixes = prefixes(data, m[0])
	return res, nil
}

// prefixes returns the file cut after each %%EOF before pos, latest first,
// each with its end of line (if any) and without.
func prefixes(data []byte, pos int) [][]byte {
	var out [][]byte
	end := pos
	for {
		i := bytes.LastIndex(data[:end], []byte("%%EOF"))
		if i < 0 {
			return out
		}
		cut := i + len("%%EOF")
		eol := cut
		if eol < len(data) && data[eol] == '\r' {
			eol++
		}
		if eol < len(data) && data[eol] == '\n' {
			eol++
		}
		if eol != cut {
			out = append(out, data[:eol])
		}
		out = append(out, data[:cut])
		end = i
	}
}

// parseCMS reads the signature value (the "<hex>" the ByteRange leaves out):
// the signer's certificate (the first that is not a CA), the others, and the
// signing time attribute (zero if absent).
func parseCMS(gap []byte) (*x509.Certificate, *x509.CertPool, time.Time, error) {
	gap = bytes.TrimSpace(gap)
	gap = bytes.TrimSuffix(bytes.TrimPrefix(gap, []byte("<")), []byte(">"))
	raw, err := hex.DecodeString(string(gap))
	if err != nil {
		return nil, nil, time.Time{}, refuse(Invalid, "Contents is not hex")
	}
	p7, err := pkcs7.Parse(bytes.TrimRight(raw, "\x00"))
	if err != nil {
		p7, err = pkcs7.Parse(raw)
	}
	if err != nil {
		return nil, nil, time.Time{}, refuse(Invalid, "CMS does not parse")
	}
	var leaf *x509.Certificate
	inter := x509.NewCertPool()
	for _, c := range p7.Certificates {
		if !c.IsCA && leaf == nil {
			leaf = c
		} else {
			inter.AddCert(c)
		}
	}
	if leaf == nil {
		return nil, nil, time.Time{}, refuse(Untrusted, "no signer certificate")
	}
	var at time.Time
	// 1.2.840.113549.1.9.5 is the CMS signing-time attribute.
	_ = p7.UnmarshalSignedAttribute(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}, &at)
	return leaf, inter, at, nil
}
