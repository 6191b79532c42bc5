package provision

import (
	"errors"
	"maps"
	"net/mail"
	"slices"
	"strings"

	"golang.org/x/net/idna"
)

// Email is a syntactically valid address, lower-case. Its domain keeps the
// form it was written in (Unicode for an internationalised domain).
type Email string

// String returns the address.
func (e Email) String() string { return string(e) }

// Local returns the part before "@".
func (e Email) Local() string { l, _, _ := strings.Cut(string(e), "@"); return l }

// Domain returns the part after "@".
func (e Email) Domain() string { _, d, _ := strings.Cut(string(e), "@"); return d }

// ParseEmail checks a bare address (no display name, no angle brackets):
// one "@", a local part net/mail accepts unquoted, and a domain of at least
// two valid labels whose last one is a top-level domain (letters, or an
// IDN "xn--" label). The error says what is wrong without repeating the
// address.
func ParseEmail(s string) (Email, error) { return parseEmail(s, idna.Lookup.ToASCII) }

// parseEmail is [ParseEmail] with toASCII converting the domain to its
// ASCII form ([Validator] remembers it per domain).
func parseEmail(s string, toASCII func(string) (string, error)) (Email, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "mailto:"), "MAILTO:")
	if strings.Count(s, "@") != 1 {
		return "", errors.New("an address has exactly one @")
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || strings.HasPrefix(local, `"`) {
		return "", errors.New("missing or quoted local part")
	}
	if strings.ContainsAny(s, " <>,;") {
		return "", errors.New("spaces, brackets or separators in address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", errors.New("bad address syntax")
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", errors.New("misplaced dot in local part")
	}
	domain = strings.ToLower(domain)
	ascii, err := toASCII(domain)
	if err != nil {
		return "", errors.New("bad domain")
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", errors.New("domain has no dot")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", errors.New("bad domain label")
		}
	}
	tld := labels[len(labels)-1]
	if !strings.HasPrefix(tld, "xn--") {
		if len(tld) < 2 {
			return "", errors.New("bad top-level domain")
		}
		for _, r := range tld {
			if r < 'a' || r > 'z' {
				return "", errors.New("bad top-level domain")
			}
		}
	}
	return Email(strings.ToLower(local) + "@" + domain), nil
}

// asciiDomain is a domain's ASCII form, or why it has none.
type asciiDomain struct {
	ascii string
	err   error
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
	local = strings.ToLower(local)
	words := strings.FieldsFunc(local, func(r rune) bool { return strings.ContainsRune(".-_+", r) })
	if len(words) == 0 {
		return false
	}
	joined := strings.Join(words, "")
	for _, g := range n.generic {
		if local == g || words[0] == g || joined == strings.ReplaceAll(g, "-", "") {
			return true
		}
		if len(g) >= 6 && (strings.HasPrefix(words[0], g) || strings.HasPrefix(joined, strings.ReplaceAll(g, "-", ""))) {
			return true
		}
	}
	return false
}

func (v *Validator) checkEmail(rc *rowCheck) {
	c := rc.row.Get(FieldEmail)
	val := clean(c.Value)
	if val == "" {
		rc.add(EmailMissing, c, "", "")
		return
	}
	e, err := parseEmail(val, func(d string) (string, error) {
		r := v.asciiDomains.get(d, func(d string) asciiDomain {
			a, err := idna.Lookup.ToASCII(d)
			return asciiDomain{a, err}
		})
		return r.ascii, r.err
	})
	if err != nil {
		msg := "L'adresse électronique " + quote(val) + " n'est pas valide"
		switch {
		case strings.Count(val, "@") != 1:
			msg += " : elle doit contenir une seule arobase (@)."
		case !strings.Contains(val[strings.Index(val, "@"):], "."):
			msg += " : le nom de domaine est incomplet."
		default:
			msg += "."
		}
		rc.add(EmailInvalid, c, msg, "")
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
