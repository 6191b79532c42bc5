// Package store is the embedded database of dccprov: it remembers, between
// runs, the logins given, the signature forms and their status, each
// habilitation request and an audit trail.
//
// It is a SQLite file (modernc.org/sqlite, pure Go, no server), created on
// first use with mode 0600, in WAL mode with foreign keys on. Its schema is
// versioned by PRAGMA user_version and migrated on [Open]. Nothing here
// reads the clock: every date is passed in.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dccprov/dccprov/provision"
)

// Form statuses.
const (
	FormPending  = "pending"
	FormSigned   = "signed"
	FormRejected = "rejected"
)

// ErrUnknownForm is returned for a form reference the store does not know.
var ErrUnknownForm = errors.New("unknown form reference")

// ErrFormClosed is returned when signing or rejecting a form that is no
// longer pending.
var ErrFormClosed = errors.New("form already signed or rejected")

// ErrConcurrentRun is returned when another run recorded in the store
// what this run planned from an older state (a form reference or a login
// it gave), or kept the store busy for longer than the wait allowed.
var ErrConcurrentRun = errors.New("another dccprov command used the store at the same time")

// ErrBeforeCreation is returned when a form would be signed or rejected on
// a date before it was printed.
var ErrBeforeCreation = errors.New("date before the form was printed")

// Store is an open database. It implements [provision.Store].
type Store struct {
	db   *sql.DB
	path string
}

var _ provision.Store = (*Store)(nil)

// Open opens the database at path, creating it (mode 0600) when missing,
// and migrates its schema.
func Open(ctx context.Context, path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	}
	f.Close()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// A run of a national list writes hundreds of thousands of rows in
	// one transaction: a page cache of up to 64 MiB keeps them in memory
	// until the commit instead of spilling to the WAL as they come.
	q.Add("_pragma", "cache_size(-65536)")
	// Statement journals (a multi-row statement's undo, should it fail
	// half-way) and sorts stay in memory instead of temporary files: a
	// run of 100 000 people spent some 0.4 s writing them.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate") // writers queue at BEGIN, not mid-transaction
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Logins maps the key of every known person to their login.
func (s *Store) Logins(ctx context.Context) (map[string]string, error) {
	return queryLogins(ctx, s.db)
}

// State returns every recorded request with its status and form, every
// form reference issued and the pending forms as printed.
func (s *Store) State(ctx context.Context) (*provision.State, error) {
	return queryState(ctx, s.db)
}

