package store_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
)

// query returns the rows of q on the SQLite file at path, each as its
// columns joined by " | " (NULL for a null).
func query(t *testing.T, path, q string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		s := make([]string, len(vals))
		for i, v := range vals {
			s[i] = "NULL"
			if v.Valid {
				s[i] = v.String
			}
		}
		out = append(out, strings.Join(s, " | "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func requestsOf(t *testing.T, st *store.Store) map[provision.RequestKey]provision.RequestState {
	t.Helper()
	state, err := st.State(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return state.Requests
}

// TestMigrateVersion7Requests opens a store of schema version 7, where
// every request was a row of requests, and checks that the active
// requests on no form became their establishment row's codes, that the
// others stayed rows, and that the store's requests are, one for one, what
// they were.
func TestMigrateVersion7Requests(t *testing.T) {
	t.Parallel()
	const p1, p2, chuF, cliF = "810000000001", "810000000002", "010000016", "010000024"
	st, path := mustOpenVersionPath(t, 7,
		"INSERT INTO runs VALUES (1, '2026-01-15', 'liste.xlsx', '00', 'x', 3, 3, 0, 1)",
		"INSERT INTO persons VALUES ('"+p1+"', 'jean.dupont', 1, 1), ('"+p2+"', 'anne.martin', 1, 1)",
		"INSERT INTO forms (ref, finess, establishment, digest, requests, status, created_run, created_on) VALUES ('F-OLD', '"+chuF+"', 'CH', 'abc', 2, 'signed', 1, '2026-01-15')",
		"INSERT INTO person_establishments (person, finess, name, last_run, person_name) VALUES ('"+p1+"', '"+chuF+"', 'CH', 1, 'DUPONT Jean'), ('"+p1+"', '"+cliF+"', 'Clinique', 1, 'DUPONT Jean'), ('"+p2+"', '"+chuF+"', 'CH', 1, 'MARTIN Anne')",
		"INSERT INTO requests (person, finess, habilitation, status, form, last_run) VALUES "+
			"('"+p1+"', '"+chuF+"', 'PARTICIPANT_RCP', 'active', NULL, 1), "+
			"('"+p1+"', '"+chuF+"', 'CONSULTATION', 'active', NULL, 1), "+
			"('"+p1+"', '"+chuF+"', 'ADMIN_3C', 'active', 'F-OLD', 1), "+
			"('"+p1+"', '"+cliF+"', 'CONSULTATION', 'active', NULL, 1), "+
			"('"+p2+"', '"+chuF+"', 'ACCES_ETENDU', 'rejected', 'F-OLD', 1), "+
			// No establishment row names it (no run writes such a
			// request): it stays a row.
			"('"+p2+"', '"+cliF+"', 'CONSULTATION', 'active', NULL, 1)",
		"UPDATE requests SET form_line = 2, decided_on = '2026-01-16', decision_reason = 'non' WHERE habilitation = 'ACCES_ETENDU'")
	active := provision.RequestState{Status: provision.RequestActive}
	want := map[provision.RequestKey]provision.RequestState{
		{Person: p1, FINESS: chuF, Code: "PARTICIPANT_RCP"}: active,
		{Person: p1, FINESS: chuF, Code: "CONSULTATION"}:    active,
		{Person: p1, FINESS: chuF, Code: "ADMIN_3C"}:        {Status: provision.RequestActive, Form: "F-OLD"},
		{Person: p1, FINESS: cliF, Code: "CONSULTATION"}:    active,
		{Person: p2, FINESS: chuF, Code: "ACCES_ETENDU"}:    {Status: provision.RequestRejected, Form: "F-OLD", Line: 2, DecidedOn: "2026-01-16", Reason: "non"},
		{Person: p2, FINESS: cliF, Code: "CONSULTATION"}:    active,
	}
	if diff := cmp.Diff(want, requestsOf(t, st)); diff != "" {
		t.Errorf("requests after migration (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		p1 + " | " + chuF + " | ADMIN_3C",
		p2 + " | " + chuF + " | ACCES_ETENDU",
		p2 + " | " + cliF + " | CONSULTATION",
	}, query(t, path, "SELECT person, finess, habilitation FROM requests ORDER BY person, finess, habilitation")); diff != "" {
		t.Errorf("rows of requests after migration (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		p1 + " | " + chuF + ` | ["CONSULTATION","PARTICIPANT_RCP"]`,
		p1 + " | " + cliF + ` | ["CONSULTATION"]`,
		p2 + " | " + chuF + " | []",
	}, query(t, path, "SELECT person, finess, requests FROM person_establishments ORDER BY person, finess")); diff != "" {
		t.Errorf("codes of person_establishments after migration (-want +got):\n%s", diff)
	}
}

// TestPlainRequests follows active requests on no form across runs: a
// person listed twice in one establishment keeps both rows' requests, a
// request the list no longer asks for is kept (as a row of requests was),
// and a request that was on a form and no longer needs a signature leaves
// the table of requests.
func TestPlainRequests(t *testing.T) {
	t.Parallel()
	st, path := mustOpen(t)
	const rpps = "10000000001"
	key := func(fin, code string) provision.RequestKey {
		return provision.RequestKey{Person: provision.NationalID{Kind: provision.KindRPPS, Value: rpps}.IDNatPS(), FINESS: fin, Code: code}
	}
	active := provision.RequestState{Status: provision.RequestActive}

	// Listed twice at the CHU, with a request on each row; once at the
	// clinic, with one to sign.
	forms, _ := newBatch(t, "2026-01-15").
		add("Jean", "DUPONT", rpps, chu, "PARTICIPANT_RCP").
		add("Jean", "DUPONT", rpps, chu, "CONSULTATION").
		add("Jean", "DUPONT", rpps, clinique, "CONSULTATION", "ACCES_ETENDU").run(st)
	if len(forms) != 1 {
		t.Fatalf("first run: %d forms; want 1", len(forms))
	}
	want := map[provision.RequestKey]provision.RequestState{
		key(chu.FINESS, "PARTICIPANT_RCP"):   active,
		key(chu.FINESS, "CONSULTATION"):      active,
		key(clinique.FINESS, "CONSULTATION"): active,
		key(clinique.FINESS, "ACCES_ETENDU"): {Status: provision.RequestPendingSignature, Form: forms[0].Ref},
	}
	if diff := cmp.Diff(want, requestsOf(t, st)); diff != "" {
		t.Errorf("requests after the first run (-want +got):\n%s", diff)
	}
	if got := query(t, path, "SELECT habilitation FROM requests"); !cmp.Equal(got, []string{"ACCES_ETENDU"}) {
		t.Errorf("rows of requests after the first run = %q; want the request to sign only", got)
	}

	// No longer asked for PARTICIPANT_RCP; ACCES_ETENDU needs no signature
	// any more (the catalogue changed).
	b := newBatch(t, "2026-01-16")
	for i := range b.cfg.Habilitations {
		if b.cfg.Habilitations[i].Code == "ACCES_ETENDU" {
			b.cfg.Habilitations[i].Signature = false
		}
	}
	b.add("Jean", "DUPONT", rpps, chu, "CONSULTATION").
		add("Jean", "DUPONT", rpps, clinique, "CONSULTATION", "ACCES_ETENDU")
	if forms, _ := b.run(st); len(forms) != 0 {
		t.Fatalf("second run: forms %v; want none", refs(forms))
	}
	want[key(clinique.FINESS, "ACCES_ETENDU")] = active
	if diff := cmp.Diff(want, requestsOf(t, st)); diff != "" {
		t.Errorf("requests after the second run (-want +got):\n%s", diff)
	}
	if got := query(t, path, "SELECT habilitation FROM requests"); len(got) != 0 {
		t.Errorf("rows of requests after the second run = %q; want none", got)
	}
	if diff := cmp.Diff([]string{
		chu.FINESS + ` | ["CONSULTATION","PARTICIPANT_RCP"] | 2`,
		clinique.FINESS + ` | ["ACCES_ETENDU","CONSULTATION"] | 2`,
	}, query(t, path, "SELECT finess, requests, last_run FROM person_establishments ORDER BY finess")); diff != "" {
		t.Errorf("person_establishments after the second run (-want +got):\n%s", diff)
	}
	// The view lists every request once.
	if got := query(t, path, "SELECT count(*), count(DISTINCT person || finess || habilitation) FROM all_requests"); !cmp.Equal(got, []string{"4 | 4"}) {
		t.Errorf("all_requests: %q; want 4 distinct requests", got)
	}
}
