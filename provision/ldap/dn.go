package ldap

import (
	"strings"

	goldap "github.com/go-ldap/ldap/v3"
)

// peopleDN and groupsDN are the two containers under the base.
func peopleDN(base string) string { return "ou=people," + base }
func groupsDN(base string) string { return "ou=groups," + base }

// PersonDN is the DN of login uid under base; the uid is escaped per RFC 4514.
func PersonDN(base, uid string) string {
	return "uid=" + goldap.EscapeDN(uid) + "," + peopleDN(base)
}

// GroupDN is the DN of the group of habilitation code under base.
func GroupDN(base, code string) string {
	return "cn=" + goldap.EscapeDN(code) + "," + groupsDN(base)
}

// Placeholder is the member a group keeps once it has no real member, since
// groupOfNames requires one: the group's own DN, which no search for a
// person's memberships can match.
func Placeholder(groupDN string) string { return groupDN }

// canonical gives a DN a form to compare by: attribute types and values
// folded to lower case (uid, cn, ou, dc and o all match case-insensitively)
// and values re-escaped the same way. An unparsable DN is only lower-cased.
// Diff compares every person and member DN this way, so the common DN that
// needs no escaping skips the parser.
func canonical(dn string) string {
	if plainDN(dn) {
		return strings.ToLower(dn)
	}
	return parsedCanonical(dn)
}

// plainDN says whether dn is only type=value pairs separated by commas,
// made of letters, digits and . - _ @, each type and value non-empty: such
// a DN parses to itself and its values need no escaping, so its canonical
// form is its lower-case form.
func plainDN(dn string) bool {
	eq, start := false, 0 // whether the current RDN has its '=', and where it starts
	for i := 0; i < len(dn); i++ {
		switch c := dn[i]; {
		case c == '=':
			if eq || i == start {
				return false
			}
			eq = true
		case c == ',':
			if !eq || dn[i-1] == '=' {
				return false
			}
			eq, start = false, i+1
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '_', c == '@':
		default:
			return false
		}
	}
	return eq && dn[len(dn)-1] != '='
}

// parsedCanonical is canonical by way of the RFC 4514 parser.
func parsedCanonical(dn string) string {
	d, err := goldap.ParseDN(dn)
	if err != nil {
		return strings.ToLower(dn)
	}
	var b strings.Builder
	for i, rdn := range d.RDNs {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, av := range rdn.Attributes {
			if j > 0 {
				b.WriteByte('+')
			}
			b.WriteString(strings.ToLower(av.Type))
			b.WriteByte('=')
			b.WriteString(goldap.EscapeDN(strings.ToLower(av.Value)))
		}
	}
	return b.String()
}

// personBase returns BASE of a DN uid=LOGIN,ou=people,BASE as written in
// accounts.ldif, or "" when the DN does not have that form.
func personBase(dn string) string {
	d, err := goldap.ParseDN(dn)
	if err != nil || len(d.RDNs) < 3 {
		return ""
	}
	ou := d.RDNs[1].Attributes
	if len(ou) != 1 || !strings.EqualFold(ou[0].Type, "ou") || !strings.EqualFold(ou[0].Value, "people") {
		return ""
	}
	var b strings.Builder
	for i, rdn := range d.RDNs[2:] {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, av := range rdn.Attributes {
			if j > 0 {
				b.WriteByte('+')
			}
			b.WriteString(av.Type + "=" + goldap.EscapeDN(av.Value))
		}
	}
	return b.String()
}
