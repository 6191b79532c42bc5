package provision

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Email is a valid address (see [ParseEmail]), lower-case and in NFC. Its
// domain keeps the form it was written in (Unicode for an internationalised
// domain, or its "xn--" form).
type Email string

// String returns the address.
func (e Email) String() string { return string(e) }

// Local returns the part before "@".
func (e Email) Local() string { l, _, _ := strings.Cut(string(e), "@"); return l }

// Domain returns the part after "@".
func (e Email) Domain() string { _, d, _ := strings.Cut(string(e), "@"); return d }

// ParseEmail checks a bare address (no display name, no angle brackets) as
// a mail system will see it:
//
//   - one "@", with something on each side;
//   - a local part that is an unquoted dot-atom: RFC 5322 atext, plus
//     non-ASCII letters, digits, punctuation and symbols (RFC 6531), and at
//     most 64 bytes (RFC 5321 §4.5.3.1.1);
//   - a domain of at least two labels, each letters, digits and inner
//     hyphens or an internationalised label valid for registration
//     (RFC 5891 §4: nothing IDNA lookup would silently map or drop), each
//     at most 63 bytes and the whole at most 253 in ASCII form
//     (RFC 5321 §4.5.3.1.2, RFC 1035 §2.3.4), whose top-level domain is
//     letters (or "xn--") and not special-use (RFC 6761 and RFC 7686:
//     .invalid, .localhost, .local, .arpa, .onion, .test, .example);
//   - the whole at most 254 bytes (RFC 5321 §4.5.3.1.3, less the brackets);
//   - no control, format (bidirectional, zero-width), space, private-use,
//     noncharacter or unassigned code point, and no combining mark at the
//     start of the local part or of a label.
//
// The address is returned lower-case and in NFC. The error says what is
// wrong without repeating the address.
func ParseEmail(s string) (Email, error) { return parseEmail(s, checkDomain) }

// parseEmail is [ParseEmail] with domainOf checking the lower-case domain
// ([Validator] remembers it per domain).
func parseEmail(s string, domainOf func(string) asciiDomain) (Email, error) {
	s = strings.TrimSpace(s)
	ascii := printableASCII(s)
	if !ascii && !utf8.ValidString(s) {
		return "", &emailError{why: whyUTF8}
	}
	// strings.ToLower returns an ASCII string without capitals as is.
	s = strings.ToLower(s)
	if !ascii {
		s = norm.NFC.String(s)
	}
	s = strings.TrimPrefix(s, "mailto:")
	// One pass counts the "@" and notes the characters that need a closer
	// look; most addresses have none.
	at, odd := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '@':
			at++
		case ' ', ',', ';', '<', '>', '"':
			odd = true
		}
	}
	switch {
	case odd && at > 1 && strings.ContainsAny(s, " ,;"):
		return "", &emailError{why: whyMany}
	case odd && strings.ContainsAny(s, "<>"):
		return "", &emailError{why: whyDisplayName}
	case odd && s[0] == '"':
		return "", &emailError{why: whyQuoted}
	case at == 0:
		return "", &emailError{why: whyAtMissing}
	case at > 1:
		return "", &emailError{why: whyAtMany, n: at}
	}
	local, domain, _ := strings.Cut(s, "@")
	switch {
	case local == "":
		return "", &emailError{why: whyLocalMissing}
	case domain == "":
		return "", &emailError{why: whyDomainMissing}
	case odd && strings.IndexByte(s, ' ') >= 0:
		return "", &emailError{why: whySpace}
	}
	if err := checkLocal(local); err != nil {
		return "", err
	}
	d := domainOf(domain)
	if d.err != nil {
		return "", d.err
	}
	if n := len(local) + 1 + max(len(d.ascii), len(domain)); n > 254 {
		return "", &emailError{why: whyAddressLong, n: n, ascii: ascii}
	}
	return Email(s), nil
}

