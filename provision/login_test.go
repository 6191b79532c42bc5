package provision

import "testing"

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
	{"Pigeon voyageur", "", false}, {"", "", false}, {"CPS ou SMS", "", false},
}

func TestParseLoginMode(t *testing.T) {
	t.Parallel()
	for _, tt := range loginTests {
		if got, ok := ParseLoginMode(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParseLoginMode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