func queryState(ctx context.Context, q querier) (*provision.State, error) {
	reqs, err := queryRequests(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reading requests: %w", err)
	}
	st := &provision.State{Requests: reqs, Refs: map[string]bool{}}
	rows, err := q.QueryContext(ctx, "SELECT ref, status, model FROM forms ORDER BY ref")
	if err != nil {
		return nil, fmt.Errorf("reading forms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref, status, model string
		if err := rows.Scan(&ref, &status, &model); err != nil {
			return nil, fmt.Errorf("reading forms: %w", err)
		}
		st.Refs[ref] = true
		if status != FormPending || model == "" {
			continue // a form recorded before version 2 kept no model
		}
		f, err := decodeModel(ref, model)
		if err != nil {
			return nil, err
		}
		st.Pending = append(st.Pending, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading forms: %w", err)
	}
	return st, nil
}

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryLogins(ctx context.Context, q querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT key, uid FROM persons")
	if err != nil {
		return nil, fmt.Errorf("reading logins: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, uid string
		if err := rows.Scan(&k, &uid); err != nil {
			return nil, fmt.Errorf("reading logins: %w", err)
		}
		m[k] = uid
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading logins: %w", err)
	}
	return m, nil
}

func queryRequests(ctx context.Context, q querier) (map[provision.RequestKey]provision.RequestState, error) {
	rows, err := q.QueryContext(ctx, "SELECT person, finess, habilitation, status, COALESCE(form, ''), form_line, decided_on, decision_reason FROM all_requests")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[provision.RequestKey]provision.RequestState{}
	for rows.Next() {
		var k provision.RequestKey
		var v provision.RequestState
		if err := rows.Scan(&k.Person, &k.FINESS, &k.Code, &v.Status, &v.Form, &v.Line, &v.DecidedOn, &v.Reason); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

// tx wraps a transaction with the audit of the change it makes.
type tx struct {
	*sql.Tx
	ctx      context.Context
	time     string
	operator string
}

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	return t.ExecContext(t.ctx, query, args...)
}

// audit records an event. object and detail must hold no email, phone or
// national identifier: use the uid or the REF.
func (t *tx) audit(action, object, detail string) error {
	_, err := t.exec("INSERT INTO audit (time, operator, action, object, detail) VALUES (?, ?, ?, ?, ?)",
		t.time, t.operator, action, object, detail)
	return err
}

func (s *Store) begin(ctx context.Context, at time.Time, operator string) (*tx, error) {
	t, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.concurrent(err)
	}
	return &tx{Tx: t, ctx: ctx, time: at.Format(time.RFC3339), operator: operator}, nil
}

// concurrent turns the errors that another command's transaction causes
// into [ErrConcurrentRun]: the store stayed locked longer than the busy
// timeout, or a run recorded first a form reference or a login this one
// planned from an older state.
func (s *Store) concurrent(err error) error {
	e, ok := errors.AsType[*sqlite.Error](err)
	if !ok {
		return err
	}
	switch code := e.Code(); {
	case code&0xff == sqlite3.SQLITE_BUSY,
		code&0xff == sqlite3.SQLITE_CONSTRAINT && (strings.Contains(e.Error(), "forms.ref") ||
			strings.Contains(e.Error(), "persons.uid") || strings.Contains(e.Error(), "persons.key")):
		return fmt.Errorf("%w: %s", ErrConcurrentRun, s.path)
	}
	return err
}

// runTx is the transaction of one run; it implements [provision.RunTx].
type runTx struct {
	t *tx
	s *Store
	// What Logins and State read, kept for RecordRun: nothing is
	// written in between (the transaction holds the write lock), and
	// reading a national list's logins and requests again costs more
	// than copying them. Private copies: the caller may change its own.
	logins   map[string]string
	requests map[provision.RequestKey]provision.RequestState
}

// BeginRun opens the transaction of a run. It takes the store's write lock
// at once (BEGIN IMMEDIATE) and holds it until Commit or Rollback, so a
// second run waits (up to the busy timeout) and then plans against what the
// first recorded. A store kept busy longer wraps [ErrConcurrentRun].
func (s *Store) BeginRun(ctx context.Context, date time.Time, operator string) (provision.RunTx, error) {
	t, err := s.begin(ctx, date, operator)
	if err != nil {
		return nil, fmt.Errorf("recording run: %w", err)
	}
	return &runTx{t: t, s: s}, nil
}

func (r *runTx) Logins(ctx context.Context) (map[string]string, error) {
	m, err := queryLogins(ctx, r.t)
	if err == nil {
		r.logins = maps.Clone(m)
	}
	return m, err
}

func (r *runTx) State(ctx context.Context) (*provision.State, error) {
	st, err := queryState(ctx, r.t)
	if err == nil {
		r.requests = maps.Clone(st.Requests)
	}
	return st, err
}

// RecordRun records a run: the run itself, the persons and their logins
// and establishments, the new forms (pending, with the model they were
// printed from), the status of every request, and an audit event for each
// change. It returns the persons known in the run's establishments whom the
// list no longer names, by establishment then uid; they are kept, not
// deleted. A row names its person whether accepted or rejected: a rejected
// row names them by key ([provision.Person.Key]) in every establishment,
// since its establishment may be the cell in error. Nothing is kept until
// Commit.
//
// A request that was rejected and that the list no longer asks for is
// forgotten, so that asking for it again in a later list puts it on a new
// form.
func (r *runTx) RecordRun(ctx context.Context, rec provision.RunRecord) ([]provision.Absence, error) {
	r.t.ctx = ctx
	absent, err := r.t.recordRun(rec, r.logins, r.requests)
	r.logins, r.requests = nil, nil // changed by the run
	if err != nil {
		return nil, fmt.Errorf("recording run: %w", r.s.concurrent(err))
	}
	return absent, nil
}

func (r *runTx) Commit() error {
	if err := r.t.Commit(); err != nil {
		return fmt.Errorf("recording run: %w", r.s.concurrent(err))
	}
	return nil
}

func (r *runTx) Rollback() error {
	if err := r.t.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("dropping run record: %w", err)
	}
	return nil
}

// recordRun records r. logins and old are what the transaction's store
// holds, when already read (nil when not); recordRun changes them.
func (t *tx) recordRun(r provision.RunRecord, logins map[string]string, old map[provision.RequestKey]provision.RequestState) ([]provision.Absence, error) {
	date := r.Date.Format(time.DateOnly)
	file := filepath.Base(r.Input.File)
	res, err := t.exec(`INSERT INTO runs (date, file, sha256, operator, rows_read, accepted, rejected, forms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, date, file, r.Input.SHA256, r.Operator, r.Rows.Read, r.Rows.Accepted, r.Rows.Rejected, len(r.Forms))
	if err != nil {
		return nil, err
	}
	run, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	if err := t.audit("run", file, fmt.Sprintf("read %d, accepted %d, rejected %d, forms %d", r.Rows.Read, r.Rows.Accepted, r.Rows.Rejected, len(r.Forms))); err != nil {
		return nil, err
	}

	if logins == nil {
		if logins, err = queryLogins(t.ctx, t); err != nil {
			return nil, err
		}
	}
	if old == nil {
		if old, err = queryRequests(t.ctx, t); err != nil {
			return nil, err
		}
	}

	// People whose national identifier first appears keep their record.
	for _, nk := range slices.Sorted(maps.Keys(r.Rekeyed)) {
		if err := t.rekey(r.Rekeyed[nk], nk, logins, old); err != nil {
			return nil, err
		}
	}

	// Forms first: requests refer to them.
	for _, f := range r.Forms {
		model, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("form %s: %w", f.Ref, err)
		}
		if _, err := t.exec(`INSERT INTO forms (ref, finess, establishment, digest, requests, status, created_run, created_on, model)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.Ref, f.Establishment.Key(), f.Establishment.Name, f.Digest, f.Requests, FormPending, run, date, string(model)); err != nil {
			return nil, fmt.Errorf("form %s: %w", f.Ref, err)
		}
		if err := t.audit("form-created", f.Ref, fmt.Sprintf("FINESS %s, %d requests, digest %s", f.Establishment.FINESS, f.Requests, f.Digest)); err != nil {
			return nil, err
		}
	}

	if err := t.recordReadiness(run, r); err != nil {
		return nil, err
	}

	establishments := map[string]bool{}              // FINESS of the run
	named := make(map[[2]string]bool, len(r.People)) // person key, FINESS
	rejected := map[string]bool{}                    // person keys of rejected rows
	for i := range r.People {
		p := &r.People[i]
		fin, key := p.Establishment.Key(), p.Key()
		if fin != "nom:" {
			establishments[fin] = true
		}
		if key != "mail:" {
			named[[2]string{key, fin}] = true
			if p.Status != provision.StatusAccepted {
				// A rejected row still names its person, even when the
				// establishment is the cell in error: a typo must not
				// make them absent (and disabled by ldap apply --prune).
				rejected[key] = true
			}
		}
	}
	// The absent are known before the run's rows are written (those rows
	// name no one absent): the outputs that list them need not wait.
	absent, absentKeys, err := t.absent(establishments, named, rejected, logins)
	if err != nil {
		return nil, err
	}
	if r.Absent != nil {
		r.Absent(slices.Clone(absent))
	}

	// The people's rows are gathered, then written table by table in
	// statements that each take all of a table's rows as one JSON
	// parameter, in key order (see rows).
	accepted, asks := 0, 0
	for i := range r.People {
		if r.People[i].Status == provision.StatusAccepted {
			accepted++
			asks += len(r.People[i].Habilitations)
		}
	}
	asked := make(map[provision.RequestKey]bool, asks) // the requests of the run
	var (
		persons = newRows(2, accepted) // key, uid: of every accepted row
		// key, FINESS, establishment name, person's name, the codes of
		// the active requests on no form (schema step 8): one row for
		// each person and establishment of the run.
		personEst = newRows(5, accepted)
		places    = make(map[[2]string]int, accepted) // person key, FINESS → row of personEst
		plain     = make([][]string, 0, accepted)     // codes of each row of personEst
		requests  = newRows(5, asks)                  // key, FINESS, code, status, form: those on a form or refused
		audit     = newRows(3, accepted+asks)         // action, object, detail, in the list's order
		moved     []provision.RequestKey              // requests of the table now active on no form
	)
	for i := range r.People {
		p := &r.People[i]
		if p.Status != provision.StatusAccepted {
			continue
		}
		fin, key := p.Establishment.Key(), p.Key()
		if p.UID == "" {
			return nil, fmt.Errorf("row %d is accepted but has no login (AssignUIDs not called)", p.Row)
		}
		// A person first seen is inserted, one known (or on an earlier
		// row) has their last run updated: both in one upsert.
		persons.add(key, p.UID)
		switch uid, ok := logins[key]; {
		case !ok:
			logins[key] = p.UID
			audit.add("person-added", p.UID, "row "+strconv.Itoa(p.Row))
		case uid != p.UID:
			return nil, fmt.Errorf("row %d: its login differs from the one recorded for this person", p.Row)
		}
		// A person listed twice in one establishment keeps the last
		// row's names, and the requests of both rows.
		name := strings.TrimSpace(p.BirthName + " " + p.FirstName)
		place, seen := places[[2]string{key, fin}]
		if seen {
			personEst.vals[place*personEst.cols+2] = p.Establishment.Name
			personEst.vals[place*personEst.cols+3] = name
		} else {
			place = personEst.len()
			places[[2]string{key, fin}] = place
			personEst.add(key, fin, p.Establishment.Name, name, "")
			plain = append(plain, nil)
		}
		for _, q := range p.Habilitations {
			k := provision.RequestKey{Person: key, FINESS: fin, Code: q.Code}
			if asked[k] {
				continue // the same request on two rows
			}
			asked[k] = true
			prev, known := old[k]
			if isPlain(q.Status, q.Form) {
				plain[place] = append(plain[place], q.Code)
				if known && !isPlain(prev.Status, prev.Form) {
					moved = append(moved, k)
				}
			} else {
				requests.add(key, fin, q.Code, q.Status, q.Form)
			}
			object := p.UID + " " + fin + " " + q.Code
			switch {
			case !known:
				audit.add("request-added", object, requestDetail(q.Status, q.Form))
			case prev.Status != q.Status || prev.Form != q.Form:
				audit.add("request-changed", object, requestDetail(q.Status, q.Form))
			}
		}
	}

	// The active requests on no form that the store knows for a person
	// and establishment of the run, and the list no longer asks for, are
	// kept, as the rows of requests the list no longer asks for are.
	for k, v := range old {
		if place, ok := places[[2]string{k.Person, k.FINESS}]; ok && !asked[k] && isPlain(v.Status, v.Form) {
			plain[place] = append(plain[place], k.Code)
		}
	}
	for i, codes := range plain {
		slices.Sort(codes)
		personEst.vals[i*personEst.cols+4] = codesJSON(codes)
	}

	// Requests that were on a form and are now active on none (no
	// longer needing a signature) leave the table for their
	// establishment row.
	slices.SortFunc(moved, compareRequestKeys)
	for _, k := range moved {
		if _, err := t.exec("DELETE FROM requests WHERE person = ? AND finess = ? AND habilitation = ?", k.Person, k.FINESS, k.Code); err != nil {
			return nil, fmt.Errorf("recording the requests: %w", err)
		}
	}

	// Parents before children (persons, then the rows naming them).
	for _, w := range []struct {
		what  string
		rows  *rows
		keyed int   // the primary key's columns, sorted on; 0 keeps the order
		args  []any // the parameters before the rows, ?1 …
		query string
	}{
		{"persons", persons, 1, []any{run}, `INSERT INTO persons (key, uid, first_run, last_run)
			SELECT value->>0, value->>1, ?1, ?1 FROM jsonb_each(?2) WHERE true
			ON CONFLICT (key) DO UPDATE SET last_run = excluded.last_run`},
		{"persons' establishments", personEst, 2, []any{run}, `INSERT INTO person_establishments (person, finess, name, last_run, person_name, requests)
			SELECT value->>0, value->>1, value->>2, ?1, value->>3, value->>4 FROM jsonb_each(?2) WHERE true
			ON CONFLICT (person, finess) DO UPDATE SET name = excluded.name, last_run = excluded.last_run, person_name = excluded.person_name, requests = excluded.requests`},
		{"requests", requests, 3, []any{run}, `INSERT INTO requests (person, finess, habilitation, status, form, last_run)
			SELECT value->>0, value->>1, value->>2, value->>3, NULLIF(value->>4, ''), ?1 FROM jsonb_each(?2) WHERE true
			ON CONFLICT (person, finess, habilitation) DO UPDATE SET status = excluded.status, form = excluded.form, last_run = excluded.last_run`},
	} {
		if w.rows.len() == 0 {
			continue
		}
		for chunk := range w.rows.json(w.keyed) {
			if _, err := t.exec(w.query, append(w.args, chunk)...); err != nil {
				return nil, fmt.Errorf("recording the %s: %w", w.what, err)
			}
		}
	}

	if err := t.auditPacked(audit); err != nil {
		return nil, fmt.Errorf("recording the audit: %w", err)
	}

	// Rejected requests the list no longer asks for are forgotten.
	var withdrawn []provision.RequestKey
	for k, v := range old {
		if establishments[k.FINESS] && !asked[k] && v.Status == provision.RequestRejected {
			withdrawn = append(withdrawn, k)
		}
	}
	slices.SortFunc(withdrawn, compareRequestKeys)
	for _, k := range withdrawn {
		if _, err := t.exec("DELETE FROM requests WHERE person = ? AND finess = ? AND habilitation = ?", k.Person, k.FINESS, k.Code); err != nil {
			return nil, err
		}
		if err := t.audit("request-withdrawn", logins[k.Person]+" "+k.FINESS+" "+k.Code, "rejected on "+old[k].Form+", no longer asked"); err != nil {
			return nil, err
		}
	}

	for i, a := range absent {
		if err := t.audit("person-absent", a.UID, "FINESS "+absentKeys[i]+": not in the list"); err != nil {
			return nil, err
		}
	}
	return absent, nil
}

// absent returns the persons of the run's establishments that the list
// does not name any more, in establishment and login order, with the
// store's key of each one's establishment (for the audit). logins holds
// every person's login. The rows are filtered and the few absent sorted
// here: joining and sorting every row of a national list in SQL cost more.
func (t *tx) absent(establishments map[string]bool, named map[[2]string]bool, rejected map[string]bool, logins map[string]string) ([]provision.Absence, []string, error) {
	dates := map[int64]string{}
	runs, err := t.QueryContext(t.ctx, "SELECT id, date FROM runs")
	if err != nil {
		return nil, nil, err
	}
	for runs.Next() {
		var id int64
		var date string
		if err := runs.Scan(&id, &date); err != nil {
			runs.Close()
			return nil, nil, err
		}
		dates[id] = date
	}
	runs.Close()
	if err := runs.Err(); err != nil {
		return nil, nil, err
	}
	rows, err := t.QueryContext(t.ctx, "SELECT person, finess, name, person_name, last_run FROM person_establishments")
	if err != nil {
		return nil, nil, err
	}
	type absence struct {
		provision.Absence
		key string // the establishment's key in the store
	}
	var found []absence
	for rows.Next() {
		var key, fin, name, person string
		var last int64
		if err := rows.Scan(&key, &fin, &name, &person, &last); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if establishments[fin] && !named[[2]string{key, fin}] && !rejected[key] {
			a := provision.Absence{UID: logins[key], FINESS: fin, Establishment: name, Name: person, LastSeen: dates[last]}
			if strings.HasPrefix(fin, "nom:") {
				a.FINESS = "" // known by name only: "nom:NAME" is the store's key, not a FINESS
			}
			found = append(found, absence{a, fin})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(found, func(a, b absence) int {
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.UID, b.UID))
	})
	absent := make([]provision.Absence, len(found))
	keys := make([]string, len(found))
	for i, a := range found {
		absent[i], keys[i] = a.Absence, a.key
	}
	return absent, keys, nil
}

// rekey moves the person known by the key from to the key to (a "mail:"
// key to the national identifier now given), with their establishments and
// requests, and updates logins and old to match.
func (t *tx) rekey(from, to string, logins map[string]string, old map[provision.RequestKey]provision.RequestState) error {
	uid, ok := logins[from]
	if !ok {
		return fmt.Errorf("re-keying a person: no person under the former key")
	}
	if _, taken := logins[to]; taken {
		return fmt.Errorf("re-keying a person: the new key is taken")
	}
	// The children are moved after the parent: check the foreign keys at
	// commit, not at each statement.
	if _, err := t.exec("PRAGMA defer_foreign_keys = ON"); err != nil {
		return err
	}
	for _, q := range []string{
		"UPDATE persons SET key = ? WHERE key = ?",
		"UPDATE person_establishments SET person = ? WHERE person = ?",
		"UPDATE requests SET person = ? WHERE person = ?",
	} {
		if _, err := t.exec(q, to, from); err != nil {
			return fmt.Errorf("re-keying a person: %w", err)
		}
	}
	delete(logins, from)
	logins[to] = uid
	for k, v := range old {
		if k.Person == from {
			delete(old, k)
			k.Person = to
			old[k] = v
		}
	}
	return t.audit("person-rekeyed", uid, "national identifier given: keyed by it instead of the email")
}

// auditPacked records events (action, object, detail), in their order,
// packed [chunkRows] at a time (schema step 6): each chunk is one audit row
// of action "packed", whose id is that of the chunk's last event, and one
// row of audit_packed holding the chunk as JSON. The ids before it are left
// free for the chunk's other events, which audit_events lists there. A
// national list's hundreds of thousands of events are thus a few rows.
func (t *tx) auditPacked(events *rows) error {
	if events.len() == 0 {
		return nil
	}
	var last int64
	if err := t.QueryRowContext(t.ctx, "SELECT coalesce(max(id), 0) FROM audit").Scan(&last); err != nil {
		return err
	}
	left := events.len()
	for chunk := range events.json(0) {
		n := min(left, chunkRows)
		left -= n
		last += int64(n)
		if _, err := t.exec("INSERT INTO audit (id, time, operator, action, object, detail) VALUES (?, ?, ?, 'packed', '', ?)",
			last, t.time, t.operator, strconv.Itoa(n)+" events"); err != nil {
			return err
		}
		if _, err := t.exec("INSERT INTO audit_packed (id, events, body) VALUES (?, ?, ?)", last, n, chunk); err != nil {
			return err
		}
	}
	return nil
}

// isPlain tells whether a request of that status and form is active on no
// form: such requests are a column of their establishment row (schema step
// 8), the others rows of requests.
func isPlain(status, form string) bool {
	return status == provision.RequestActive && form == ""
}

// codesJSON returns codes as a JSON array.
func codesJSON(codes []string) string {
	b := []byte{'['}
	for i, c := range codes {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, c)
	}
	return string(append(b, ']'))
}

