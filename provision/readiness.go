package provision

import (
	"fmt"
	"slices"
	"strings"
)

// The readiness of an establishment (issue 14, SPEC "Readiness"): the
// deployment prerequisites that the referent states in the sheet
// « Établissements » ([Checklist]) and those dccprov counts from the staff
// list while streaming ([ReadinessCounts]), evaluated by [EvaluateReadiness].

// Answer is a drop-down value of the checklist: « oui », « non »,
// « en cours », « sans objet », or empty when not said.
type Answer string

// The answers of the checklist drop-downs.
const (
	AnswerUnset         Answer = ""
	AnswerYes           Answer = "oui"
	AnswerNo            Answer = "non"
	AnswerInProgress    Answer = "en cours"
	AnswerNotApplicable Answer = "sans objet"
)

// Answers lists the drop-down values, in the template's order.
var Answers = []Answer{AnswerYes, AnswerNo, AnswerInProgress, AnswerNotApplicable}

// The SRI (regional identity server) status values of the checklist.
const (
	SRIConnected   = "connecté"
	SRIPlanned     = "connexion prévue"
	SRINotPossible = "connexion impossible à court terme"
)

// SRIStatuses lists the SRI drop-down values, in the template's order.
var SRIStatuses = []string{SRIConnected, SRIPlanned, SRINotPossible}

// ParseAnswer reads a checklist cell: case-, accent- and space-insensitive,
// with the usual variants. ok is false for a value that is no answer.
func ParseAnswer(s string) (a Answer, ok bool) {
	switch strings.ToLower(fold(s)) {
	case "":
		return AnswerUnset, true
	case "oui", "o", "yes", "x", "fait":
		return AnswerYes, true
	case "non", "n", "no":
		return AnswerNo, true
	case "en cours", "encours", "en attente", "prevu":
		return AnswerInProgress, true
	case "sans objet", "so", "s o", "na", "n a", "non applicable":
		return AnswerNotApplicable, true
	}
	return AnswerUnset, false
}

// Contact is one person of the checklist: the 3C referent, the promoteur or
// the DSIO contact.
type Contact struct {
	Name, Email, Phone string
}

// Checklist is what the referent says of one establishment (one row of the
// sheet « Établissements » or « Prérequis »).
type Checklist struct {
	FINESS, Name string

	Referent, Promoteur, DSIO Contact

	RCPCount int    // number of RCP of the establishment
	RCPInROR Answer // every RCP described in the ROR
	SRI      string // one of SRIStatuses, or empty
	// StrictTraits: the five strict identity traits are collected upstream
	// (needed when identities are created manually).
	StrictTraits Answer

	CardReaders Answer // card readers installed on the CPS/CPE workstations
	TrainingRoom,
	Projector,
	Computers,
	Browser Answer
	Date string // the date the referent last updated the row (AAAA-MM-JJ)
}

// ReadinessCounts is what dccprov infers of one establishment from the staff
// list. Its size does not grow with the rows: counters only, and the pending
// forms (one per form, not per person).
type ReadinessCounts struct {
	ByMode                map[string]int `json:"by_mode"`    // persons by login mode
	CardUsers             int            `json:"card_users"` // CPS/CPE users: workstations needing a card reader
	SMSUsers              int            `json:"sms_users"`
	SMSNoMobile           int            `json:"sms_no_mobile"`
	MailUsers             int            `json:"mail_users"`
	MailGenericOrPersonal int            `json:"mail_generic_or_personal"`
	Pending               []PendingForm  `json:"pending_forms"` // habilitations awaiting signature
	Logo                  bool           `json:"logo"`          // a logo is present in logos/
}

// PendingForm is a signature form of the establishment not yet decided.
type PendingForm struct {
	REF      string `json:"ref"`
	Status   string `json:"status"` // « à signer » (made by this run) or « en attente »
	Requests int    `json:"requests"`
}

// ReadinessStatus is the overall status of an establishment.
type ReadinessStatus string

