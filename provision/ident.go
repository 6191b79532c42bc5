package provision

import (
	"errors"
	"fmt"
	"strings"
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

// ParseRPPS checks s (spaces ignored) as an RPPS number.
func ParseRPPS(s string) (RPPS, error) {
	s = compact(s)
	if len(s) != 11 || !allDigits(s) {
		return "", fmt.Errorf("rpps: want 11 digits, got %d characters", len(s))
	}
	if !luhn(s) {
		return "", errors.New("rpps: wrong check digit")
	}
	return RPPS(s), nil
}

// ParseADELI checks s (spaces ignored, case-insensitive) as an ADELI number.
func ParseADELI(s string) (ADELI, error) {
	s = strings.ToUpper(compact(s))
	if len(s) != 9 {
		return "", fmt.Errorf("adeli: want 9 characters, got %d", len(s))
	}
	d, ok := corsicanDigits(s)
	if !ok {
		return "", errors.New("adeli: only digits, or 2A/2B for Corsica")
	}
	if !luhn(d) {
		return "", errors.New("adeli: wrong check digit")
	}
	return ADELI(s), nil
}

// ParseFINESS checks s (spaces ignored, case-insensitive) as a FINESS
// number.
func ParseFINESS(s string) (FINESS, error) {
	s = strings.ToUpper(compact(s))
	if len(s) != 9 {
		return "", fmt.Errorf("finess: want 9 characters, got %d", len(s))
	}
	d, ok := corsicanDigits(s)
	if !ok {
		return "", errors.New("finess: only digits, or 2A/2B for Corsica")
	}
	if !luhn(d) {
		return "", errors.New("finess: wrong check digit")
	}
	return FINESS(s), nil
}

// ParseNationalID reads the identifier column, which may hold an RPPS or
// an ADELI number, told apart by their shape: 11 digits (or 12 in the
// idNatPs form "8"+RPPS) is RPPS, 9 characters (or 10 in the form
// "0"+ADELI) is ADELI. The kind is also returned on error, so the right
// problem code can be chosen: a value that fits neither is RPPS when it
// has 11 characters or more, ADELI otherwise.
func ParseNationalID(s string) (NationalID, error) {
	c := strings.ToUpper(compact(s))
	switch {
	case len(c) == 12 && c[0] == '8':
		r, err := ParseRPPS(c[1:])
		return NationalID{KindRPPS, string(r)}, err
	case len(c) >= 11:
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

// idReason turns a parse error into French for the referent.
func idReason(err error) string {
	switch msg := err.Error(); {
	case strings.Contains(msg, "check digit"):
		return "la clé de contrôle ne correspond pas : un chiffre est probablement mal recopié"
	case strings.Contains(msg, "only digits"):
		return "il ne doit contenir que des chiffres"
	default:
		return "nombre de caractères incorrect"
	}
}
