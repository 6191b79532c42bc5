package provision

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Status says whether a row made it into the import files.
type Status string

// Row statuses.
const (
	StatusAccepted Status = "accepted"
	StatusRejected Status = "rejected"
)

// Profession is a code and label of the national nomenclatures: TRE_G15 for
// health professionals; TRE_R95, TRE_R94 or TRE_R291 for other staff.
type Profession struct {
	// System is the nomenclature of Code: SystemG15, SystemR95, SystemR94
	// or SystemR291.
	System string `json:"system,omitempty"`
	Code   string `json:"code"`
	Label  string `json:"label"`
	// Health is true for a health professional of TRE_G15, who may log in
	// with a CPS card and hold the RCP habilitations.
	Health bool `json:"-"`
	// Role is the TRE_R85 role of non-health staff ("" for health
	// professionals).
	Role *Coded `json:"role,omitempty"`
}

// Coded is a code and its label in a nomenclature.
type Coded struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Establishment is a place of work named in the list or the configuration.
type Establishment struct {
	FINESS string `json:"finess" yaml:"finess"`
	Name   string `json:"name" yaml:"name"`
	Logo   string `json:"-" yaml:"logo,omitempty"` // path of the logo, relative to the config file
}

// LoginMode is how a person logs in to the DCC.
type LoginMode string

// The login modes of the contract.
const (
	LoginCPS  LoginMode = "CPS"  // health professional card or e-CPS
	LoginCPE  LoginMode = "CPE"  // establishment staff card
	LoginSMS  LoginMode = "SMS"  // one-time code by SMS
	LoginMail LoginMode = "Mail" // one-time code by email
)

// Request status of a habilitation for one person in one establishment.
const (
	RequestActive           = "active"
	RequestPendingSignature = "pending-signature"
	RequestRejected         = "rejected"
)

// Request is one habilitation asked for one person.
type Request struct {
	Code      string `json:"code"`
	Label     string `json:"label"`
	Signature bool   `json:"signature"`        // the director must sign for it
	Status    string `json:"status,omitempty"` // active, pending-signature, rejected
	Form      string `json:"form,omitempty"`   // REF of the signature form that lists it
	// Refusal is the director's refusal of a rejected request: its line
	// on Form, the date and the reason; nil otherwise.
	Refusal *Refusal `json:"refusal,omitempty"`
}

// Refusal is why and when a request was refused on its signature form.
type Refusal struct {
	Line   int    `json:"line,omitempty"` // on the form; 0 when unknown (a form recorded without its lines)
	Date   string `json:"date,omitempty"` // YYYY-MM-DD, of the decision
	Reason string `json:"reason"`
}

// Person is one row of the list once validated and normalised.
type Person struct {
	Row           int           `json:"row"`
	Status        Status        `json:"status"`
	UID           string        `json:"uid,omitempty"`
	BirthName     string        `json:"-"` // upper-case
	UsageName     string        `json:"-"`
	FirstName     string        `json:"-"`
	Email         string        `json:"-"` // lower-case
	Mobile        string        `json:"-"` // E.164
	Profession    Profession    `json:"profession"`
	Specialty     *Coded        `json:"specialty,omitempty"`
	ID            NationalID    `json:"-"`
	Establishment Establishment `json:"establishment"`
	LoginMode     LoginMode     `json:"login_mode,omitempty"`
	Habilitations []Request     `json:"habilitations"`
	// DuplicateOf is the row this row repeats exactly (DUPLICATE_ROW), 0
	// otherwise: outputs take such a person once, from the first row.
	DuplicateOf int `json:"duplicate_of,omitempty"`
}

// IDKind is the kind of a national professional identifier.
type IDKind string

// Kinds of [NationalID].
const (
	KindRPPS  IDKind = "RPPS"
	KindADELI IDKind = "ADELI"
)

// NationalID is an RPPS or ADELI number. The zero value means none.
type NationalID struct {
	Kind  IDKind
	Value string // 11 digits (RPPS) or 9 characters (ADELI)
}

// IsZero reports whether no identifier was given.
func (id NationalID) IsZero() bool { return id.Value == "" }

// IDNatPS returns the identifier in its idNatPs form: "8" + RPPS or
// "0" + ADELI (TRE_G08), as the account import and LDAP expect.
func (id NationalID) IDNatPS() string {
	switch id.Kind {
	case KindRPPS:
		return "8" + id.Value
	case KindADELI:
		return "0" + id.Value
	}
	return ""
}