func requestDetail(status, form string) string {
	if form == "" {
		return status
	}
	return status + " on " + form
}

// compareRequestKeys orders requests by establishment, person and code.
func compareRequestKeys(a, b provision.RequestKey) int {
	return cmp.Or(strings.Compare(a.FINESS, b.FINESS), strings.Compare(a.Person, b.Person), strings.Compare(a.Code, b.Code))
}

// rows are the rows of one statement, strings only, to be passed as one
// JSON parameter (an array of arrays) read by jsonb_each: binding each value
// as a parameter costs more than SQLite's reading of the JSON (the driver
// copies each string), and one statement per table writes every page of
// its B-trees once, where a statement per few hundred rows wrote them (and
// journaled them) again and again. jsonb_each, not json_each: it gives each
// row as SQLite's binary JSON, which value->>n reads as it is, where
// json_each turned each row back into text for value->>n to parse again
// (about a fifth of RecordRun's CPU).
type rows struct {
	vals []string // cols a row
	cols int
}

// newRows returns rows of cols columns, with room for n.
func newRows(cols, n int) *rows {
	return &rows{vals: make([]string, 0, cols*n), cols: cols}
}

func (r *rows) add(vals ...string) {
	r.vals = append(r.vals, vals...)
}

// len is the number of rows.
func (r *rows) len() int { return len(r.vals) / r.cols }

