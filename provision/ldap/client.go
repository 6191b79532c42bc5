package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// Settings say how to reach and bind to the directory.
type Settings struct {
	// URL is ldaps://HOST[:PORT] (TLS from the start) or ldap://HOST[:PORT]
	// (StartTLS; plain LDAP only as described at [Dial]).
	URL    string
	BaseDN string
	BindDN string
	// Password is read by the caller from a file or the environment; it
	// never appears in an error or a log.
	Password string
	// RootCAs verifies the server certificate; nil means the system roots.
	// Certificates are always verified.
	RootCAs *x509.CertPool
	// Insecure allows plain LDAP to a host that is not a loopback address
	// when the server does not offer StartTLS.
	Insecure bool
	// Timeout bounds connecting and each request (default 30s).
	Timeout time.Duration
	// Concurrency is the number of connections Apply uses (default 4);
	// each carries a few requests at a time (see [Apply]).
	Concurrency int
}

// Errors a caller tells apart: ErrBind, ErrTLS, ErrPlain and every error
// that matches ErrSetting need the operator to fix a setting (exit 2);
// ErrUnreachable is the directory's failure (exit 3).
var (
	ErrSetting     = errors.New("a directory setting must be fixed")
	ErrBind        = errors.New("the directory refused the bind DN or password; check --bind-dn and the password file")
	ErrTLS         = errors.New("the directory's TLS certificate could not be verified; give the CA that signed it with --ca-file")
	ErrPlain       = errors.New("the directory does not offer StartTLS and plain LDAP is allowed only to a loopback address; use ldaps://, enable StartTLS on the server, or give --insecure")
	ErrUnreachable = errors.New("the directory could not be reached")
)

// settingError is an error the operator fixes by changing a setting or the
// directory's configuration; it matches [ErrSetting].
type settingError string

func (e settingError) Error() string        { return string(e) }
func (e settingError) Is(target error) bool { return target == ErrSetting }

// Client talks to one directory. [Apply] opens [Settings.Concurrency]
// connections, each shared by a few workers. The client counts the
// requests it sends so tests can check that an unchanged directory costs
// only reads.
type Client struct {
	s      Settings
	u      *url.URL
	conn   *goldap.Conn
	plain  bool
	counts Counts
}

// Counts are the requests a [Client] sent: Searches counts logical
// (paged) searches, Writes counts add, modify and delete requests.
type Counts struct {
	Searches atomic.Int64
	Writes   atomic.Int64
}

// Dial connects and binds. ldaps:// uses TLS; ldap:// asks for StartTLS
// and, if the server does not offer it, continues in plain LDAP only to a
// loopback address or with [Settings.Insecure]. A certificate that does
// not verify is always an error ([ErrTLS]), never a reason to go plain.
func Dial(ctx context.Context, s Settings) (*Client, error) {
	if s.Timeout == 0 {
		s.Timeout = 30 * time.Second
	}
	if s.Concurrency <= 0 {
		s.Concurrency = 4
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Host == "" {
		return nil, settingError(fmt.Sprintf("--url %q is not an ldap:// or ldaps:// URL", s.URL))
	}
	if _, err := goldap.ParseDN(s.BaseDN); err != nil || s.BaseDN == "" {
		return nil, settingError(fmt.Sprintf("--base-dn %q is not a DN", s.BaseDN))
	}
	if s.Password == "" {
		// go-ldap would refuse it with a result 206 that reads like an
		// unreachable directory.
		return nil, settingError("the bind password is empty")
	}
	c := &Client{s: s, u: u}
	conn, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	c.conn = conn
	if err := c.checkBase(); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// checkBase reads the base entry, so that a mistyped base DN stops plan
// and apply at once instead of planning adds that all fail.
func (c *Client) checkBase() error {
	c.counts.Searches.Add(1)
	_, err := c.conn.Search(goldap.NewSearchRequest(c.s.BaseDN, goldap.ScopeBaseObject, goldap.NeverDerefAliases,
		1, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
	switch {
	case goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject):
		return settingError(fmt.Sprintf("the base DN %s does not exist in the directory; check --base-dn", c.s.BaseDN))
	case err != nil:
		return fmt.Errorf("%w: reading the base DN: %s", ErrUnreachable, resultText(err))
	}
	return nil
}

// Plain says whether the connection runs without TLS.
func (c *Client) Plain() bool { return c.plain }

// Counts returns the request counters.
func (c *Client) Counts() *Counts { return &c.counts }

// Close closes the client's connection.
func (c *Client) Close() error { return c.conn.Close() }

func (c *Client) open(ctx context.Context) (*goldap.Conn, error) {
	host := c.u.Hostname()
	tc := &tls.Config{ServerName: host, RootCAs: c.s.RootCAs, MinVersion: tls.VersionTLS12}
	d := &net.Dialer{Timeout: c.s.Timeout}
	addr := c.u.Host
	if c.u.Port() == "" {
		port := "389"
		if c.u.Scheme == "ldaps" {
			port = "636"
		}
		addr = net.JoinHostPort(host, port)
	}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, c.u.Host, err)
	}
	var conn *goldap.Conn
	if c.u.Scheme == "ldaps" {
		tconn := tls.Client(raw, tc)
		hctx, cancel := context.WithTimeout(ctx, c.s.Timeout)
		err := tconn.HandshakeContext(hctx)
		cancel()
		if err != nil {
			raw.Close()
			return nil, tlsError(c.u.Host, err)
		}
		conn = goldap.NewConn(tconn, true)
		conn.Start()
	} else {
		conn = goldap.NewConn(raw, false)
		conn.Start()
		conn.SetTimeout(c.s.Timeout)
		if err := conn.StartTLS(tc); err != nil {
			conn.Close()
			if isCertError(err) || !isUnsupported(err) {
				return nil, tlsError(c.u.Host, err)
			}
			if !c.s.Insecure && !loopback(host) {
				return nil, ErrPlain
			}
			// The server has no TLS: plain LDAP on a fresh connection.
			raw, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, c.u.Host, err)
			}
			conn = goldap.NewConn(raw, false)
			conn.Start()
			c.plain = true
		}
	}
	conn.SetTimeout(c.s.Timeout)
	if err := conn.Bind(c.s.BindDN, c.s.Password); err != nil {
		conn.Close()
		if goldap.IsErrorWithCode(err, goldap.LDAPResultInvalidCredentials) ||
			goldap.IsErrorWithCode(err, goldap.LDAPResultInappropriateAuthentication) ||
			goldap.IsErrorWithCode(err, goldap.LDAPResultInvalidDNSyntax) {
			return nil, ErrBind
		}
		return nil, fmt.Errorf("%w: binding: %s", ErrUnreachable, resultText(err))
	}
	return conn, nil
}

