package store_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
	"github.com/dccprov/dccprov/templates"
)

// mustOpen opens a new store in a temporary folder, closed at the end of the test.
func mustOpen(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dccprov.db")
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("store.Open(%s) = %v", path, err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// mustExec runs queries, in order, on the SQLite file at path, beside the
// store: to write an older schema, or rows the store would not write.
func mustExec(t testing.TB, path string, queries ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range queries {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// mustOpenVersion writes a store of schema version v (its first v
// migrations) with the rows queries insert, then opens it with
// [store.Open], which migrates it; it is closed at the end of the test.
func mustOpenVersion(t testing.TB, v int, queries ...string) *store.Store {
	t.Helper()
	st, _ := mustOpenVersionPath(t, v, queries...)
	return st
}

// mustOpenVersionPath is mustOpenVersion, and returns the store's path.
func mustOpenVersionPath(t testing.TB, v int, queries ...string) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dccprov.db")
	mustExec(t, path, slices.Concat(store.Migrations[:v], []string{fmt.Sprintf("PRAGMA user_version = %d", v)}, queries)...)
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("store.Open(version %d) = %v", v, err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func TestOpen(t *testing.T) {
	t.Parallel()
	st, path := mustOpen(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("store.Open: mode %v; want 0600", fi.Mode().Perm())
	}
	st.Close()
	// Opening again migrates nothing and keeps the data.
	st2, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("store.Open again = %v", err)
	}
	defer st2.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	var mode string
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if v != len(store.Migrations) || mode != "wal" {
		t.Errorf("store: user_version %d, journal_mode %s; want %d, wal", v, mode, len(store.Migrations))
	}
}

func TestOpenNewerSchema(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "dccprov.db")
	mustExec(t, path, "PRAGMA user_version = 99")
	if st, err := store.Open(t.Context(), path); err == nil || !strings.Contains(err.Error(), "newer") {
		if st != nil {
			st.Close()
		}
		t.Errorf("store.Open(version 99) = %v; want a 'newer' error", err)
	}
}

func TestOpenNoFolder(t *testing.T) {
	t.Parallel()
	if _, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "no", "such", "dccprov.db")); err == nil {
		t.Errorf("store.Open in a missing folder = nil; want an error")
	}
}

// batch is a staff list in the making, with the embedded catalogue, and
// the readiness of its establishments.
type batch struct {
	t          testing.TB
	cfg        *provision.Config
	people     []provision.Person
	readiness  []provision.Readiness
	checklists map[string]provision.Checklist
}

func newBatch(t testing.TB, date string) *batch {
	t.Helper()
	defs, err := provision.DefaultHabilitations(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	return &batch{t: t, cfg: &provision.Config{Habilitations: defs, Templates: templates.FS, Date: d, Operator: "testeur"}}
}

var (
	chu      = provision.Establishment{FINESS: "010000016", Name: "Centre hospitalier Exemple"}
	clinique = provision.Establishment{FINESS: "010000024", Name: "Clinique Exemple"}
	medecin  = provision.Profession{Code: "10", Label: "Médecin", Health: true}
)

// add appends an accepted row.
func (b *batch) add(first, birth, rpps string, est provision.Establishment, codes ...string) *batch {
	p := provision.Person{Row: len(b.people) + 2, Status: provision.StatusAccepted, FirstName: first, BirthName: birth,
		Email: strings.ToLower(first+"."+birth) + "@exemple.fr", Establishment: est, Profession: medecin,
		ID: provision.NationalID{Kind: provision.KindRPPS, Value: rpps}}
	for _, c := range codes {
		for _, d := range b.cfg.Habilitations {
			if d.Code == c {
				p.Habilitations = append(p.Habilitations, provision.Request{Code: d.Code, Label: d.Label, Signature: d.Signature})
			}
		}
	}
	b.people = append(b.people, p)
	return b
}

// run does what `dccprov run` does with the store and returns the new
// forms and the absent people.
func (b *batch) run(st *store.Store) ([]provision.Form, []provision.Absence) {
	b.t.Helper()
	forms, absent, err := b.record(st)
	if err != nil {
		b.t.Fatal(err)
	}
	return forms, absent
}

// record is run without the test's failure: it returns the error of the
// first step that fails, after rolling back.
func (b *batch) record(st *store.Store) ([]provision.Form, []provision.Absence, error) {
	ctx := b.t.Context()
	tx, err := st.BeginRun(ctx, b.cfg.Date, b.cfg.Operator)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	known, err := tx.Logins(ctx)
	if err != nil {
		return nil, nil, err
	}
	adopted := provision.AdoptedKeys(b.people, known)
	provision.AssignUIDs(b.people, known)
	state, err := tx.State(ctx)
	if err != nil {
		return nil, nil, err
	}
	forms := provision.PlanForms(b.people, state, b.cfg)
	absent, err := tx.RecordRun(ctx, provision.RunRecord{
		Input:      provision.Input{File: "/tmp/x/liste.xlsx", SHA256: "00ff"},
		Rows:       provision.Counts{Read: len(b.people), Accepted: len(b.people)},
		Date:       b.cfg.Date,
		Operator:   b.cfg.Operator,
		People:     b.people,
		Forms:      forms,
		Rekeyed:    adopted,
		Readiness:  b.readiness,
		Checklists: b.checklists,
	})
	if err != nil {
		return nil, nil, err
	}
	return forms, absent, tx.Commit()
}

// status returns "STATUS FORM" of each request, as "uid CODE".
func (b *batch) status() map[string]string {
	m := map[string]string{}
	for _, p := range b.people {
		for _, r := range p.Habilitations {
			m[p.UID+" "+p.Establishment.FINESS+" "+r.Code] = r.Status + " " + r.Form
		}
	}
	return m
}

func refs(forms []provision.Form) []string {
	var r []string
	for _, f := range forms {
		r = append(r, f.Ref)
	}
	return r
}

// TestSignatureLoop walks the whole loop: a list, its forms, a signature,
// the same list again, a person added and one removed, a refusal.
func TestSignatureLoop(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	ctx := t.Context()
	list := func(date string) *batch {
		return newBatch(t, date).
			add("Jean", "DUPONT", "10000000001", chu, "CONSULTATION", "COORDONNATEUR_RCP").
			add("Anne", "MARTIN", "10000000002", chu, "ADMIN_3C").
			add("Paul", "DURAND", "10000000003", clinique, "ACCES_ETENDU")
	}

	// 1. First run: one form per establishment.
	b1 := list("2026-01-15")
	forms, absent := b1.run(st)
	if len(forms) != 2 || len(absent) != 0 {
		t.Fatalf("run 1: forms %v, absent %v; want 2 forms, nobody absent", refs(forms), absent)
	}
	chuForm, cliForm := forms[0], forms[1]
	if chuForm.Establishment.FINESS != chu.FINESS || chuForm.Requests != 2 || cliForm.Requests != 1 {
		t.Fatalf("run 1: forms %+v; want CHU (2 requests) then clinique (1)", forms)
	}
	pending, err := st.Forms(ctx, store.FormPending)
	if err != nil || len(pending) != 2 {
		t.Fatalf("Forms(pending) = %d forms, %v; want 2", len(pending), err)
	}

	// 2. The CHU director signs.
	signDate := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	if err := st.Sign(ctx, chuForm.Ref, "Dr Directrice, directrice", "testeur", signDate); err != nil {
		t.Fatalf("Sign(%s) = %v", chuForm.Ref, err)
	}
	f, err := st.Form(ctx, chuForm.Ref)
	if err != nil || f.Status != store.FormSigned || f.Signer != "Dr Directrice, directrice" || f.SignedOn != "2026-01-20" {
		t.Errorf("Form(%s) after Sign = %+v, %v; want signed by Dr Directrice on 2026-01-20", chuForm.Ref, f, err)
	}
	if err := st.Sign(ctx, chuForm.Ref, "X", "testeur", signDate); !errors.Is(err, store.ErrFormClosed) {
		t.Errorf("Sign(%s) twice = %v; want ErrFormClosed", chuForm.Ref, err)
	}
	if err := st.Reject(ctx, "F-NOPE", "x", "testeur", signDate); !errors.Is(err, store.ErrUnknownForm) {
		t.Errorf("Reject(F-NOPE) = %v; want ErrUnknownForm", err)
	}

	// 3. The same list again: no new form; CHU requests active, the clinique's still pending.
	b2 := list("2026-01-21")
	forms, absent = b2.run(st)
	if len(forms) != 0 || len(absent) != 0 {
		t.Fatalf("run 2 (same list): forms %v, absent %v; want none", refs(forms), absent)
	}
	want := map[string]string{
		"jean.dupont 010000016 CONSULTATION":      "active ",
		"jean.dupont 010000016 COORDONNATEUR_RCP": "active " + chuForm.Ref,
		"anne.martin 010000016 ADMIN_3C":          "active " + chuForm.Ref,
		"paul.durand 010000024 ACCES_ETENDU":      "pending-signature " + cliForm.Ref,
	}
	if diff := cmp.Diff(want, b2.status()); diff != "" {
		t.Errorf("run 2: request statuses (-want +got):\n%s", diff)
	}

	// 4. One person more at the clinique, one less at the CHU: a form with
	// only the new person's requests; the removed one is reported.
	b3 := newBatch(t, "2026-01-22").
		add("Jean", "DUPONT", "10000000001", chu, "CONSULTATION", "COORDONNATEUR_RCP").
		add("Paul", "DURAND", "10000000003", clinique, "ACCES_ETENDU").
		add("Jean", "DUPONT", "10000000004", clinique, "ADMIN_3C", "CONSULTATION") // a namesake
	forms, absent = b3.run(st)
	if len(forms) != 1 || forms[0].Establishment.FINESS != clinique.FINESS || forms[0].Requests != 1 ||
		len(forms[0].Lines) != 1 || forms[0].Lines[0].UID != "jean.dupont2" {
		t.Fatalf("run 3 (one added): forms %+v; want one clinique form for jean.dupont2 only", forms)
	}
	if diff := cmp.Diff([]provision.Absence{{UID: "anne.martin", FINESS: chu.FINESS, Establishment: chu.Name, Name: "MARTIN Anne", LastSeen: "2026-01-21"}}, absent); diff != "" {
		t.Errorf("run 3 (one removed): absent (-want +got):\n%s", diff)
	}
	newForm := forms[0]

	// 5. That form is refused: the request is rejected, and stays so while
	// the list asks for it (no new form).
	if err := st.Reject(ctx, newForm.Ref, "personne inconnue", "testeur", signDate); !errors.Is(err, store.ErrBeforeCreation) {
		t.Errorf("Reject(%s) on %s, before its creation = %v; want ErrBeforeCreation", newForm.Ref, signDate.Format(time.DateOnly), err)
	}
	rejectDate := time.Date(2026, 1, 22, 0, 0, 0, 0, time.UTC)
	if err := st.Reject(ctx, newForm.Ref, "personne inconnue", "testeur", rejectDate); err != nil {
		t.Fatalf("Reject(%s) = %v", newForm.Ref, err)
	}
	b4 := newBatch(t, "2026-01-23").
		add("Jean", "DUPONT", "10000000004", clinique, "ADMIN_3C")
	forms, _ = b4.run(st)
	if len(forms) != 0 || b4.status()["jean.dupont2 010000024 ADMIN_3C"] != "rejected "+newForm.Ref {
		t.Errorf("run 4 (refused request asked again): forms %v, status %q; want none, rejected", refs(forms), b4.status()["jean.dupont2 010000024 ADMIN_3C"])
	}
	// Once the list stops asking, the refusal is forgotten: asking again makes a new form.
	newBatch(t, "2026-01-24").add("Jean", "DUPONT", "10000000004", clinique, "CONSULTATION").run(st)
	b6 := newBatch(t, "2026-01-25").add("Jean", "DUPONT", "10000000004", clinique, "ADMIN_3C")
	forms, _ = b6.run(st)
	if len(forms) != 1 || forms[0].Ref == newForm.Ref {
		t.Errorf("run 6 (asked again after withdrawal): forms %v; want one new form", refs(forms))
	}

	// The audit trail names the operator and never an email or an identifier.
	events, err := st.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range events {
		actions[e.Action]++
		if e.Operator != "testeur" {
			t.Errorf("audit %d: operator %q; want testeur", e.ID, e.Operator)
		}
		for _, secret := range []string{"@", "10000000001", "10000000004", "Directrice"} {
			if strings.Contains(e.Object+e.Detail, secret) {
				t.Errorf("audit %d (%s %s %s) contains %q", e.ID, e.Action, e.Object, e.Detail, secret)
			}
		}
	}
	for _, a := range []string{"run", "person-added", "form-created", "form-signed", "form-rejected", "request-added", "request-withdrawn", "person-absent"} {
		if actions[a] == 0 {
			t.Errorf("audit trail has no %q event (have %v)", a, actions)
		}
	}
	if actions["run"] != 6 {
		t.Errorf("audit trail has %d runs; want 6", actions["run"])
	}
	if events[0].Time != "2026-01-15T00:00:00Z" || events[0].Object != "liste.xlsx" {
		t.Errorf("first audit event = %+v; want the run of 2026-01-15 on liste.xlsx", events[0])
	}
}

// TestRecordRunAtomic checks that a failing run leaves nothing behind.
func TestRecordRunAtomic(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	b := newBatch(t, "2026-01-15").add("Jean", "DUPONT", "10000000001", chu, "ADMIN_3C")
	b.run(st)
	// A second person claiming the same login violates the unique index.
	b2 := newBatch(t, "2026-01-16").add("Anne", "MARTIN", "10000000002", chu, "ADMIN_3C")
	b2.people[0].UID = "jean.dupont"
	forms := provision.PlanForms(b2.people, nil, b2.cfg)
	tx, err := st.BeginRun(t.Context(), b2.cfg.Date, "testeur")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.RecordRun(t.Context(), provision.RunRecord{Date: b2.cfg.Date, Operator: "testeur", People: b2.people, Forms: forms})
	if err == nil {
		t.Fatalf("RecordRun with a duplicate login = nil; want an error")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	all, err := st.Forms(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Errorf("after a failed run: %d forms; want 1 (nothing of the failed run kept)", len(all))
	}
	events, _ := st.Audit(t.Context())
	for _, e := range events {
		if strings.HasPrefix(e.Time, "2026-01-16") {
			t.Errorf("after a failed run: audit event %+v kept", e)
		}
	}
}

// TestFormDates checks the dates kept with a form's decision: a signature
// or a refusal cannot predate the form, and a refusal keeps its date.
func TestFormDates(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	ctx := t.Context()
	forms, _ := newBatch(t, "2026-01-15").
		add("Jean", "DUPONT", "10000000001", chu, "ADMIN_3C").
		add("Paul", "DURAND", "10000000003", clinique, "ACCES_ETENDU").run(st)
	before := time.Date(2026, 1, 14, 12, 0, 0, 0, time.UTC)
	if err := st.Sign(ctx, forms[0].Ref, "Dr X", "testeur", before); !errors.Is(err, store.ErrBeforeCreation) {
		t.Errorf("Sign(%s) the day before its creation = %v; want ErrBeforeCreation", forms[0].Ref, err)
	}
	sameDay := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	if err := st.Sign(ctx, forms[0].Ref, "Dr X", "testeur", sameDay); err != nil {
		t.Errorf("Sign(%s) the day of its creation = %v", forms[0].Ref, err)
	}
	if err := st.Reject(ctx, forms[1].Ref, "non", "testeur", time.Date(2026, 1, 17, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	f, err := st.Form(ctx, forms[1].Ref)
	if err != nil || f.RejectedOn != "2026-01-17" || f.RejectReason != "non" {
		t.Errorf("Form(%s) after Reject = %+v, %v; want rejected on 2026-01-17", forms[1].Ref, f, err)
	}
}

// TestFormModel checks that a form is kept as printed: Model gives it
// back, and State lists it while it is pending.
func TestFormModel(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	ctx := t.Context()
	forms, _ := newBatch(t, "2026-01-15").
		add("Jean", "DUPONT", "10000000001", chu, "ADMIN_3C", "COORDONNATEUR_RCP").
		add("Paul", "DURAND", "10000000003", clinique, "ACCES_ETENDU").run(st)
	for _, f := range forms {
		got, err := st.Model(ctx, f.Ref)
		if err != nil {
			t.Fatal(err)
		}
		want := f
		for i := range want.Lines {
			want.Lines[i].Key = "" // not part of the printed form
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Model(%s) (-printed +stored):\n%s", f.Ref, diff)
		}
	}
	if _, err := st.Model(ctx, "F-NOPE"); !errors.Is(err, store.ErrUnknownForm) {
		t.Errorf("Model(F-NOPE) = %v; want ErrUnknownForm", err)
	}
	if err := st.Sign(ctx, forms[0].Ref, "Dr X", "testeur", time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	state, err := st.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(state.Pending) != 1 || state.Pending[0].Ref != forms[1].Ref {
		t.Errorf("State().Pending = %v; want only %s", refs(state.Pending), forms[1].Ref)
	}
}

// TestMigrateVersion1 opens a store written by a dccprov whose schema was
// version 1: its forms have no model and cannot be printed again.
func TestMigrateVersion1(t *testing.T) {
	t.Parallel()
	st := mustOpenVersion(t, 1,
		"INSERT INTO runs VALUES (1, '2026-01-15', 'liste.xlsx', '00', 'x', 1, 1, 0, 1)",
		"INSERT INTO forms (ref, finess, establishment, digest, requests, status, created_run, created_on) VALUES ('F-OLD', '010000016', 'CH', 'abc', 1, 'pending', 1, '2026-01-15')")
	if _, err := st.Model(t.Context(), "F-OLD"); !errors.Is(err, store.ErrNoModel) {
		t.Errorf("Model(F-OLD) of a version 1 store = %v; want ErrNoModel", err)
	}
	state, err := st.State(t.Context())
	if err != nil || !state.Refs["F-OLD"] || len(state.Pending) != 0 {
		t.Errorf("State() of a version 1 store = %+v, %v; want F-OLD issued, no printable pending form", state, err)
	}
}

// TestRecordRunErrorsHideLogins checks that a failed record names rows,
// never a login (they are derived from names).
func TestRecordRunErrorsHideLogins(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	newBatch(t, "2026-01-15").add("Jean", "DUPONT", "10000000001", chu, "CONSULTATION").run(st)
	b := newBatch(t, "2026-01-16").add("Jean", "DUPONT", "10000000001", chu, "CONSULTATION")
	b.people[0].UID = "jean.dupont7"
	tx, err := st.BeginRun(t.Context(), b.cfg.Date, "testeur")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.RecordRun(t.Context(), provision.RunRecord{Date: b.cfg.Date, People: b.people})
	if err == nil || strings.Contains(err.Error(), "jean") || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("RecordRun with another login = %v; want an error naming row 2 and no login", err)
	}
}

// TestConcurrentRuns checks that two runs on one store take turns: the
// second plans against what the first recorded. A run planned from an
// older state is refused with ErrConcurrentRun, not a raw constraint.
func TestConcurrentRuns(t *testing.T) {
	t.Parallel()
	_, path := mustOpen(t)
	list := func() *batch {
		return newBatch(t, "2026-01-15").add("Jean", "DUPONT", "10000000001", chu, "ADMIN_3C")
	}
	// Each goroutine sends one result, whatever fails, and only the test
	// goroutine calls t.Fatal (newBatch may): build the batches first.
	type result struct {
		forms int
		err   error
	}
	lists := []*batch{list(), list()}
	results := make(chan result, len(lists))
	for _, b := range lists {
		go func() {
			st, err := store.Open(t.Context(), path)
			if err != nil {
				results <- result{err: err}
				return
			}
			defer st.Close()
			forms, _, err := b.record(st)
			results <- result{len(forms), err}
		}()
	}
	total := 0
	for range lists {
		r := <-results
		if r.err != nil {
			t.Errorf("concurrent run = %v; want both to succeed in turn", r.err)
		}
		total += r.forms
	}
	if total != 1 {
		t.Errorf("two concurrent runs of one list made %d forms; want 1", total)
	}

	// A plan made from the state before the first run, recorded after it.
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stale := newBatch(t, "2026-01-15").add("Jean", "DUPONT", "10000000001", chu, "ADMIN_3C")
	provision.AssignUIDs(stale.people, nil)
	forms := provision.PlanForms(stale.people, nil, stale.cfg)
	tx, err := st.BeginRun(t.Context(), stale.cfg.Date, "testeur")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.RecordRun(t.Context(), provision.RunRecord{Date: stale.cfg.Date, People: stale.people, Forms: forms})
	if !errors.Is(err, store.ErrConcurrentRun) || strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("RecordRun of a stale plan = %v; want ErrConcurrentRun", err)
	}
}

// TestRekey checks that a person first listed without identifier keeps
// their login, establishments and requests once it is given.
func TestRekey(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	ctx := t.Context()
	b1 := newBatch(t, "2026-01-15").add("Jean", "DUPONT", "", chu, "CONSULTATION")
	b1.people[0].ID = provision.NationalID{}
	b1.run(st)
	b2 := newBatch(t, "2026-01-16").add("Jean", "DUPONT", "10000000001", chu, "CONSULTATION")
	_, absent := b2.run(st)
	if b2.people[0].UID != "jean.dupont" || len(absent) != 0 {
		t.Errorf("run with the identifier given: uid %q, absent %v; want jean.dupont, nobody", b2.people[0].UID, absent)
	}
	logins, err := st.Logins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{b2.people[0].Key(): "jean.dupont"}, logins); diff != "" {
		t.Errorf("logins after re-keying (-want +got):\n%s", diff)
	}
}

// reject marks the last row rejected, as the validator leaves it: the
// fields that parsed are kept, the cell in error may be empty or wrong.
func (b *batch) reject(edit func(p *provision.Person)) *batch {
	p := &b.people[len(b.people)-1]
	p.Status = provision.StatusRejected
	p.Habilitations = nil
	edit(p)
	return b
}

// TestAbsentRejectedRow checks that a person whose row is present but
// rejected is not absent, wherever the error is, and that the rejected row
// carries the login the store knows for them and no new one.
func TestAbsentRejectedRow(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	newBatch(t, "2026-01-15").
		add("Jean", "DUPONT", "19999900004", chu, "CONSULTATION").
		add("Anne", "MARTIN", "19999900012", chu, "CONSULTATION").
		run(st)
	for _, tt := range []struct {
		name string
		edit func(p *provision.Person)
	}{
		{"bad email", func(p *provision.Person) { p.Email = "" }},
		{"bad FINESS", func(p *provision.Person) { p.Establishment = provision.Establishment{FINESS: "010000099"} }},
		{"no establishment", func(p *provision.Person) { p.Establishment = provision.Establishment{} }},
	} {
		b := newBatch(t, "2026-01-16").
			add("Anne", "MARTIN", "19999900012", chu, "CONSULTATION").
			add("Jean", "DUPONT", "19999900004", chu, "CONSULTATION").reject(tt.edit).
			add("Paul", "NOUVEAU", "19999900020", chu).reject(tt.edit)
		_, absent := b.run(st)
		if len(absent) != 0 {
			t.Errorf("%s: absent = %+v; want nobody (the rejected row names jean.dupont)", tt.name, absent)
		}
		if b.people[1].UID != "jean.dupont" || b.people[2].UID != "" {
			t.Errorf("%s: rejected rows' uids = %q, %q; want jean.dupont (known), \"\" (never a new one)", tt.name, b.people[1].UID, b.people[2].UID)
		}
	}
	// A list without the row at all makes them absent.
	_, absent := newBatch(t, "2026-01-17").add("Anne", "MARTIN", "19999900012", chu, "CONSULTATION").run(st)
	if diff := cmp.Diff([]provision.Absence{{UID: "jean.dupont", FINESS: chu.FINESS, Establishment: chu.Name, Name: "DUPONT Jean", LastSeen: "2026-01-15"}}, absent); diff != "" {
		t.Errorf("row removed: absent (-want +got):\n%s", diff)
	}
}

// TestAbsentByName checks that a person absent from an establishment given
// by name only is reported with that name and no FINESS, not the store's
// internal "nom:" key.
func TestAbsentByName(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	cabinet := provision.Establishment{Name: "Cabinet Exemple"}
	newBatch(t, "2026-01-15").
		add("Jean", "DUPONT", "19999900004", cabinet).
		add("Anne", "MARTIN", "19999900012", cabinet).
		run(st)
	_, absent := newBatch(t, "2026-01-16").add("Anne", "MARTIN", "19999900012", cabinet).run(st)
	if diff := cmp.Diff([]provision.Absence{{UID: "jean.dupont", FINESS: "", Establishment: "Cabinet Exemple", Name: "DUPONT Jean", LastSeen: "2026-01-15"}}, absent); diff != "" {
		t.Errorf("absent from an establishment known by name (-want +got):\n%s", diff)
	}
}