// The readiness statuses, from best to worst.
const (
	Ready     ReadinessStatus = "ready"
	ToConfirm ReadinessStatus = "to-confirm"
	Blocking  ReadinessStatus = "blocking"
)

func (s ReadinessStatus) rank() int {
	switch s {
	case Blocking:
		return 2
	case ToConfirm:
		return 1
	}
	return 0
}

// ReadinessItem is one line of the checklist with its traffic light.
type ReadinessItem struct {
	Key    string          `json:"key"`
	Label  string          `json:"label"` // French, for the referent
	Status ReadinessStatus `json:"status"`
	Note   string          `json:"note,omitempty"` // what is missing, French
	Code   Code            `json:"code,omitempty"` // the warning raised, if any
}

// Readiness is the evaluation of one establishment.
type Readiness struct {
	FINESS  string          `json:"finess"`
	Name    string          `json:"name"`
	Status  ReadinessStatus `json:"status"`
	Items   []ReadinessItem `json:"items"`
	Missing []string        `json:"missing"` // the notes of the items not ready
	// Counts are what dccprov inferred from the list (Part B, issue 14).
	Counts ReadinessCounts `json:"counts"`
}

// EvaluateReadiness gives the status of one establishment: the worst of its
// items. An item said « non » (or a count that shows a gap) is blocking; an
// item not said or « en cours » is to confirm.
func EvaluateReadiness(c Checklist, n ReadinessCounts) Readiness {
	r := Readiness{FINESS: c.FINESS, Name: c.Name, Status: Ready, Missing: []string{}, Counts: n}
	if r.Counts.ByMode == nil {
		r.Counts.ByMode = map[string]int{}
	}
	if r.Counts.Pending == nil {
		r.Counts.Pending = []PendingForm{}
	}
	add := func(it ReadinessItem) {
		r.Items = append(r.Items, it)
		if it.Status.rank() > r.Status.rank() {
			r.Status = it.Status
		}
		if it.Status != Ready {
			r.Missing = append(r.Missing, it.Note)
		}
	}
	for _, p := range []struct {
		key, label string
		c          Contact
	}{
		{"referent", "Référent 3C", c.Referent},
		{"promoteur", "Promoteur", c.Promoteur},
		{"dsio", "Contact DSIO", c.DSIO},
	} {
		it := ReadinessItem{Key: p.key, Label: p.label, Status: Ready}
		switch {
		case strings.TrimSpace(p.c.Name) == "":
			it.Status, it.Code, it.Note = Blocking, ContactMissing, p.label+" : nom non renseigné"
		case strings.TrimSpace(p.c.Email) == "" && strings.TrimSpace(p.c.Phone) == "":
			it.Status, it.Code, it.Note = ToConfirm, ContactMissing, p.label+" : ni courriel ni téléphone"
		}
		add(it)
	}
	add(answerItem("ror", "RCP décrites dans le ROR", c.RCPInROR, RORRCPMissing))

	id := ReadinessItem{Key: "identity", Label: "Identités patients", Status: Ready}
	switch {
	case c.SRI == SRIConnected:
	case c.StrictTraits == AnswerYes:
		// manual creation with the five strict traits collected upstream
	case c.SRI == "" && c.StrictTraits == AnswerUnset:
		id.Status, id.Code, id.Note = ToConfirm, IdentityPathMissing, "Identités patients : statut SRI et traits stricts non renseignés"
	case c.SRI == SRIPlanned:
		id.Status, id.Code, id.Note = ToConfirm, IdentityPathMissing, "Identités patients : connexion SRI prévue, traits stricts non confirmés"
	case c.StrictTraits == AnswerNo:
		id.Status, id.Code, id.Note = Blocking, IdentityPathMissing, "Identités patients : ni SRI ni recueil des cinq traits stricts"
	default:
		id.Status, id.Code, id.Note = ToConfirm, IdentityPathMissing, "Identités patients : recueil des cinq traits stricts à confirmer"
	}
	add(id)

	logo := ReadinessItem{Key: "logo", Label: "Logo de l'établissement", Status: Ready}
	if !n.Logo {
		logo.Status, logo.Code, logo.Note = Blocking, LogoMissing, "Logo : absent du dossier des logos"
	}
	add(logo)

	if n.CardUsers > 0 {
		it := answerItem("card_readers", fmt.Sprintf("Lecteurs de carte (%d utilisateurs CPS/CPE)", n.CardUsers), c.CardReaders, "")
		add(it)
	}
	if n.SMSUsers > 0 {
		it := ReadinessItem{Key: "sms", Label: fmt.Sprintf("Mobiles (%d utilisateurs SMS)", n.SMSUsers), Status: Ready}
		if n.SMSNoMobile > 0 {
			it.Status, it.Note = Blocking, fmt.Sprintf("SMS : %d personne(s) sans numéro de mobile", n.SMSNoMobile)
		}
		add(it)
	}
	if n.MailUsers > 0 {
		it := ReadinessItem{Key: "mail", Label: fmt.Sprintf("Boîtes de service (%d utilisateurs Mail)", n.MailUsers), Status: Ready}
		if n.MailGenericOrPersonal > 0 {
			it.Status, it.Note = ToConfirm, fmt.Sprintf("Mail : %d adresse(s) générique(s) ou personnelle(s)", n.MailGenericOrPersonal)
		}
		add(it)
	}
	if len(n.Pending) > 0 {
		refs := make([]string, len(n.Pending))
		for i, f := range n.Pending {
			refs[i] = f.REF + " (" + f.Status + ")"
		}
		add(ReadinessItem{Key: "signatures", Label: "Habilitations à signer", Status: ToConfirm,
			Note: "Habilitations en attente de signature : " + strings.Join(refs, ", ")})
	}
	add(answerItem("training_room", "Salle de formation (8 personnes)", c.TrainingRoom, ""))
	add(answerItem("projector", "Vidéoprojecteur ou écran", c.Projector, ""))
	add(answerItem("computers", "Postes (1 à 2 personnes par poste)", c.Computers, ""))
	add(answerItem("browser", "Accès internet et navigateur récent (HTML5)", c.Browser, ""))
	return r
}

