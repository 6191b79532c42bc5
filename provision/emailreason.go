package provision

import (
	"fmt"
	"strconv"
	"unicode"
)

// emailWhy is one reason [ParseEmail] refuses an address.
type emailWhy uint8

// The reasons, in roughly the order they are checked.
const (
	whyUTF8           emailWhy = iota + 1 // bytes that are not UTF-8
	whyMany                               // several addresses in one cell
	whyDisplayName                        // a name or angle brackets around the address
	whyQuoted                             // a quoted local part ("zoe"@…)
	whyAtMissing                          // no "@"
	whyAtMany                             // n "@"
	whyLocalMissing                       // nothing before "@"
	whyDomainMissing                      // nothing after "@"
	whySpace                              // a space
	whyLocalChar                          // r is not allowed before "@"
	whyLocalMark                          // the local part starts with combining mark r
	whyLocalDotStart                      // the local part starts with "."
	whyLocalDotEnd                        // the local part ends with "."
	whyLocalDots                          // ".." in the local part
	whyLocalLong                          // the local part is n bytes
	whyDomainChar                         // r is not allowed in the domain (fix: what to write instead)
	whyDomainMark                         // label starts with combining mark r
	whyDomainDotStart                     // the domain starts with "."
	whyDomainDotEnd                       // the domain ends with "."
	whyDomainDots                         // ".." in the domain
	whyNoDot                              // the domain is one label
	whyLabelHyphen                        // label starts or ends with "-"
	whyLabelHyphens                       // label has "--" in 3rd and 4th place and is not "xn--"
	whyLabelLong                          // label is n bytes in ASCII form
	whyIDNA                               // label is not a valid internationalised label
	whyDomainLong                         // the domain is n bytes in ASCII form
	whyTLD                                // top-level domain label is not letters
	whySpecialUse                         // top-level domain label is special-use (RFC 6761)
	whyAddressLong                        // the address is n bytes
)

// emailError is why [ParseEmail] refused an address. Its Error text is
// English and never repeats the address (personal data stays out of
// errors); [emailError.reason] is the French clause of the EMAIL_INVALID
// message, which may quote a part of the address.
type emailError struct {
	why   emailWhy
	r     rune   // the offending character (whyLocalChar, whyDomainChar, marks)
	n     int    // a count or a length in bytes
	label string // the offending domain label (whyNoDot: the whole domain)
	fix   string // whyDomainChar: what to write instead, if known
	ascii bool   // lengths: the part is ASCII, so bytes are characters
}

func (e *emailError) Error() string {
	switch e.why {
	case whyUTF8:
		return "address is not valid UTF-8"
	case whyMany:
		return "several addresses in one value"
	case whyDisplayName:
		return "display name or angle brackets around the address"
	case whyQuoted:
		return "quoted local part"
	case whyAtMissing:
		return "no @ in address"
	case whyAtMany:
		return "an address has exactly one @, found " + strconv.Itoa(e.n)
	case whyLocalMissing:
		return "missing local part"
	case whyDomainMissing:
		return "missing domain"
	case whySpace:
		return "space in address"
	case whyLocalChar:
		return fmt.Sprintf("character %U not allowed in local part", e.r)
	case whyLocalMark:
		return fmt.Sprintf("local part starts with combining mark %U", e.r)
	case whyLocalDotStart, whyLocalDotEnd, whyLocalDots:
		return "misplaced dot in local part"
	case whyLocalLong:
		return "local part longer than 64 bytes"
	case whyDomainChar:
		return fmt.Sprintf("character %U not allowed in domain", e.r)
	case whyDomainMark:
		return fmt.Sprintf("domain label starts with combining mark %U", e.r)
	case whyDomainDotStart, whyDomainDotEnd, whyDomainDots:
		return "misplaced dot in domain"
	case whyNoDot:
		return "domain has no dot"
	case whyLabelHyphen, whyLabelHyphens:
		return "misplaced hyphen in domain label"
	case whyLabelLong:
		return "domain label longer than 63 bytes"
	case whyIDNA:
		return "domain label is not valid IDNA"
	case whyDomainLong:
		return "domain longer than 253 bytes"
	case whyTLD:
		return "bad top-level domain"
	case whySpecialUse:
		return "special-use domain cannot receive mail"
	case whyAddressLong:
		return "address longer than 254 bytes"
	}
	return "bad address"
}

