package provision

import (
	"strings"
	"testing"
)

// TestRunDecisionsPerson checks which requests of a row the corrections
// workbook marks refused, and the French comment it writes.
func TestRunDecisionsPerson(t *testing.T) {
	t.Parallel()
	est := Establishment{FINESS: "010000016", Name: "CH"}
	withID := Person{Status: StatusAccepted, Email: "a@ex.fr", Establishment: est, ID: NationalID{Kind: KindRPPS, Value: "10001045367"},
		Habilitations: []Request{{Code: "ADMIN_3C", Signature: true}, {Code: "CONSULTATION"}, {Code: "ACCES_ETENDU", Signature: true}}}
	refusal := RequestState{Status: RequestRejected, Form: "F-1", Line: 2, DecidedOn: "2026-01-20", Reason: "Non justifié"}
	state := &State{Requests: map[RequestKey]RequestState{
		{Person: withID.Key(), FINESS: est.FINESS, Code: "ADMIN_3C"}:       refusal,
		{Person: withID.Key(), FINESS: est.FINESS, Code: "ACCES_ETENDU"}:   {Status: RequestActive, Form: "F-1"},
		{Person: "mail:b@ex.fr", FINESS: est.FINESS, Code: "ADMIN_3C"}:     refusal, // known by email before
		{Person: withID.Key(), FINESS: "other", Code: "ADMIN_3C"}:          refusal,
		{Person: withID.Key(), FINESS: est.FINESS, Code: "CONSULTATION"}:   {Status: RequestRejected}, // no form: not a refusal
		{Person: "810000000018", FINESS: est.FINESS, Code: "CONSULTATION"}: {Status: RequestActive},   // a known identifier
	}}
	d := newRunDecisions([]Column{{Field: FieldHabilitations, Index: 10}}, state, &Config{Habilitations: []HabilitationDef{{Code: "ADMIN_3C", Label: "Administrateur 3C"}}}, nil)
	if d.habCol != 10 {
		t.Errorf("habCol = %d; want 10", d.habCol)
	}
	rekeyed := withID
	rekeyed.ID, rekeyed.Email = NationalID{Kind: KindRPPS, Value: "19999900004"}, "b@ex.fr"
	rejected := withID
	rejected.Status = StatusRejected
	sharing := withID // the known identifier, with the email another person was listed by
	sharing.ID, sharing.Email = NationalID{Kind: KindRPPS, Value: "10000000018"}, "b@ex.fr"
	otherEst := withID
	otherEst.Establishment = Establishment{FINESS: "010000024"}
	tests := []struct {
		name string
		p    *Person
		want []string
	}{
		{"refused and granted requests", &withID, []string{"ADMIN_3C"}},
		{"known by email before its identifier", &rekeyed, []string{"ADMIN_3C"}},
		{"a known identifier sharing that email", &sharing, nil},
		{"rejected row", &rejected, nil},
		{"another establishment", &otherEst, nil},
		{"no person", nil, nil},
	}
	for _, tt := range tests {
		d.person(tt.p)
		var got []string
		for _, r := range d.row {
			got = append(got, r.code)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || d.rowRefused() != (len(tt.want) > 0) {
			t.Errorf("%s: refused %v; want %v", tt.name, got, tt.want)
		}
	}
	d.person(&withID)
	got := d.refusalComment("Avertissement (X) : y")
	for _, want := range []string{"Avertissement (X) : y\n\nHabilitation refusée : « Administrateur 3C » (formulaire F-1, ligne 2, décision du 20/01/2026).", "\nMotif : Non justifié"} {
		if !strings.Contains(got, want) {
			t.Errorf("refusalComment = %q; want it to hold %q", got, want)
		}
	}
	var none *runDecisions
	none.person(&withID)
	if none.rowRefused() || none.legendStatus(1) != nil || none.legendSheet() != nil {
		t.Errorf("a check's workbook (nil runDecisions) shows decisions")
	}
}