// answerItem evaluates a drop-down item: « oui » and « sans objet » are
// ready, « non » blocking, « en cours » or nothing to confirm.
func answerItem(key, label string, a Answer, code Code) ReadinessItem {
	it := ReadinessItem{Key: key, Label: label, Status: Ready}
	switch a {
	case AnswerYes, AnswerNotApplicable:
		return it
	case AnswerNo:
		it.Status, it.Note = Blocking, label+" : non"
	case AnswerInProgress:
		it.Status, it.Note = ToConfirm, label+" : en cours"
	default:
		it.Status, it.Note = ToConfirm, label+" : non renseigné"
	}
	it.Code = code
	return it
}

// Observe counts one person of the establishment, with the problems found on
// the person's row (for generic or personal mailboxes). It keeps no personal
// data: counters only, so streaming memory does not grow with the rows.
func (n *ReadinessCounts) Observe(p *Person, problems []Problem) {
	if p.DuplicateOf != 0 {
		return
	}
	if n.ByMode == nil {
		n.ByMode = map[string]int{}
	}
	n.ByMode[string(p.LoginMode)]++
	switch p.LoginMode {
	case LoginCPS, LoginCPE:
		n.CardUsers++
	case LoginSMS:
		n.SMSUsers++
		if p.Mobile == "" {
			n.SMSNoMobile++
		}
	case LoginMail:
		n.MailUsers++
		if slices.ContainsFunc(problems, func(q Problem) bool {
			return q.Row == p.Row && (q.Code == EmailGeneric || q.Code == EmailPersonal)
		}) {
			n.MailGenericOrPersonal++
		}
	}
}