// reason is the French clause that completes "L'adresse électronique « … »
// n'est pas valide : ", for the referent.
func (e *emailError) reason() string {
	switch e.why {
	case whyUTF8:
		return "elle contient des octets qui ne sont pas du texte (encodage UTF-8 invalide)"
	case whyMany:
		return "la cellule contient plusieurs adresses ; indiquez une seule adresse par personne"
	case whyDisplayName:
		return "n'indiquez que l'adresse, sans nom ni chevrons (< >)"
	case whyQuoted:
		return "les guillemets ne sont pas acceptés dans une adresse"
	case whyAtMissing:
		return "il manque l'arobase (@) entre l'identifiant et le nom de domaine"
	case whyAtMany:
		// Kept word for word: goldens and referents' habits rely on it.
		return "elle doit contenir une seule arobase (@)"
	case whyLocalMissing:
		return "rien n'est écrit avant l'arobase (@)"
	case whyDomainMissing:
		return "le nom de domaine manque après l'arobase (@)"
	case whySpace:
		return "elle contient une espace"
	case whyLocalChar:
		return charPhrase(e.r) + " n'est pas accepté avant l'arobase"
	case whyLocalMark:
		return "elle commence par un signe diacritique isolé (" + codePoint(e.r) + "), sans lettre avant lui"
	case whyLocalDotStart:
		return "la partie avant l'arobase ne peut pas commencer par un point"
	case whyLocalDotEnd:
		return "la partie avant l'arobase ne peut pas finir par un point"
	case whyLocalDots:
		return "la partie avant l'arobase contient deux points qui se suivent"
	case whyLocalLong:
		return "la partie avant l'arobase compte " + lengthPhrase(e.n, e.ascii) + ", 64 au plus"
	case whyDomainChar:
		s := charPhrase(e.r) + " n'est pas accepté dans un nom de domaine"
		if e.fix != "" {
			s += " ; écrivez " + quote(e.fix) + " à la place"
		}
		return s
	case whyDomainMark:
		return "une partie du nom de domaine commence par un signe diacritique isolé (" + codePoint(e.r) + "), sans lettre avant lui"
	case whyDomainDotStart:
		return "le nom de domaine ne peut pas commencer par un point"
	case whyDomainDotEnd:
		return "le nom de domaine ne peut pas finir par un point"
	case whyDomainDots:
		return "le nom de domaine contient deux points qui se suivent"
	case whyNoDot:
		// "domaine est incomplet" is what referents have been told so far.
		return "le nom de domaine est incomplet : " + quote(e.label) + " n'a pas d'extension (.fr, .com…)"
	case whyLabelHyphen:
		return "la partie " + quote(short(e.label)) + " du nom de domaine ne peut ni commencer ni finir par un trait d'union"
	case whyLabelHyphens:
		return "la partie " + quote(short(e.label)) + " du nom de domaine a deux traits d'union en 3e et 4e positions, réservés aux noms internationalisés (xn--)"
	case whyLabelLong:
		s := "la partie " + quote(short(e.label)) + " du nom de domaine compte " + strconv.Itoa(e.n) + " caractères"
		if !e.ascii {
			s += " une fois convertie en ASCII (xn--…)"
		}
		return s + ", 63 au plus"
	case whyIDNA:
		return "la partie " + quote(short(e.label)) + " du nom de domaine n'est pas un nom de domaine internationalisé valide"
	case whyDomainLong:
		s := "le nom de domaine compte " + strconv.Itoa(e.n) + " caractères"
		if !e.ascii {
			s += " une fois converti en ASCII (xn--…)"
		}
		return s + ", 253 au plus"
	case whyTLD:
		return "l'extension " + quote(short(e.label)) + " du nom de domaine n'est pas valide (au moins deux lettres, par exemple .fr)"
	case whySpecialUse:
		return "le domaine " + quote("."+e.label) + " est réservé (RFC 6761) et ne reçoit pas de courriel"
	case whyAddressLong:
		return "elle compte " + lengthPhrase(e.n, e.ascii) + ", 254 au plus"
	}
	return "sa syntaxe n'est pas valide"
}