// Key returns what identifies the person across runs: the national
// identifier when there is one, else the normalised email.
func (p Person) Key() string {
	if !p.ID.IsZero() {
		return p.ID.IDNatPS()
	}
	return "mail:" + p.Email
}

// nameField describes one name column for messages.
type nameField struct {
	field    Field
	what     string // French, for messages: "Le nom de naissance"
	required bool
	upper    bool
}

// nameFields are checked in this order.
var nameFields = []nameField{
	{FieldBirthName, "Le nom de naissance", true, true},
	{FieldUsageName, "Le nom d'usage", false, true},
	{FieldFirstName, "Le prénom", true, false},
}

// NormaliseName checks a person's name as written and returns it trimmed,
// with inner white space collapsed and accents composed (NFC). Only letters
// of the Latin script (accented or not), spaces, hyphens and apostrophes
// are allowed; the typographic apostrophe becomes "'". The error says what
// is wrong, without repeating the name; a [*ScriptError] names a letter of
// another script (a Cyrillic Р looks like a Latin P).
func NormaliseName(s string) (string, error) {
	s = norm.NFC.String(strings.ReplaceAll(clean(s), "’", "'"))
	if s == "" {
		return "", errors.New("empty name")
	}
	letters := 0
	prevLetter := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r):
			return "", &ScriptError{Letter: r}
		case unicode.IsLetter(r):
			letters++
			prevLetter = true
			continue
		case unicode.Is(unicode.Mn, r) && prevLetter:
			// An accent NFC has no precomposed letter for (n + U+0308):
			// still part of the letter before it.
			continue
		case unicode.IsDigit(r):
			return "", errors.New("digit in name")
		case r == ' ' || r == '-' || r == '\'':
		default:
			return "", errors.New("symbol in name")
		}
		prevLetter = false
	}
	if letters == 0 {
		return "", errors.New("no letter in name")
	}
	return s, nil
}

// ScriptError says that a name holds a letter that is not of the Latin
// script, usually a look-alike typed on another keyboard or pasted.
type ScriptError struct {
	Letter rune
}

func (e *ScriptError) Error() string {
	return fmt.Sprintf("letter %U of the %s script in name", e.Letter, e.script())
}

// script names the script of the letter, in English.
func (e *ScriptError) script() string {
	for _, sc := range []struct {
		name  string
		table *unicode.RangeTable
	}{{"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}, {"Armenian", unicode.Armenian}} {
		if unicode.Is(sc.table, e.Letter) {
			return sc.name
		}
	}
	return "non-Latin"
}

// french names the letter's script for a French message.
func (e *ScriptError) french() string {
	switch e.script() {
	case "Cyrillic":
		return "une lettre cyrillique"
	case "Greek":
		return "une lettre grecque"
	case "Armenian":
		return "une lettre arménienne"
	}
	return "une lettre d'un autre alphabet"
}

// checkNames fills the person's names and reports NAME_MISSING and
// NAME_INVALID.
func checkNames(rc *rowCheck) {
	for _, nf := range nameFields {
		c := rc.row.Get(nf.field)
		if clean(c.Value) == "" {
			if nf.required {
				rc.add(NameMissing, c, nf.what+" est absent.",
					"Renseignez "+strings.ToLower(nf.what[:1])+nf.what[1:]+" de la personne, tel qu'il figure sur sa pièce d'identité.")
			}
			continue
		}
		name, err := NormaliseName(c.Value)
		if se, ok := errors.AsType[*ScriptError](err); ok {
			rc.add(NameInvalid, c,
				nf.what+" contient un caractère qui n'est pas une lettre de l'alphabet latin : « "+string(se.Letter)+
					" » est "+se.french()+", qui ressemble à une lettre latine.",
				"Retapez "+strings.ToLower(nf.what[:1])+nf.what[1:]+" au clavier, en lettres latines, sans le copier-coller.")
			continue
		}
		if err != nil {
			rc.add(NameInvalid, c, nf.what+" contient des chiffres ou des symboles.", "")
			continue
		}
		if nf.upper {
			name = strings.ToUpper(name)
		}
		switch nf.field {
		case FieldBirthName:
			rc.person.BirthName = name
		case FieldUsageName:
			rc.person.UsageName = name
		case FieldFirstName:
			rc.person.FirstName = name
		}
	}
}
