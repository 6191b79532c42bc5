// Package pades verifies a PDF signed electronically (PAdES: a CMS
// signature in an incremental update) and gives back the document as it
// was before it was signed, so that it can be matched to the file issued.
//
// The signature is found by its /ByteRange, read from the file's bytes:
// the gap a ByteRange leaves is the signature value (/Contents) itself, so
// what it covers is known without trusting the PDF's structure. The CMS
// signature is checked with github.com/digitorus/pkcs7, the certificate
// chain with crypto/x509.
package pades

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/digitorus/pkcs7"
)

// Options are the verification settings.
type Options struct {
	// Roots are the certificate authorities trusted to certify signers;
	// nil means the system's roots.
	Roots *x509.CertPool
	// Time is when the signer's certificate must be valid; zero means now.
	Time time.Time
}

// Result is what a signed PDF says, as far as it could be read.
type Result struct {
	// Signer is the signer's certificate subject common name.
	Signer string
	// SigningTime is the time the signature says it was made (its CMS
	// signing-time attribute); zero if it has none.
	SigningTime time.Time
	// Certificate is the signer's certificate.
	Certificate *x509.Certificate
	// Prefix is the document before the signature's incremental update:
	// the bytes up to the end of line after the last %%EOF before the
	// signature. Nil when the file has no %%EOF there (it was rewritten
	// when signed).
	Prefix []byte
	// Candidates are the prefixes ending at every %%EOF before the
	// signature, latest first, each with and without its end of line:
	// Prefix is the first. A signing tool may add a revision of its own
	// before the signature, or drop the issued file's last end of line.
	Candidates [][]byte
}

// Reason is why a signed PDF is refused.
type Reason int

// The reasons for refusal.
const (
	NoSignature      Reason = iota + 1 // no signature dictionary with a ByteRange
	InvalidSignature                   // the CMS signature does not match the bytes it covers, or cannot be read
	Untrusted                          // the certificate does not chain to a trusted authority
	Expired                            // the certificate was not valid when signing or is not now
	NotCovering                        // the signature does not cover the whole file
)

// Error is a refusal; compare with errors.Is and the Err variables.
type Error struct {
	Reason Reason
}

// The refusals, for errors.Is.
var (
	ErrNoSignature      = &Error{NoSignature}
	ErrInvalidSignature = &Error{InvalidSignature}
	ErrUntrusted        = &Error{Untrusted}
	ErrExpired          = &Error{Expired}
	ErrNotCovering      = &Error{NotCovering}
)

// Error is an English sentence for the operator.
func (e *Error) Error() string {
	switch e.Reason {
	case NoSignature:
		return "the PDF carries no electronic signature"
	case InvalidSignature:
		return "the electronic signature does not match the document: the file was altered after it was signed, or the signature is damaged"
	case Untrusted:
		return "the signer's certificate is not issued by a trusted certificate authority (give the authority's certificate with --ca-file)"
	case Expired:
		return "the signer's certificate has expired or was not yet valid when the document was signed"
	case NotCovering:
		return "the electronic signature does not cover the whole file: something was added or changed after it was signed"
	}
	return "the electronic signature is refused"
}

// Is makes errors.Is(err, ErrUntrusted) and the like true for any Error
// of the same reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

// byteRange matches a signature dictionary's /ByteRange.
var byteRange = regexp.MustCompile(`/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]`)

// oidSigningTime is the CMS signing-time attribute.
var oidSigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}

// Verify checks the last electronic signature of the PDF data: that it
// covers the whole file but its own value, that the CMS signature matches
// the bytes covered, and that the signer's certificate was valid and
// chains to opts.Roots. A refusal is an [*Error]; the Result is then
// filled as far as the file could be read (nil if no signature was found).
func Verify(data []byte, opts Options) (res *Result, err error) {
	defer func() {
		// A library's panic on a hostile file is a refusal, not a crash.
		if r := recover(); r != nil {
			err = ErrInvalidSignature
		}
	}()
	ranges := byteRange.FindAllSubmatchIndex(data, -1)
	if len(ranges) == 0 {
		return nil, ErrNoSignature
	}
	// The last signature is the one that must cover the whole file.
	m := ranges[len(ranges)-1]
	var br [4]int64
	for i := range br {
		n, err := strconv.ParseInt(string(data[m[2+2*i]:m[3+2*i]]), 10, 64)
		if err != nil {
			return nil, ErrInvalidSignature
		}
		br[i] = n
	}
	size := int64(len(data))
	a, b, c, d := br[0], br[1], br[2], br[3]
	if a != 0 || b < 2 || c <= b+1 || c > size || d < 0 || c+d > size {
		return nil, ErrInvalidSignature
	}
	if data[b] != '<' || data[c-1] != '>' {
		return nil, ErrInvalidSignature
	}
	res = &Result{}
	res.Candidates = prefixes(data[:b])
	if len(res.Candidates) > 0 {
		res.Prefix = res.Candidates[0]
	}
	der, err := unhex(data[b+1 : c-1])
	if err != nil {
		return res, ErrInvalidSignature
	}
	// The value is padded with zeros to the room reserved for it.
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(der, &rv); err == nil {
		der = rv.FullBytes
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return res, ErrInvalidSignature
	}
	cert := p7.GetOnlySigner()
	if cert == nil {
		return res, ErrInvalidSignature
	}
	res.Certificate = cert
	res.Signer = cert.Subject.CommonName
	var st time.Time
	if err := p7.UnmarshalSignedAttribute(oidSigningTime, &st); err == nil {
		res.SigningTime = st
	}
	now := opts.Time
	if now.IsZero() {
		now = time.Now()
	}
	if c+d != size {
		return res, ErrNotCovering
	}
	if now.After(cert.NotAfter) || now.Before(cert.NotBefore) ||
		!st.IsZero() && (st.After(cert.NotAfter) || st.Before(cert.NotBefore)) {
		return res, ErrExpired
	}
	p7.Content = slices.Concat(data[:b], data[c:c+d])
	if err := p7.Verify(); err != nil {
		return res, ErrInvalidSignature
	}
	inter := x509.NewCertPool()
	for _, ic := range p7.Certificates {
		inter.AddCert(ic)
	}
	_, err = cert.Verify(x509.VerifyOptions{
		Roots:         opts.Roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		if ce, ok := errors.AsType[x509.CertificateInvalidError](err); ok && ce.Reason == x509.Expired {
			return res, ErrExpired
		}
		return res, ErrUntrusted
	}
	return res, nil
}

// prefixes are the prefixes of head ending at each %%EOF, latest first,
// each with its end of line (CR LF, LF or CR) if it has one, then without.
func prefixes(head []byte) [][]byte {
	var out [][]byte
	for end := len(head); ; {
		i := bytes.LastIndex(head[:end], []byte("%%EOF"))
		if i < 0 {
			return out
		}
		e := i + len("%%EOF")
		rest := head[e:]
		switch {
		case bytes.HasPrefix(rest, []byte("\r\n")):
			out = append(out, head[:e+2:e+2])
		case bytes.HasPrefix(rest, []byte("\n")), bytes.HasPrefix(rest, []byte("\r")):
			out = append(out, head[:e+1:e+1])
		}
		out = append(out, head[:e:e])
		end = i
	}
}
