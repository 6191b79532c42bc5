package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
)

// readinessBatch is a list of no people with the given readiness.
func readinessBatch(t testing.TB, date string, cl map[string]provision.Checklist, rs ...provision.Readiness) *batch {
	t.Helper()
	b := newBatch(t, date)
	b.readiness, b.checklists = rs, cl
	return b
}

// recordReadiness records a run of no people with the given readiness.
func recordReadiness(t testing.TB, st *store.Store, date string, cl map[string]provision.Checklist, rs ...provision.Readiness) {
	t.Helper()
	readinessBatch(t, date, cl, rs...).run(st)
}

func readiness(finess, name string, s provision.ReadinessStatus, missing ...string) provision.Readiness {
	return provision.Readiness{FINESS: finess, Name: name, Status: s, Missing: append([]string{}, missing...),
		Items: []provision.ReadinessItem{{Key: "logo", Label: "Logo", Status: s}}}
}

func statuses(recs []store.ReadinessRecord) string {
	var b []string
	for _, r := range recs {
		b = append(b, r.FINESS+" "+r.Date+" "+string(r.Status))
	}
	return strings.Join(b, "; ")
}

func TestReadinessLatestAndHistory(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	ctx := t.Context()
	if got, err := st.Readiness(ctx, ""); err != nil || len(got) != 0 {
		t.Fatalf("Readiness() of a new store = %v, %v; want none", got, err)
	}
	cl := map[string]provision.Checklist{"440000172": {FINESS: "440000172", Name: "CHU", Referent: provision.Contact{Name: "Jeanne Martin", Email: "j.martin@chu.example"}}}
	recordReadiness(t, st, "2026-01-15", cl,
		readiness("440000172", "CHU", provision.Blocking, "Logo : absent du dossier des logos"),
		readiness("010000016", "CH", provision.ToConfirm, "Salle : en cours"))
	recordReadiness(t, st, "2026-02-01", nil, readiness("440000172", "CHU", provision.ToConfirm, "Salle : en cours"))
	recordReadiness(t, st, "2026-03-01", nil, readiness("440000172", "CHU Nantes", provision.Ready))

	latest, err := st.Readiness(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// The latest of each establishment, by FINESS: 010000016 was in the first run only.
	if got, want := statuses(latest), "010000016 2026-01-15 to-confirm; 440000172 2026-03-01 ready"; got != want {
		t.Errorf("Readiness() = %s; want %s", got, want)
	}
	if latest[1].Name != "CHU Nantes" || len(latest[1].Readiness.Items) != 1 || latest[1].Checklist != nil {
		t.Errorf("Readiness()[1] = %+v; want the last name, its items and no checklist", latest[1])
	}
	hist, err := st.ReadinessHistory(ctx, "440000172")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(hist), "440000172 2026-01-15 blocking; 440000172 2026-02-01 to-confirm; 440000172 2026-03-01 ready"; got != want {
		t.Errorf("ReadinessHistory(440000172) = %s; want %s", got, want)
	}
	if c := hist[0].Checklist; c == nil || c.Referent.Name != "Jeanne Martin" {
		t.Errorf("ReadinessHistory(440000172)[0].Checklist = %+v; want the referent's checklist", c)
	}
	if !slices.Equal(hist[0].Readiness.Missing, []string{"Logo : absent du dossier des logos"}) {
		t.Errorf("ReadinessHistory(440000172)[0].Missing = %q", hist[0].Readiness.Missing)
	}
	if got, err := st.Readiness(ctx, "999999999"); err != nil || len(got) != 0 {
		t.Errorf("Readiness(unknown FINESS) = %v, %v; want none", got, err)
	}

	// One audit event per change, none for a first status; no personal data.
	events, err := st.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, e := range events {
		if strings.Contains(e.Detail, "Martin") || strings.Contains(e.Detail, "@") || strings.Contains(e.Object, "Martin") {
			t.Errorf("audit event %+v names a contact", e)
		}
		if e.Action == "readiness-changed" {
			changes = append(changes, e.Object+": "+e.Detail)
		}
	}
	if want := []string{"440000172: blocking → to-confirm", "440000172: to-confirm → ready"}; !slices.Equal(changes, want) {
		t.Errorf("readiness-changed events = %q; want %q", changes, want)
	}
}

func TestReadinessRejectsBadRecords(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	for _, rs := range [][]provision.Readiness{
		{readiness("440000172", "CHU", "unknown")},
		{readiness("440000172", "CHU", provision.Ready), readiness("440000172", "CHU", provision.Ready)},
		{readiness("", "", provision.Ready)},
	} {
		if _, _, err := readinessBatch(t, "2026-01-15", nil, rs...).record(st); err == nil {
			t.Errorf("RecordRun(%+v) = nil; want an error", rs)
		}
	}
	// By name only, the store keys it nom:<name>.
	recordReadiness(t, st, "2026-01-15", nil, readiness("", "Clinique", provision.Ready))
	if got, err := st.Readiness(t.Context(), ""); err != nil || statuses(got) != "nom:Clinique 2026-01-15 ready" {
		t.Errorf("Readiness() = %s, %v; want nom:Clinique", statuses(got), err)
	}
}

// TestMigrateVersion4 opens a store of schema version 4: it gains the
// readiness table and keeps its runs.
func TestMigrateVersion4(t *testing.T) {
	t.Parallel()
	st := mustOpenVersion(t, 4, "INSERT INTO runs VALUES (1, '2026-01-15', 'liste.xlsx', '00', 'x', 1, 1, 0, 0)")
	if got, err := st.Readiness(t.Context(), ""); err != nil || len(got) != 0 {
		t.Errorf("Readiness() of a migrated store = %v, %v; want none", got, err)
	}
	recordReadiness(t, st, "2026-02-01", nil, readiness("440000172", "CHU", provision.Blocking))
	got, err := st.ReadinessHistory(t.Context(), "")
	if err != nil || statuses(got) != "440000172 2026-02-01 blocking" || got[0].Run != 2 {
		t.Errorf("ReadinessHistory() after migration = %+v, %v; want run 2 blocking", got, err)
	}
}
