package provision

import (
	"slices"
	"testing"
)

func TestParseAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Answer
		ok   bool
	}{
		{"", AnswerUnset, true},
		{"  OUI ", AnswerYes, true},
		{"Non", AnswerNo, true},
		{"En  cours", AnswerInProgress, true},
		{"Sans objet", AnswerNotApplicable, true},
		{"S/O", AnswerNotApplicable, true},
		{"n/a", AnswerNotApplicable, true},
		{"prévu", AnswerInProgress, true},
		{"peut-être", AnswerUnset, false},
	} {
		got, ok := ParseAnswer(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseAnswer(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// readyChecklist is a checklist with every item met.
func readyChecklist() Checklist {
	c := Checklist{FINESS: "750000001", Name: "CH Test", RCPCount: 3, RCPInROR: AnswerYes,
		SRI: SRIConnected, CardReaders: AnswerYes, TrainingRoom: AnswerYes,
		Projector: AnswerYes, Computers: AnswerYes, Browser: AnswerYes}
	c.Referent = Contact{Name: "A", Email: "a@ch.fr"}
	c.Promoteur = Contact{Name: "B", Phone: "0102030405"}
	c.DSIO = Contact{Name: "C", Email: "c@ch.fr"}
	return c
}

func TestEvaluateReadiness(t *testing.T) {
	t.Parallel()
	counts := ReadinessCounts{Logo: true, CardUsers: 2, SMSUsers: 1, MailUsers: 1}
	for _, tc := range []struct {
		name   string
		edit   func(*Checklist, *ReadinessCounts)
		status ReadinessStatus
		item   string // the key of the item not ready, if any
		code   Code
	}{
		{"all met", func(*Checklist, *ReadinessCounts) {}, Ready, "", ""},
		{"promoteur unnamed", func(c *Checklist, _ *ReadinessCounts) { c.Promoteur = Contact{} }, Blocking, "promoteur", ContactMissing},
		{"dsio unreachable", func(c *Checklist, _ *ReadinessCounts) { c.DSIO.Email = "" }, ToConfirm, "dsio", ContactMissing},
		{"ror no", func(c *Checklist, _ *ReadinessCounts) { c.RCPInROR = AnswerNo }, Blocking, "ror", RORRCPMissing},
		{"ror in progress", func(c *Checklist, _ *ReadinessCounts) { c.RCPInROR = AnswerInProgress }, ToConfirm, "ror", RORRCPMissing},
		{"ror unset", func(c *Checklist, _ *ReadinessCounts) { c.RCPInROR = AnswerUnset }, ToConfirm, "ror", RORRCPMissing},
		{"identity unset", func(c *Checklist, _ *ReadinessCounts) { c.SRI = "" }, ToConfirm, "identity", IdentityPathMissing},
		{"sri planned", func(c *Checklist, _ *ReadinessCounts) { c.SRI = SRIPlanned }, ToConfirm, "identity", IdentityPathMissing},
		{"sri planned, traits collected", func(c *Checklist, _ *ReadinessCounts) { c.SRI, c.StrictTraits = SRIPlanned, AnswerYes }, Ready, "", ""},
		{"no sri, no traits", func(c *Checklist, _ *ReadinessCounts) { c.SRI, c.StrictTraits = SRINotPossible, AnswerNo }, Blocking, "identity", IdentityPathMissing},
		{"no sri, traits unset", func(c *Checklist, _ *ReadinessCounts) { c.SRI = SRINotPossible }, ToConfirm, "identity", IdentityPathMissing},
		{"logo missing", func(_ *Checklist, n *ReadinessCounts) { n.Logo = false }, Blocking, "logo", LogoMissing},
		{"card readers unconfirmed", func(c *Checklist, _ *ReadinessCounts) { c.CardReaders = AnswerUnset }, ToConfirm, "card_readers", ""},
		{"no card users, readers not asked", func(c *Checklist, n *ReadinessCounts) { c.CardReaders, n.CardUsers = AnswerUnset, 0 }, Ready, "", ""},
		{"sms without mobile", func(_ *Checklist, n *ReadinessCounts) { n.SMSNoMobile = 1 }, Blocking, "sms", ""},
		{"generic mailbox", func(_ *Checklist, n *ReadinessCounts) { n.MailGenericOrPersonal = 1 }, ToConfirm, "mail", ""},
		{"pending signature", func(_ *Checklist, n *ReadinessCounts) {
			n.Pending = []PendingForm{{REF: "F-750000001-0001", Status: "pending", Requests: 2}}
		}, ToConfirm, "signatures", ""},
		{"no training room", func(c *Checklist, _ *ReadinessCounts) { c.TrainingRoom = AnswerNo }, Blocking, "training_room", ""},
		{"projector not applicable", func(c *Checklist, _ *ReadinessCounts) { c.Projector = AnswerNotApplicable }, Ready, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, n := readyChecklist(), counts
			tc.edit(&c, &n)
			r := EvaluateReadiness(c, n)
			if r.Status != tc.status {
				t.Errorf("status = %s; want %s (missing %q)", r.Status, tc.status, r.Missing)
			}
			var notReady []string
			for _, it := range r.Items {
				if it.Status != Ready {
					notReady = append(notReady, it.Key)
					if it.Code != tc.code {
						t.Errorf("item %s code = %q; want %q", it.Key, it.Code, tc.code)
					}
					if it.Note == "" {
						t.Errorf("item %s not ready without a note", it.Key)
					}
				}
			}
			var want []string
			if tc.item != "" {
				want = []string{tc.item}
			}
			if !slices.Equal(notReady, want) {
				t.Errorf("items not ready = %q; want %q", notReady, want)
			}
			if len(r.Missing) != len(notReady) {
				t.Errorf("missing = %q; want one note per item not ready", r.Missing)
			}
		})
	}
}

func TestReadinessCountsObserve(t *testing.T) {
	t.Parallel()
	var n ReadinessCounts
	probs := []Problem{{Row: 4, Code: EmailGeneric}, {Row: 5, Code: EmailInvalid}}
	for _, p := range []Person{
		{Row: 2, LoginMode: LoginCPS},
		{Row: 3, LoginMode: LoginCPE},
		{Row: 4, LoginMode: LoginMail},
		{Row: 5, LoginMode: LoginMail},
		{Row: 6, LoginMode: LoginSMS, Mobile: "+33612345678"},
		{Row: 7, LoginMode: LoginSMS},
		{Row: 8, LoginMode: LoginSMS, DuplicateOf: 7},
	} {
		n.Observe(&p, probs)
	}
	want := ReadinessCounts{ByMode: map[string]int{"CPS": 1, "CPE": 1, "Mail": 2, "SMS": 2},
		CardUsers: 2, SMSUsers: 2, SMSNoMobile: 1, MailUsers: 2, MailGenericOrPersonal: 1}
	if n.CardUsers != want.CardUsers || n.SMSUsers != want.SMSUsers || n.SMSNoMobile != want.SMSNoMobile ||
		n.MailUsers != want.MailUsers || n.MailGenericOrPersonal != want.MailGenericOrPersonal {
		t.Errorf("counts = %+v; want %+v", n, want)
	}
	for m, c := range want.ByMode {
		if n.ByMode[m] != c {
			t.Errorf("ByMode[%s] = %d; want %d", m, n.ByMode[m], c)
		}
	}
}
