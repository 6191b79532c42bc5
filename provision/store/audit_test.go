package store_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dccprov/dccprov/provision/store"
)

// trail returns the audit trail as "id action object detail" lines.
func trail(t *testing.T, st *store.Store) []string {
	t.Helper()
	events, err := st.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range events {
		lines = append(lines, fmt.Sprintf("%d %s %s %s %s", e.ID, e.Time[:10], e.Action, e.Object, e.Detail))
	}
	return lines
}

// TestAuditPacked checks the trail of two runs and an event between them,
// event by event: the events a run records row by row, which the store
// packs (schema step 6), come back under consecutive ids in the list's
// order, between the run's other events, as they did when each was a row.
func TestAuditPacked(t *testing.T) {
	st, _ := mustOpen(t)
	b1 := newBatch(t, "2026-01-15").
		add("Jean", "DUPONT", "10000000004", chu, "CONSULTATION", "ADMIN_3C").
		add("Marie", "MARTIN", rppsFor(7), clinique, "CONSULTATION")
	forms1, _ := b1.run(st)
	if err := st.AddEvents(t.Context(), b1.cfg.Date, "testeur", []store.Event{{Action: "ldap.add", Object: "uid=x", Detail: "ok"}}); err != nil {
		t.Fatal(err)
	}
	// The second run: Marie leaves, Paul comes, Jean asks for one more.
	b2 := newBatch(t, "2026-01-16").
		add("Jean", "DUPONT", "10000000004", chu, "CONSULTATION", "ADMIN_3C", "ACCES_ETENDU").
		add("Paul", "BERNARD", rppsFor(9), clinique, "CONSULTATION")
	forms2, _ := b2.run(st)
	jean, marie, paul := b1.people[0].UID, b1.people[1].UID, b2.people[1].UID
	if len(forms1) != 1 || len(forms2) != 1 {
		t.Fatalf("forms %v, then %v; want one each (ADMIN_3C, then ACCES_ETENDU)", refs(forms1), refs(forms2))
	}
	f1, f2 := forms1[0].Ref, forms2[0].Ref
	want := []string{
		"1 2026-01-15 run liste.xlsx read 2, accepted 2, rejected 0, forms 1",
		"2 2026-01-15 form-created " + f1 + " FINESS 010000016, 1 requests, digest " + forms1[0].Digest,
		"3 2026-01-15 person-added " + jean + " row 2",
		"4 2026-01-15 request-added " + jean + " 010000016 CONSULTATION active",
		"5 2026-01-15 request-added " + jean + " 010000016 ADMIN_3C pending-signature on " + f1,
		"6 2026-01-15 person-added " + marie + " row 3",
		"7 2026-01-15 request-added " + marie + " 010000024 CONSULTATION active",
		"8 2026-01-15 ldap.add uid=x ok",
		"9 2026-01-16 run liste.xlsx read 2, accepted 2, rejected 0, forms 1",
		"10 2026-01-16 form-created " + f2 + " FINESS 010000016, 1 requests, digest " + forms2[0].Digest,
		"11 2026-01-16 request-added " + jean + " 010000016 ACCES_ETENDU pending-signature on " + f2,
		"12 2026-01-16 person-added " + paul + " row 3",
		"13 2026-01-16 request-added " + paul + " 010000024 CONSULTATION active",
		"14 2026-01-16 person-absent " + marie + " FINESS 010000024: not in the list",
	}
	if diff := cmp.Diff(want, trail(t, st)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
}

// TestAuditPackedChunks records a run of more events than one packed row
// holds, after a store of schema version 5 whose trail has rows of its
// own: the trail keeps those, then lists the run's events under
// consecutive ids in the list's order, written as a few rows.
func TestAuditPackedChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dccprov.db")
	mustExec(t, path, slices.Concat(store.Migrations[:5], []string{"PRAGMA user_version = 5",
		`INSERT INTO audit (time, operator, action, object, detail) VALUES
			('2026-01-01T00:00:00Z', 'ancien', 'form-signed', 'F-1', 'by someone'),
			('2026-01-02T00:00:00Z', 'ancien', 'ldap.add', 'uid=y', 'ok')`})...)
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n = 10_000 // two events each: more than a packed row holds
	b := newBatch(t, "2026-01-15")
	for i := range n {
		b.add(fmt.Sprintf("Prenom%d", i), fmt.Sprintf("NOM%d", i), rppsFor(i), chu, "CONSULTATION")
	}
	b.run(st)
	lines := trail(t, st)
	if len(lines) != 2+1+2*n {
		t.Fatalf("%d events; want %d", len(lines), 2+1+2*n)
	}
	if lines[0] != "1 2026-01-01 form-signed F-1 by someone" || lines[1] != "2 2026-01-02 ldap.add uid=y ok" ||
		!strings.HasPrefix(lines[2], "3 2026-01-15 run liste.xlsx ") {
		t.Errorf("trail begins %q", lines[:3])
	}
	for i, p := range b.people {
		id := 4 + 2*i
		if want := fmt.Sprintf("%d 2026-01-15 person-added %s row %d", id, p.UID, p.Row); lines[id-1] != want {
			t.Fatalf("event %d = %q; want %q", id, lines[id-1], want)
		}
		if want := fmt.Sprintf("%d 2026-01-15 request-added %s 010000016 CONSULTATION active", id+1, p.UID); lines[id] != want {
			t.Fatalf("event %d = %q; want %q", id+1, lines[id], want)
		}
	}
	// The next event follows the packed ones.
	if err := st.AddEvents(t.Context(), b.cfg.Date, "testeur", []store.Event{{Action: "ldap.add", Object: "uid=z", Detail: "ok"}}); err != nil {
		t.Fatal(err)
	}
	if lines = trail(t, st); lines[len(lines)-1] != fmt.Sprintf("%d 2026-01-15 ldap.add uid=z ok", 3+2*n+1) {
		t.Errorf("last event %q", lines[len(lines)-1])
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, packed int
	if err := db.QueryRow("SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM audit_packed)").Scan(&rows, &packed); err != nil {
		t.Fatal(err)
	}
	if want := (2*n + store.ChunkRows - 1) / store.ChunkRows; packed != want || rows != 2+1+packed+1 {
		t.Errorf("%d audit rows, %d packed; want %d and %d", rows, packed, 2+1+want+1, want)
	}
}

// TestRequestsFormIndex checks that the decisions' lookup of a form's
// requests uses the index of requests by form, which holds only the
// requests on a form (schema step 7).
func TestRequestsFormIndex(t *testing.T) {
	st, path := mustOpen(t)
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("EXPLAIN QUERY PLAN UPDATE requests SET status = 'active' WHERE form = ?", "F-1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) != 1 || !strings.Contains(plan[0], "USING INDEX requests_form") {
		t.Errorf("plan of the lookup by form: %q; want a search using requests_form", plan)
	}
	var def string
	if err := db.QueryRow("SELECT sql FROM sqlite_schema WHERE name = 'requests_form'").Scan(&def); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(def, "WHERE form IS NOT NULL") {
		t.Errorf("requests_form is %q; want it partial, WHERE form IS NOT NULL", def)
	}
}
