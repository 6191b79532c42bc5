package provision

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// RPPS is a valid RPPS number: 11 digits whose last is a Luhn check digit.
type RPPS string

// ADELI is a valid ADELI number: 9 characters (digits, "2A"/"2B" for
// Corsica) passing the Luhn check with A read as 1 and B as 2.
type ADELI string

// FINESS is a valid FINESS number: 9 characters (digits, "2A"/"2B" for
// Corsica) passing the Luhn check with A read as 1 and B as 2.
type FINESS string

// String returns the 11 digits.
func (r RPPS) String() string { return string(r) }

// String returns the 9 characters.
func (a ADELI) String() string { return string(a) }

// String returns the 9 characters, upper-case.
func (f FINESS) String() string { return string(f) }

// idFault is why an identifier is not valid.
type idFault int

const (
	faultLength idFault = iota // wrong number of characters
	faultChars                 // a character that is not allowed
	faultCheck                 // the Luhn check digit does not match
)

// idError says why an RPPS, ADELI or FINESS number is not valid; checks
// turn it into French for the referent (see [idReason]).
type idError struct {
	Kind      string // "rpps", "adeli" or "finess"
	Fault     idFault
	Want, Got int // numbers of characters, for a length fault
}

func (e *idError) Error() string {
	switch e.Fault {
	case faultLength:
		return fmt.Sprintf("%s: want %d characters, got %d", e.Kind, e.Want, e.Got)
	case faultChars:
		if e.Kind == "rpps" {
			return e.Kind + ": only digits"
		}
		return e.Kind + ": only digits, or 2A/2B for Corsica"
	}
	return e.Kind + ": wrong check digit"
}

// ParseRPPS checks s (spaces ignored) as an RPPS number.
func ParseRPPS(s string) (RPPS, error) {
	s = compact(s)
	if n := utf8.RuneCountInString(s); n != 11 {
		return "", &idError{Kind: "rpps", Fault: faultLength, Want: 11, Got: n}
	}
	if !allDigits(s) {
		return "", &idError{Kind: "rpps", Fault: faultChars}
	}
	if !luhn(s) {
		return "", &idError{Kind: "rpps", Fault: faultCheck}
	}
	return RPPS(s), nil
}

// ParseADELI checks s (spaces ignored, case-insensitive) as an ADELI number.
func ParseADELI(s string) (ADELI, error) {
	d, err := parseCorsican("adeli", s)
	return ADELI(d), err
}

// ParseFINESS checks s (spaces ignored, case-insensitive) as a FINESS
// number.
func ParseFINESS(s string) (FINESS, error) {
	d, err := parseCorsican("finess", s)
	return FINESS(d), err
}

// parseCorsican checks s as a 9-character number of kind (ADELI or
// FINESS): digits, or 2A/2B for Corsica, with a Luhn check digit.
func parseCorsican(kind, s string) (string, error) {
	s = strings.ToUpper(compact(s))
	if n := utf8.RuneCountInString(s); n != 9 {
		return "", &idError{Kind: kind, Fault: faultLength, Want: 9, Got: n}
	}
	d, ok := corsicanDigits(s)
	if !ok {
		return "", &idError{Kind: kind, Fault: faultChars}
	}
	if !luhn(d) {
		return "", &idError{Kind: kind, Fault: faultCheck}
	}
	return s, nil
}

// ParseNationalID reads the identifier column, which may hold an RPPS or
// an ADELI number, told apart by their shape: 11 digits (or 12 in the
// idNatPs form "8"+RPPS) is RPPS, 9 characters (or 10 in the form
// "0"+ADELI) is ADELI. The kind is also returned on error, so the right
// problem code can be chosen: a value that fits neither is RPPS when it
// has 11 characters or more, or 10 digits starting with 1 (every RPPS
// starts with 1: one digit was lost), ADELI otherwise.
func ParseNationalID(s string) (NationalID, error) {
	c := strings.ToUpper(compact(s))
	switch {
	case len(c) == 12 && c[0] == '8':
		r, err := ParseRPPS(c[1:])
		return NationalID{KindRPPS, string(r)}, err
	case len(c) >= 11, len(c) == 10 && c[0] == '1' && allDigits(c):
		r, err := ParseRPPS(c)
		return NationalID{KindRPPS, string(r)}, err
	case len(c) == 10 && c[0] == '0':
		a, err := ParseADELI(c[1:])
		return NationalID{KindADELI, string(a)}, err
	default:
		a, err := ParseADELI(c)
		return NationalID{KindADELI, string(a)}, err
	}
}

// compact drops the spaces people type inside numbers.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// corsicanDigits reads "2A…"/"2B…" as "21…"/"22…" (the Corsican
// departments), as the FINESS and ADELI check keys are computed.
func corsicanDigits(s string) (string, bool) {
	if strings.HasPrefix(s, "2A") {
		s = "21" + s[2:]
	} else if strings.HasPrefix(s, "2B") {
		s = "22" + s[2:]
	}
	return s, allDigits(s)
}

// luhn reports whether the digits of s pass the Luhn check.
func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// checkID reads the RPPS/ADELI column.
func checkID(rc *rowCheck) {
	c := rc.row.Get(FieldID)
	val := clean(c.Value)
	if val == "" {
		return
	}
	rc.idGiven = true
	id, err := ParseNationalID(val)
	if err == nil {
		rc.person.ID = id
		return
	}
	if id.Kind == KindRPPS {
		rc.add(RPPSInvalid, c, "Le numéro RPPS "+quote(val)+" n'est pas valide ("+idReason(err)+").", "")
	} else {
		rc.add(ADELIInvalid, c, "Le numéro ADELI "+quote(val)+" n'est pas valide ("+idReason(err)+").", "")
	}
}

// idReason turns a parse error of [ParseRPPS], [ParseADELI] or
// [ParseFINESS] into French for the referent: "11 chiffres attendus, 10
// trouvés".
func idReason(err error) string {
	e, ok := errors.AsType[*idError](err)
	if !ok {
		return "format incorrect"
	}
	switch e.Fault {
	case faultLength:
		unit := "caractères"
		if e.Kind == "rpps" {
			unit = "chiffres"
		}
		found := "trouvés"
		if e.Got < 2 {
			found = "trouvé"
		}
		return fmt.Sprintf("%d %s attendus, %d %s", e.Want, unit, e.Got, found)
	case faultChars:
		if e.Kind == "rpps" {
			return "il ne doit contenir que des chiffres"
		}
		return "il ne doit contenir que des chiffres, ou 2A/2B pour la Corse"
	}
	return "la clé de contrôle ne correspond pas : un chiffre est probablement mal recopié"
}