// checkLocal checks the part before "@": atext and dots, then its length.
func checkLocal(l string) *emailError {
	ascii := true
	for i := 0; i < len(l); {
		if c := l[i]; c < utf8.RuneSelf {
			if c != '.' && !atext(c) {
				return &emailError{why: whyLocalChar, r: rune(c)}
			}
			i++
			continue
		}
		ascii = false
		r, size := utf8.DecodeRuneInString(l[i:])
		switch {
		case unicode.In(r, unicode.M):
			// A mark first would combine with whatever precedes the
			// address (python-email-validator's rule).
			if i == 0 {
				return &emailError{why: whyLocalMark, r: r}
			}
		case !unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S):
			// Controls, format characters (bidi, zero-width), spaces,
			// private use, noncharacters, unassigned.
			return &emailError{why: whyLocalChar, r: r}
		}
		i += size
	}
	switch {
	case l[0] == '.':
		return &emailError{why: whyLocalDotStart}
	case l[len(l)-1] == '.':
		return &emailError{why: whyLocalDotEnd}
	case strings.Contains(l, ".."):
		return &emailError{why: whyLocalDots}
	case len(l) > 64:
		return &emailError{why: whyLocalLong, n: len(l), ascii: ascii}
	}
	return nil
}

// atext reports whether c is an RFC 5322 atext character.
func atext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// asciiDomain is a domain's ASCII form, or why it is refused.
type asciiDomain struct {
	ascii string
	err   *emailError
}

// checkDomain checks d, lower-case and NFC, and returns its ASCII form.
// A printable-ASCII domain with no "xn--" label (most of them) is checked
// byte by byte, without IDNA.
func checkDomain(d string) asciiDomain {
	fail := func(e *emailError) asciiDomain { return asciiDomain{err: e} }
	ascii := printableASCII(d)
	if ascii {
		for i := 0; i < len(d); i++ {
			if c := d[i]; !ldh(c) && c != '.' {
				return fail(&emailError{why: whyDomainChar, r: rune(c)})
			}
		}
	} else if e := checkDomainRunes(d); e != nil {
		return fail(e)
	}
	switch {
	case d[0] == '.':
		return fail(&emailError{why: whyDomainDotStart})
	case d[len(d)-1] == '.':
		return fail(&emailError{why: whyDomainDotEnd})
	case strings.Contains(d, ".."):
		return fail(&emailError{why: whyDomainDots})
	case strings.IndexByte(d, '.') < 0:
		return fail(&emailError{why: whyNoDot, label: d})
	}
	for l := range strings.SplitSeq(d, ".") {
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fail(&emailError{why: whyLabelHyphen, label: l})
		}
		// Labels "ab--…" are reserved for future encodings (RFC 5891
		// §4.2.3.1); python-email-validator refuses them too.
		if hyphens34(l) && !strings.HasPrefix(l, "xn--") {
			return fail(&emailError{why: whyLabelHyphens, label: l})
		}
	}
	a := d
	if !ascii {
		var err error
		if a, err = idna.Punycode.ToASCII(d); err != nil {
			return fail(&emailError{why: whyIDNA, label: d})
		}
	}
	// The limits are on the ASCII form: the one DNS and SMTP without
	// SMTPUTF8 carry.
	ul := strings.Split(d, ".")
	for i, l := range strings.Split(a, ".") {
		if len(l) > 63 {
			return fail(&emailError{why: whyLabelLong, label: ul[i], n: len(l), ascii: l == ul[i]})
		}
	}
	if len(a) > 253 {
		return fail(&emailError{why: whyDomainLong, n: len(a), ascii: ascii})
	}
	if !ascii || strings.Contains(a, "xn--") {
		// Registration, not Lookup: Lookup maps "ｃ" to "c" and drops
		// U+200B or U+FE0F, which would make the address another one.
		if _, err := idna.Registration.ToASCII(d); err != nil {
			return fail(idnaError(d))
		}
	}
	tld := a[strings.LastIndexByte(a, '.')+1:]
	if !strings.HasPrefix(tld, "xn--") {
		if len(tld) < 2 || strings.IndexFunc(tld, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
			return fail(&emailError{why: whyTLD, label: ul[len(ul)-1]})
		}
	}
	switch tld {
	case "invalid", "localhost", "local", "arpa", "onion", "test", "example":
		// RFC 6761 §6, RFC 6762 (.local), RFC 7686 (.onion), RFC 3172
		// (.arpa): no mail is delivered there.
		return fail(&emailError{why: whySpecialUse, label: tld})
	}
	return asciiDomain{ascii: a}
}

