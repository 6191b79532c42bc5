package provision

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loginDef is one mode's entry of templates/login-modes.yaml.
type loginDef struct {
	Mode     LoginMode `yaml:"mode"`
	Variants []string  `yaml:"variants"`
}

// loginModes are the login modes, in the order of the blank template.
var loginModes = []LoginMode{LoginCPS, LoginCPE, LoginSMS, LoginMail}

// loginDropWords are folded away in a login mode besides the articles:
// "Par SMS", "Via e-CPS", "Code à usage unique par mail".
var loginDropWords = append(slices.Clip(articleWords), "par", "via", "avec", "en", "un", "une", "sur", "a")

// loginKey returns the key a login mode is compared by ([matchKey]).
func loginKey(s string) string { return matchKey(s, loginDropWords) }

// loadLoginModes decodes templates/login-modes.yaml strictly into the
// modes by [loginKey], each mode's own name included: an unknown key or
// mode, an empty variant, or two variants of different modes with one key
// is an error.
func loadLoginModes(templates fs.FS) (map[string]LoginMode, []loginDef, error) {
	data, err := fs.ReadFile(templates, "login-modes.yaml")
	if err != nil {
		return nil, nil, fmt.Errorf("reading login modes: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var defs []loginDef
	if err := dec.Decode(&defs); err != nil {
		return nil, nil, fmt.Errorf("decoding login modes: %w", err)
	}
	modes := map[string]LoginMode{}
	for _, m := range loginModes {
		modes[loginKey(string(m))] = m
	}
	for _, d := range defs {
		if !slices.Contains(loginModes, d.Mode) {
			return nil, nil, fmt.Errorf("login modes: unknown mode %q (known: CPS, CPE, SMS, Mail)", d.Mode)
		}
		for _, v := range d.Variants {
			k := loginKey(v)
			if k == "" {
				return nil, nil, fmt.Errorf("login modes: %s: variant %q is only punctuation or prepositions", d.Mode, v)
			}
			if m, dup := modes[k]; dup && m != d.Mode {
				return nil, nil, fmt.Errorf("login modes: %q is listed for %s and %s", v, m, d.Mode)
			}
			modes[k] = d.Mode
		}
	}
	return modes, defs, nil
}

// LoginMode returns the login mode written as s (CPS, CPE, SMS, Mail and
// the variants of templates/login-modes.yaml, compared by [loginKey]). A
// bracketed hint ("e-CPS (Pro Santé Connect)", "SMS (mobile)", "Mail
// [code]") is dropped when the whole text is not a variant, as for headers.
func (n *Nomenclature) LoginMode(s string) (LoginMode, bool) {
	if m, ok := n.logins[loginKey(s)]; ok {
		return m, true
	}
	m, ok := n.logins[loginKey(dropBracketed(s))]
	return m, ok
}

// dropBracketed removes the parts of s between () or [] brackets, and an
// unclosed bracket with what follows it.
func dropBracketed(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '[':
			depth++
		case (r == ')' || r == ']') && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkLogin reads the login-mode column and checks that the person has
// what the mode needs. Problems already reported on the data it needs (an
// invalid phone, email or identifier) are not reported again.
func (v *Validator) checkLogin(rc *rowCheck, mobile Phone) {
	c := rc.row.Get(FieldLoginMode)
	val := clean(c.Value)
	if val == "" {
		rc.add(AuthModeMissing, c, "", "")
		return
	}
	ll := v.logins.get(val, func(s string) loginLookup {
		m, ok := v.nom.LoginMode(s)
		return loginLookup{m, ok}
	})
	mode, ok := ll.mode, ll.ok
	if !ok {
		rc.add(AuthModeUnknown, c, "Le mode de connexion "+quote(val)+" n'est pas reconnu.", "")
		return
	}
	rc.person.LoginMode = mode
	p := &rc.person
	professionKnown := p.Profession.Code != ""
	switch mode {
	case LoginCPS:
		switch {
		case professionKnown && !p.Profession.Health:
			rc.add(AuthModeUnsatisfied, c,
				"La connexion par carte CPS est réservée aux professionnels de santé ; la profession indiquée n'en fait pas partie.",
				"Choisissez la connexion par carte CPE, SMS ou Mail, ou corrigez la profession.")
		case professionKnown && !rc.idGiven:
			rc.add(IDRequired, rc.row.Get(FieldID), "", "")
		}
	case LoginCPE:
		if professionKnown && p.Profession.Health {
			rc.add(AuthModeUnsatisfied, c,
				"La carte CPE est réservée aux personnels non soignants ; un professionnel de santé se connecte avec sa carte CPS (ou e-CPS).",
				"Choisissez la connexion par CPS, SMS ou Mail, ou corrigez la profession.")
		}
	case LoginSMS:
		switch {
		case rc.has(PhoneInvalid):
		case clean(rc.row.Get(FieldMobile).Value) == "":
			rc.add(AuthModeUnsatisfied, c,
				"La connexion par SMS est demandée mais aucun numéro de mobile n'est indiqué.",
				"Indiquez le numéro de mobile professionnel de la personne, ou choisissez un autre mode de connexion.")
		case !mobile.IsMobile():
			rc.add(PhoneNotMobile, rc.row.Get(FieldMobile),
				"La connexion par SMS est demandée mais le numéro "+quote(clean(rc.row.Get(FieldMobile).Value))+" n'est pas un numéro de mobile.", "")
		}
	case LoginMail:
		// SPEC: the code goes to "a nominative, non-generic professional
		// mailbox". A personal webmail is nominative but not professional:
		// elsewhere only a warning, here the account would hang on it.
		switch {
		case rc.emailGeneric:
			rc.add(AuthModeUnsatisfied, c,
				"La connexion par code envoyé par courriel demande une adresse nominative ; l'adresse indiquée est une boîte de service.",
				"Indiquez l'adresse nominative de la personne, ou choisissez un autre mode de connexion.")
		case rc.emailPersonal != "":
			rc.add(AuthModeUnsatisfied, c,
				"La connexion par code envoyé par courriel demande une boîte professionnelle nominative ; "+
					quote(rc.emailPersonal)+" est une messagerie personnelle.",
				"Indiquez l'adresse professionnelle de la personne (boîte de l'établissement ou MSSanté), ou choisissez un autre mode de connexion.")
		}
	}
}
