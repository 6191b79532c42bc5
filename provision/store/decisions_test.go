package store_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
)

// decisionList is a CHU list with three requests to sign (one form of
// three lines) and one without.
func decisionList(t *testing.T, date string) *batch {
	return newBatch(t, date).
		add("Jean", "DUPONT", "10000000001", chu, "CONSULTATION", "COORDONNATEUR_RCP", "ACCES_ETENDU").
		add("Anne", "MARTIN", "10000000002", chu, "ADMIN_3C")
}

// TestSignRefusing checks the line by line decisions: which requests
// become active or rejected, the form's status and count, what the next
// run reports, the errors, and the audit trail.
func TestSignRefusing(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		refused    []int
		wantErr    error
		wantStatus string // of the form
		wantRefuse int
		wantLines  []string // status, line, date and reason of lines 1, 2, 3 at the next run
	}{
		{name: "none refused", wantStatus: store.FormSigned, wantLines: []string{"active", "active", "active"}},
		{name: "line 2 refused", refused: []int{2}, wantStatus: store.FormSigned, wantRefuse: 1,
			wantLines: []string{"active", "rejected 2 2026-01-20 pas de RCP", "active"}},
		{name: "lines 1 and 3 refused", refused: []int{1, 3}, wantStatus: store.FormSigned, wantRefuse: 2,
			wantLines: []string{"rejected 1 2026-01-20 pas de RCP", "active", "rejected 3 2026-01-20 pas de RCP"}},
		{name: "every line refused", refused: []int{1, 2, 3}, wantStatus: store.FormRejected, wantRefuse: 3,
			wantLines: []string{"rejected 1 2026-01-20 pas de RCP", "rejected 2 2026-01-20 pas de RCP", "rejected 3 2026-01-20 pas de RCP"}},
		{name: "line out of range", refused: []int{4}, wantErr: store.ErrNoSuchLine},
		{name: "line zero", refused: []int{0}, wantErr: store.ErrNoSuchLine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, _ := mustOpen(t)
			ctx := t.Context()
			forms, _ := decisionList(t, "2026-01-15").run(st)
			if len(forms) != 1 || forms[0].Requests != 3 {
				t.Fatalf("run 1: forms %+v; want one with 3 requests", forms)
			}
			ref, lines := forms[0].Ref, forms[0].RequestLines()
			err := st.SignRefusing(ctx, ref, store.Decision{Signer: "Dr Directrice", Refused: tt.refused, Reason: "pas de RCP"}, "testeur", day)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SignRefusing(%v) = %v; want %v", tt.refused, err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if f, err := st.Form(ctx, ref); err != nil || f.Status != store.FormPending {
					t.Errorf("Form after a refused decision = %+v, %v; want still pending", f, err)
				}
				return
			}
			f, err := st.Form(ctx, ref)
			if err != nil || f.Status != tt.wantStatus || f.Refused != tt.wantRefuse || f.Signer != "Dr Directrice" {
				t.Errorf("Form = %+v, %v; want %s, %d refused, signed by Dr Directrice", f, err, tt.wantStatus, tt.wantRefuse)
			}

			// The next run: the statuses, the refusals with their line and
			// reason, and no new form for a refused request.
			b := decisionList(t, "2026-01-21")
			forms, _ = b.run(st)
			if len(forms) != 0 {
				t.Errorf("run 2: new forms %v; want none", refs(forms))
			}
			got := map[string]string{}
			for _, p := range b.people {
				for _, r := range p.Habilitations {
					if !r.Signature {
						continue
					}
					s := r.Status
					if r.Refusal != nil {
						s += " " + strings.Join([]string{strconv.Itoa(r.Refusal.Line), r.Refusal.Date, r.Refusal.Reason}, " ")
					}
					got[p.UID+" "+r.Code] = s
				}
			}
			want := map[string]string{}
			for i, l := range lines {
				want[l.UID+" "+l.Code] = tt.wantLines[i]
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("run 2: requests (-want +got):\n%s", diff)
			}
			if n := len(provision.Refusals(b.people)); n != tt.wantRefuse {
				t.Errorf("Refusals() = %d; want %d", n, tt.wantRefuse)
			}

			// One audit entry per refused request and one for the form;
			// the reason (free text) is not in the trail.
			events, err := st.Audit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			refusedEvents, formEvents := 0, 0
			for _, e := range events {
				if strings.Contains(e.Detail, "pas de RCP") {
					t.Errorf("audit %+v: holds the reason", e)
				}
				switch e.Action {
				case "request-refused":
					refusedEvents++
					if !strings.Contains(e.Detail, ref) || strings.Contains(e.Object, "@") {
						t.Errorf("audit %+v: want a uid and the line of %s", e, ref)
					}
				case "form-signed", "form-rejected":
					formEvents++
				}
			}
			if refusedEvents != tt.wantRefuse || formEvents != 1 {
				t.Errorf("audit: %d request-refused, %d form events; want %d and 1", refusedEvents, formEvents, tt.wantRefuse)
			}
		})
	}
}