// ldh reports whether c is a lower-case letter, a digit or a hyphen.
func ldh(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' }

// hyphens34 reports whether label has hyphens as its 3rd and 4th characters.
func hyphens34(label string) bool {
	n := 0
	for i := range label {
		if n == 2 {
			return strings.HasPrefix(label[i:], "--")
		}
		n++
	}
	return false
}

// checkDomainRunes refuses, naming it, a character of a non-ASCII domain
// that no registry accepts: ASCII other than letters, digits, "-" and ".";
// controls, format characters (bidirectional controls, zero-width
// characters), spaces, private use, noncharacters and unassigned code
// points; and a combining mark that starts a label. IDNA validation comes
// after.
func checkDomainRunes(d string) *emailError {
	start := true // at the start of a label
	for _, r := range d {
		switch {
		case r == '.':
			start = true
			continue
		case r == '\u3002' || r == '\uff0e' || r == '\uff61':
			// Dots UTS 46 reads as "." (ideographic, fullwidth,
			// halfwidth): name them before they hide the real dots.
			return &emailError{why: whyDomainChar, r: r, fix: "."}
		case r < utf8.RuneSelf:
			if !ldh(byte(r)) {
				return &emailError{why: whyDomainChar, r: r}
			}
		case unicode.In(r, unicode.M):
			if start {
				return &emailError{why: whyDomainMark, r: r}
			}
		case !unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S):
			return &emailError{why: whyDomainChar, r: r}
		}
		start = false
	}
	return nil
}

// idnaError says why IDNA registration refused d: the first character it
// refuses on its own (with what IDNA lookup would have written instead,
// such as "c" for "ｃ"), or else the first label it refuses.
func idnaError(d string) *emailError {
	for _, r := range d {
		if r < utf8.RuneSelf {
			continue
		}
		probe := string(r)
		if unicode.In(r, unicode.M) {
			// A mark alone is a label starting with a mark: give it a
			// letter to sit on, one it does not compose with.
			if probe = "q" + probe; !norm.NFC.IsNormalString(probe) {
				continue
			}
		}
		if _, err := idna.Registration.ToASCII(probe); err != nil {
			e := &emailError{why: whyDomainChar, r: r}
			if m, err := idna.Lookup.ToUnicode(string(r)); err == nil && m != string(r) && !unicode.In(r, unicode.M) {
				e.fix = m
			}
			return e
		}
	}
	for l := range strings.SplitSeq(d, ".") {
		if _, err := idna.Registration.ToASCII(l); err != nil {
			return &emailError{why: whyIDNA, label: l}
		}
	}
	return &emailError{why: whyIDNA, label: d}
}

// droppedFromDomain refuses a character that [RepairCell] removed from the
// domain of c, as the cell was stored: a bidirectional control or a
// zero-width character there makes another address, so it is an error
// naming it, not a silent repair. (In the local part it stays a repair.)
func droppedFromDomain(c Cell) *emailError {
	if c.Raw == c.Value {
		return nil
	}
	_, d, ok := strings.Cut(c.Raw, "@")
	if !ok || printableASCII(d) {
		return nil
	}
	if !utf8.ValidString(d) {
		return &emailError{why: whyUTF8}
	}
	for _, r := range d {
		if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return &emailError{why: whyDomainChar, r: r}
		}
	}
	return nil
}

// tldTypos are endings typed for another, with their likely fix. They are
// not real top-level domains (".cm" or ".gr" are, so they are not here).
var tldTypos = map[string]string{
	".con": ".com", ".cpm": ".com", ".vom": ".com", ".xom": ".com", ".ocm": ".com",
	".comm": ".com", ".coom": ".com", ".cim": ".com", ".clm": ".com", ".cok": ".com",
	".ft": ".fr", ".fe": ".fr", ".frr": ".fr", ".ffr": ".fr", ".dr": ".fr", ".rf": ".fr",
	".fr.fr": ".fr", ".com.com": ".com", ".frm": ".fr",
}

// domainTypo returns the domain the referent probably meant, or "" when d
// looks right: a known mistyped ending, or a domain one or two keystrokes
// away from a webmail domain (one for short domains, where two would hit
// real ones).
func (n *Nomenclature) domainTypo(d string) string {
	if slices.Contains(n.webmail, d) || strings.HasSuffix(d, ".mssante.fr") {
		return ""
	}
	for _, bad := range slices.Sorted(maps.Keys(tldTypos)) {
		if before, ok := strings.CutSuffix(d, bad); ok {
			return before + tldTypos[bad]
		}
	}
	best, bestD := "", 3
	for _, w := range n.webmail {
		limit := 2
		if len(w) <= 8 {
			limit = 1
		}
		if dd := distance(d, w); dd <= limit && dd < bestD {
			best, bestD = w, dd
		}
	}
	return best
}

