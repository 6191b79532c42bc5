package provision

import (
	"strings"
	"testing"
	"testing/fstest"
)

var loginTests = []struct {
	in   string
	want LoginMode
	ok   bool
}{
	{"CPS", LoginCPS, true}, {"Carte CPS", LoginCPS, true}, {"e-CPS", LoginCPS, true}, {"eCPS", LoginCPS, true},
	{"Pro Santé Connect", LoginCPS, true}, {"carte CPE", LoginCPE, true}, {"CPE", LoginCPE, true},
	{"code SMS", LoginSMS, true}, {"SMS OTP", LoginSMS, true}, {"sms", LoginSMS, true},
	{"Courriel", LoginMail, true}, {"E-mail", LoginMail, true}, {"mail", LoginMail, true},
	{"Code par mail", LoginMail, true}, {"  MAIL ", LoginMail, true},
	{"e-CPS (Pro Santé Connect)", LoginCPS, true}, {"SMS (mobile)", LoginSMS, true}, {"Mail (code)", LoginMail, true},
	{"Carte CPE [badge]", LoginCPE, true}, {"CPS (", LoginCPS, true},
	// A preposition or an article before the mode.
	{"Par SMS", LoginSMS, true}, {"par sms", LoginSMS, true}, {"Via SMS", LoginSMS, true},
	{"Par mail", LoginMail, true}, {"Par courriel", LoginMail, true}, {"Par e-mail", LoginMail, true},
	{"Par Mél", LoginMail, true}, {"Via mail", LoginMail, true},
	{"Carte CPS", LoginCPS, true}, {"Via e-CPS", LoginCPS, true}, {"Par carte CPS", LoginCPS, true},
	{"Par la carte CPS", LoginCPS, true}, {"Avec la carte CPS", LoginCPS, true}, {"Via Pro Santé Connect", LoginCPS, true},
	{"Par carte d'établissement", LoginCPE, true}, {"Avec la carte CPE", LoginCPE, true},
	{"Code envoyé par SMS", LoginSMS, true}, {"Envoi d'un code par SMS", LoginSMS, true},
	{"Code à usage unique par mail", LoginMail, true}, {"Code envoyé par courriel", LoginMail, true},
	// Plurals, upper case, missing accents, extra spaces, other punctuation.
	{"CARTE CPS", LoginCPS, true}, {"carte  e-cps", LoginCPS, true}, {"E CPS", LoginCPS, true},
	{"CPS / e-CPS", LoginCPS, true}, {"Pro Sante Connect", LoginCPS, true}, {"PAR  SMS ", LoginSMS, true},
	{"Codes SMS", LoginSMS, true}, {"Code par Texto", LoginSMS, true}, {"Mel", LoginMail, true},
	{"par e.mail", LoginMail, true}, {"Cartes CPE", LoginCPE, true}, {"carte etablissement", LoginCPE, true},
	{"Par SMS (mobile pro)", LoginSMS, true},
	// Not a mode, or two modes.
	{"Pigeon voyageur", "", false}, {"", "", false}, {"CPS ou SMS", "", false}, {"Par", "", false},
	{"Carte", "", false}, {"Code", "", false}, {"SMS et mail", "", false}, {"Par fax", "", false},
}

func TestLoginMode(t *testing.T) {
	t.Parallel()
	n := mustNomenclature(t)
	for _, tt := range loginTests {
		if got, ok := n.LoginMode(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("LoginMode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// Every variant of the file names its mode.
	for _, d := range n.loginDefs {
		for _, v := range d.Variants {
			if got, ok := n.LoginMode(v); got != d.Mode || !ok {
				t.Errorf("LoginMode(%q) = %q, %v; want %q (templates/login-modes.yaml)", v, got, ok, d.Mode)
			}
		}
	}
}

// TestLoadLoginModesStrict: the login-mode file is decoded strictly.
func TestLoadLoginModesStrict(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "- mode: SMS\n  synonyms: [Texto]\n", "field synonyms not found"},
		{"unknown mode", "- mode: Fax\n  variants: [Télécopie]\n", `unknown mode "Fax"`},
		{"empty variant", "- mode: SMS\n  variants: [\"par\"]\n", "only punctuation or prepositions"},
		{"one key, two modes", "- mode: SMS\n  variants: [Code]\n- mode: Mail\n  variants: [Codes]\n", "listed for SMS and Mail"},
		{"a mode's name for another", "- mode: SMS\n  variants: [Mail]\n", "listed for Mail and SMS"},
	}
	for _, tt := range tests {
		_, _, err := loadLoginModes(fstest.MapFS{"login-modes.yaml": {Data: []byte(tt.yaml)}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("loadLoginModes(%s) = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}