// TestRefusalAskedAgain checks the rule for a refused line: it stays
// refused while the lists name it; once a list leaves it out, asking again
// is a new request, on a new form.
func TestRefusalAskedAgain(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	ctx := t.Context()
	forms, _ := decisionList(t, "2026-01-15").run(st)
	line := 0
	for _, l := range forms[0].RequestLines() {
		if l.Code == "COORDONNATEUR_RCP" {
			line = l.Line
		}
	}
	if err := st.SignRefusing(ctx, forms[0].Ref, store.Decision{Signer: "Dr D", Refused: []int{line}, Reason: "non"}, "testeur", time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// Still asked: still refused, no form.
	if forms, _ := decisionList(t, "2026-01-17").run(st); len(forms) != 0 {
		t.Fatalf("run asking again without a gap: forms %v; want none", refs(forms))
	}
	// Left out once, then asked again: a new form with that request only.
	newBatch(t, "2026-01-18").
		add("Jean", "DUPONT", "10000000001", chu, "CONSULTATION", "ACCES_ETENDU").
		add("Anne", "MARTIN", "10000000002", chu, "ADMIN_3C").run(st)
	forms, _ = decisionList(t, "2026-01-19").run(st)
	if len(forms) != 1 || forms[0].Requests != 1 || forms[0].Lines[0].Habilitations[0].Code != "COORDONNATEUR_RCP" {
		t.Fatalf("run asking again after leaving it out: forms %+v; want one form with COORDONNATEUR_RCP only", forms)
	}
}

// TestSignRefusingNoModel checks that a form recorded without its lines
// (schema version 1) can be signed or rejected whole, not line by line.
func TestSignRefusingNoModel(t *testing.T) {
	t.Parallel()
	st, path := mustOpen(t)
	forms, _ := decisionList(t, "2026-01-15").run(st)
	mustExec(t, path, "UPDATE forms SET model = ''")
	day := time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)
	if err := st.SignRefusing(t.Context(), forms[0].Ref, store.Decision{Signer: "Dr D", Refused: []int{1}, Reason: "non"}, "testeur", day); !errors.Is(err, store.ErrNoModel) {
		t.Errorf("SignRefusing a form without model = %v; want ErrNoModel", err)
	}
	if err := st.Reject(t.Context(), forms[0].Ref, "non", "testeur", day); err != nil {
		t.Errorf("Reject a form without model = %v", err)
	}
}

// TestMigrateVersion2 opens a store written before the decisions step
// (schema version 2), with a pending form, and signs it with a refused
// line.
func TestMigrateVersion2(t *testing.T) {
	t.Parallel()
	model := `{"ref":"F-OLD","establishment":{"finess":"010000016","name":"CH"},"date":"2026-01-15","digest":"abc","requests":2,` +
		`"lines":[{"uid":"jean.dupont","birth_name":"DUPONT","first_name":"Jean","profession":"","national_id":"","habilitations":[{"code":"ADMIN_3C","label":"A"},{"code":"ACCES_ETENDU","label":"B"}]}]}`
	st := mustOpenVersion(t, 2,
		"INSERT INTO runs VALUES (1, '2026-01-15', 'liste.xlsx', '00', 'x', 1, 1, 0, 1)",
		"INSERT INTO persons VALUES ('810000000001', 'jean.dupont', 1, 1)",
		"INSERT INTO forms (ref, finess, establishment, digest, requests, status, created_run, created_on, model) VALUES ('F-OLD', '010000016', 'CH', 'abc', 2, 'pending', 1, '2026-01-15', '"+model+"')",
		"INSERT INTO requests VALUES ('810000000001', '010000016', 'ADMIN_3C', 'pending-signature', 'F-OLD', 1)",
		"INSERT INTO requests VALUES ('810000000001', '010000016', 'ACCES_ETENDU', 'pending-signature', 'F-OLD', 1)")
	if err := st.SignRefusing(t.Context(), "F-OLD", store.Decision{Signer: "Dr D", Refused: []int{2}, Reason: "non"}, "testeur", time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("SignRefusing on a migrated store = %v", err)
	}
	state, err := st.State(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := state.Requests[provision.RequestKey{Person: "810000000001", FINESS: "010000016", Code: "ACCES_ETENDU"}]
	want := provision.RequestState{Status: provision.RequestRejected, Form: "F-OLD", Line: 2, DecidedOn: "2026-01-16", Reason: "non"}
	if got != want {
		t.Errorf("refused request after migration = %+v; want %+v", got, want)
	}
	if got := state.Requests[provision.RequestKey{Person: "810000000001", FINESS: "010000016", Code: "ADMIN_3C"}]; got.Status != provision.RequestActive || got.Line != 1 {
		t.Errorf("granted request after migration = %+v; want active, line 1", got)
	}
}
