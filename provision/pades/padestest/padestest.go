// Package padestest makes throwaway certificate authorities and PAdES
// signatures for tests.
package padestest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
)

// CA is a throwaway certificate authority.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// Pool returns a pool holding only the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

var serial int64

func newCert(tb testing.TB, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c, key
}

// NewCA makes a CA valid from a year ago to ten years ahead.
func NewCA(tb testing.TB) *CA {
	c, k := newCert(tb, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Test CA"},
		NotBefore:             time.Now().AddDate(-1, 0, 0),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil, nil)
	return &CA{Cert: c, key: k}
}

// Signer is a certificate and its key.
type Signer struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// NewSigner issues a signing certificate for cn valid from notBefore to notAfter.
func (ca *CA) NewSigner(tb testing.TB, cn string, notBefore, notAfter time.Time) Signer {
	c, k := newCert(tb, &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}, ca.Cert, ca.key)
	return Signer{Cert: c, Key: k}
}

// Sign adds an approval signature by s, dated at, to the PDF as an
// incremental update.
func Sign(tb testing.TB, data []byte, s Signer, ca *CA, at time.Time) []byte {
	tb.Helper()
	r := bytes.NewReader(data)
	rdr, err := pdf.NewReader(r, int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	err = sign.Sign(r, &out, rdr, int64(len(data)), sign.SignData{
		Signature: sign.SignDataSignature{
			Info:     sign.SignDataSignatureInfo{Name: s.Cert.Subject.CommonName, Reason: "Approbation", Date: at},
			CertType: sign.ApprovalSignature,
		},
		Signer:            s.Key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       s.Cert,
		CertificateChains: [][]*x509.Certificate{{s.Cert, ca.Cert}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}