func tlsError(host string, err error) error {
	if isCertError(err) {
		return fmt.Errorf("%w (%s: %v)", ErrTLS, host, err)
	}
	return fmt.Errorf("%w: %s: TLS: %v", ErrUnreachable, host, err)
}

// isCertError recognises a certificate verification failure, also when
// go-ldap flattened it into a string (StartTLS).
func isCertError(err error) bool {
	var (
		ua *x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
		cv *tls.CertificateVerificationError
	)
	if errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cv) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "x509:") || strings.Contains(s, "certificate")
}

// isUnsupported recognises a server that answered StartTLS with "no".
func isUnsupported(err error) bool {
	for _, code := range []uint16{goldap.LDAPResultProtocolError, goldap.LDAPResultUnavailable,
		goldap.LDAPResultUnwillingToPerform, goldap.LDAPResultOperationsError} {
		if goldap.IsErrorWithCode(err, code) {
			return true
		}
	}
	return false
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pageSize keeps each page under the 500-entry size limit slapd applies to
// ordinary binds by default.
const pageSize = 500

// State reads the managed part of the directory: one paged search per
// container.
func (c *Client) State(ctx context.Context) (*State, error) {
	s := &State{BaseDN: c.s.BaseDN}
	var err error
	s.People, s.PeopleOU, err = c.list(ctx, peopleDN(c.s.BaseDN), "(objectClass=*)",
		append([]string{"uid", "description"}, PersonAttrs...))
	if err != nil {
		return nil, err
	}
	s.Groups, s.GroupsOU, err = c.list(ctx, groupsDN(c.s.BaseDN), "(objectClass=groupOfNames)", []string{"cn", "member"})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// list returns the entries one level under dn, and false when dn does not
// exist.
func (c *Client) list(ctx context.Context, dn, filter string, attrs []string) ([]Entry, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	c.counts.Searches.Add(1)
	req := goldap.NewSearchRequest(dn, goldap.ScopeSingleLevel, goldap.NeverDerefAliases, 0, 0, false, filter, attrs, nil)
	res, err := c.conn.SearchWithPaging(req, pageSize)
	if goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject) {
		return nil, false, nil
	}
	if goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) {
		// slapd caps the total of a paged search at the size limit (500 by
		// default) for every bind DN but the rootdn.
		return nil, false, settingError(fmt.Sprintf("the directory limits how many entries %[1]s may read; allow it "+
			"(OpenLDAP: limits dn.exact=%[1]q size.prtotal=unlimited in the database section, or olcLimits with cn=config)", c.s.BindDN))
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %s", dn, resultText(err))
	}
	entries := make([]Entry, 0, len(res.Entries))
	for _, e := range res.Entries {
		m := make(map[string][]string, len(e.Attributes))
		for _, a := range e.Attributes {
			k := strings.ToLower(a.Name)
			m[k] = append(m[k], a.Values...)
		}
		entries = append(entries, Entry{DN: e.DN, Attrs: m})
	}
	return entries, true, nil
}

// resultText describes an LDAP error by its result code, without the
// server's diagnostic message, which may quote a value.
func resultText(err error) string {
	var le *goldap.Error
	if errors.As(err, &le) {
		if le.ResultCode == goldap.ErrorNetwork {
			return "connection lost"
		}
		return fmt.Sprintf("LDAP result %d (%s)", le.ResultCode, goldap.LDAPResultCodeMap[le.ResultCode])
	}
	return err.Error()
}

// Plan reads the directory and computes what Apply would change.
func Plan(ctx context.Context, c *Client, b *Batch, opt Options) (*Changeset, error) {
	s, err := c.State(ctx)
	if err != nil {
		return nil, err
	}
	return Diff(b, s, opt), nil
}