// isGeneric reports whether the local part is a role mailbox: its first
// word (or the whole, or for long entries its start) is in the list.
func (n *Nomenclature) isGeneric(local string) bool {
	if len(local) <= maxFastLocal && asciiOnly(local) {
		return n.isGenericASCII(local)
	}
	return n.isGenericText(local)
}

// isGenericText is isGeneric for any local part.
func (n *Nomenclature) isGenericText(local string) bool {
	local = strings.ToLower(local)
	isSep := func(r rune) bool { return strings.ContainsRune(".-_+", r) }
	// The words are the local part's runs between separators: the first,
	// and all of them joined, without allocating a list of them.
	rest := strings.TrimLeftFunc(local, isSep)
	if rest == "" {
		return false
	}
	first := rest
	if i := strings.IndexFunc(rest, isSep); i >= 0 {
		first = rest[:i]
	}
	joined := strings.Map(func(r rune) rune {
		if isSep(r) {
			return -1
		}
		return r
	}, local)
	for i, g := range n.generic {
		gj := n.genericJoined[i]
		if local == g || first == g || joined == gj {
			return true
		}
		if len(g) >= 6 && (strings.HasPrefix(first, g) || strings.HasPrefix(joined, gj)) {
			return true
		}
	}
	return false
}

// maxFastLocal is the longest local part isGenericASCII takes: its words
// are gathered in arrays on the stack.
const maxFastLocal = 64

// isGenericASCII is isGeneric for a local part of ASCII no longer than
// [maxFastLocal] (most of them), lowered and joined on the stack rather
// than in strings allocated for each row.
func (n *Nomenclature) isGenericASCII(local string) bool {
	var lb, jb [maxFastLocal]byte
	low, joined := appendLower(lb[:0], local), jb[:0]
	for _, c := range low {
		if !genericSep(c) {
			joined = append(joined, c)
		}
	}
	start := 0
	for start < len(low) && genericSep(low[start]) {
		start++
	}
	if start == len(low) {
		return false
	}
	end := start
	for end < len(low) && !genericSep(low[end]) {
		end++
	}
	first := low[start:end]
	for i, g := range n.generic {
		gj := n.genericJoined[i]
		if string(low) == g || string(first) == g || string(joined) == gj {
			return true
		}
		if len(g) >= 6 && (len(first) >= len(g) && string(first[:len(g)]) == g ||
			len(joined) >= len(gj) && string(joined[:len(gj)]) == gj) {
			return true
		}
	}
	return false
}

// genericSep reports whether c separates the words of a local part.
func genericSep(c byte) bool {
	return c == '.' || c == '-' || c == '_' || c == '+'
}

func (v *Validator) checkEmail(rc *rowCheck) {
	c := rc.row.Get(FieldEmail)
	val := clean(c.Value)
	if val == "" {
		rc.add(EmailMissing, c, "", "")
		return
	}
	var e Email
	var err error
	if bad := droppedFromDomain(c); bad != nil {
		err = bad
	} else {
		e, err = parseEmail(val, func(d string) asciiDomain { return v.asciiDomains.get(d, checkDomain) })
	}
	if err != nil {
		why := "sa syntaxe n'est pas valide"
		if ee, ok := errors.AsType[*emailError](err); ok {
			why = ee.reason()
		}
		rc.add(EmailInvalid, c, "L'adresse électronique "+quote(val)+" n'est pas valide : "+why+".", "")
		return
	}
	rc.person.Email = e.String()
	if v.nom.isGeneric(e.Local()) {
		rc.emailGeneric = true
		rc.add(EmailGeneric, c, "L'adresse "+quote(val)+" est une boîte de service, pas une boîte nominative.", "")
	}
	d := e.Domain()
	dl := v.domains.get(d, func(d string) domainLookup {
		return domainLookup{typo: v.nom.domainTypo(d), webmail: slices.Contains(v.nom.webmail, d)}
	})
	if fix := dl.typo; fix != "" {
		rc.add(EmailDomainTypo, c, "Le domaine "+quote(d)+" ressemble à une faute de frappe.",
			"Vérifiez le domaine : vouliez-vous écrire "+quote(fix)+" ?")
		return
	}
	if dl.webmail {
		rc.emailPersonal = d
		rc.add(EmailPersonal, c, "Le domaine "+quote(d)+" est une messagerie personnelle.", "")
	}
}