// lengthPhrase says a length: in characters when the text is ASCII, in
// bytes otherwise (the limits of RFC 5321 count bytes).
func lengthPhrase(n int, ascii bool) string {
	if ascii {
		return strconv.Itoa(n) + " caractères"
	}
	return strconv.Itoa(n) + " octets une fois encodée (UTF-8)"
}

// short cuts a long label for a message: its start is enough to find it.
func short(s string) string {
	const keep = 24
	n := 0
	for i := range s {
		if n == keep {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// codePoint is the U+ notation of r.
func codePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }

// invisibleNames are the French names of the invisible characters most
// often pasted into a cell (from a web page, Outlook or a PDF).
var invisibleNames = map[rune]string{
	'\u00ad': "trait d'union conditionnel",
	'\u061c': "marque de lettre arabe",
	'\u180e': "séparateur de voyelles mongol",
	'\u200b': "espace sans chasse",
	'\u200c': "antiliant sans chasse",
	'\u200d': "liant sans chasse",
	'\u200e': "marque gauche-à-droite",
	'\u200f': "marque droite-à-gauche",
	'\u202a': "enchâssement gauche-à-droite",
	'\u202b': "enchâssement droite-à-gauche",
	'\u202c': "dépilement de formatage directionnel",
	'\u202d': "forçage gauche-à-droite",
	'\u202e': "forçage droite-à-gauche",
	'\u2060': "gluon de mots",
	'\u2066': "isolat gauche-à-droite",
	'\u2067': "isolat droite-à-gauche",
	'\u2068': "isolat à direction déterminée",
	'\u2069': "fin d'isolat directionnel",
	'\ufeff': "indicateur d'ordre des octets (espace insécable sans chasse)",
}

// charPhrase names r for a French message: its code point and what it is,
// and the character itself only when it is visible (an invisible or
// bidirectional character quoted in a message would hide or reorder it).
func charPhrase(r rune) string {
	cp := codePoint(r)
	switch {
	case invisibleNames[r] != "":
		return "le caractère invisible " + cp + " (" + invisibleNames[r] + ")"
	case unicode.Is(unicode.Cf, r):
		return "le caractère invisible de mise en forme " + cp
	case unicode.IsControl(r):
		return "le caractère de contrôle " + cp
	case r == ' ':
		return "l'espace"
	case unicode.In(r, unicode.Z):
		return "l'espace spéciale " + cp
	case unicode.Is(unicode.Co, r):
		return "le caractère à usage privé " + cp
	case noncharacter(r):
		return "le non-caractère " + cp
	case !assigned(r):
		return "le point de code non attribué " + cp
	case unicode.In(r, unicode.M):
		return "le signe diacritique " + cp
	}
	return "le caractère " + quote(string(r)) + " (" + cp + ")"
}

// noncharacter reports whether r is one of the 66 code points Unicode
// reserves never to assign (U+FDD0..U+FDEF and the last two of each plane).
func noncharacter(r rune) bool {
	return (r >= 0xfdd0 && r <= 0xfdef) || (r&0xfffe == 0xfffe && r <= unicode.MaxRune)
}

// assigned reports whether r is assigned a character in the Unicode version
// of the standard unicode package (unicode.Version: 15.0.0 with Go 1.26, the
// same as the x/net/idna tables used before Go 1.27). Go has no table of
// unassigned code points (Cn): it is what no other category holds.
func assigned(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C)
}
