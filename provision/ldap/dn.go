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
func canonical(dn string) string {
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

// parseDN returns the values of a DN's RDNs (first attribute of each).
func parseDN(dn string) ([]string, error) {
	d, err := goldap.ParseDN(dn)
	if err != nil {
		return nil, err
	}
	var vals []string
	for _, r := range d.RDNs {
		if len(r.Attributes) > 0 {
			vals = append(vals, r.Attributes[0].Value)
		}
	}
	return vals, nil
}
