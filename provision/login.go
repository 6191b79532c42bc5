package provision

import "strings"

// loginVariants maps the folded ways referents write a login mode to the
// mode. Any other text is AUTH_MODE_UNKNOWN.
var loginVariants = map[string]LoginMode{
	"cps": LoginCPS, "carte cps": LoginCPS, "e cps": LoginCPS, "ecps": LoginCPS,
	"carte e cps": LoginCPS, "cps e cps": LoginCPS, "cps ou e cps": LoginCPS,
	"pro sante connect": LoginCPS, "prosanteconnect": LoginCPS, "psc": LoginCPS,
	"carte professionnelle de sante": LoginCPS, "carte de professionnel de sante": LoginCPS,
	"carte cps e cps": LoginCPS, "cps carte": LoginCPS,

	"cpe": LoginCPE, "carte cpe": LoginCPE, "carte d etablissement": LoginCPE,
	"carte etablissement": LoginCPE, "carte de personnel d etablissement": LoginCPE,
	"carte personnel etablissement": LoginCPE, "carte de professionnel d etablissement": LoginCPE,

	"sms": LoginSMS, "code sms": LoginSMS, "sms otp": LoginSMS, "otp sms": LoginSMS,
	"code par sms": LoginSMS, "texto": LoginSMS, "code texto": LoginSMS, "code par texto": LoginSMS,
	"otp par sms": LoginSMS, "code sms otp": LoginSMS,

	"mail": LoginMail, "e mail": LoginMail, "email": LoginMail, "courriel": LoginMail,
	"code par mail": LoginMail, "code mail": LoginMail, "code par courriel": LoginMail,
	"code courriel": LoginMail, "code par e mail": LoginMail, "code e mail": LoginMail,
	"otp mail": LoginMail, "mail otp": LoginMail, "otp par mail": LoginMail, "code email": LoginMail,
	"code par email": LoginMail, "messagerie": LoginMail,
}

// ParseLoginMode returns the login mode written as s (CPS, CPE, SMS, Mail
// and their variants, compared case-, accent- and punctuation-insensitively).
// A bracketed hint ("e-CPS (Pro Santé Connect)", "SMS (mobile)", "Mail
// [code]") is dropped when the whole text is not a variant, as for headers.
func ParseLoginMode(s string) (LoginMode, bool) {
	if m, ok := loginVariants[fold(s)]; ok {
		return m, true
	}
	m, ok := loginVariants[fold(dropBracketed(s))]
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
		m, ok := ParseLoginMode(s)
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