// json returns the rows as JSON arrays of arrays of at most chunkRows
// rows each, sorted (stably) on their first keyed columns when keyed > 0:
// rows inserted in the order of a B-tree's key are appended to it or found
// next to the last one.
func (r *rows) json(keyed int) iter.Seq[string] {
	return func(yield func(string) bool) {
		order := r.order(keyed)
		var b []byte
		for len(order) > 0 {
			n := min(len(order), chunkRows)
			b = append(b[:0], '[')
			for i, o := range order[:n] {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				for j, v := range r.vals[o*r.cols : (o+1)*r.cols] {
					if j > 0 {
						b = append(b, ',')
					}
					b = appendJSONString(b, v)
				}
				b = append(b, ']')
			}
			b = append(b, ']')
			if !yield(string(b)) {
				return
			}
			order = order[n:]
		}
	}
}

// chunkRows is how many rows one statement of [rows.json] writes: a table
// of a national list in one JSON text (copied into C memory, then parsed
// by SQLite) raised a run's peak memory by some hundreds of MB; chunks in
// key order write the B-trees almost as well.
const chunkRows = 16 << 10

func (r *rows) order(keyed int) []int {
	order := make([]int, r.len())
	for i := range order {
		order[i] = i
	}
	if keyed > 0 {
		// Stable, by the index as last key: pdqsort with it is several
		// times faster than a stable sort's merging on a national list.
		slices.SortFunc(order, func(a, b int) int {
			ra, rb := r.vals[a*r.cols:a*r.cols+keyed], r.vals[b*r.cols:b*r.cols+keyed]
			for i := range ra {
				if c := strings.Compare(ra[i], rb[i]); c != 0 {
					return c
				}
			}
			return a - b
		})
	}
	return order
}

// appendJSONString appends s as a JSON string. Bytes from 0x80 up are
// copied as they are, as SQLite's JSON functions read them.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		if c == '"' || c == '\\' {
			b = append(b, '\\', c)
		} else {
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
