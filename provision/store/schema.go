package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema steps, in order: step i brings the database
// from PRAGMA user_version i to i+1. A released step is never edited;
// changes are new steps. It is never written.
var migrations = []string{
	// 1: runs, persons and their logins, forms, requests, audit trail.
	`
CREATE TABLE runs (
	id        INTEGER PRIMARY KEY,
	date      TEXT NOT NULL,           -- YYYY-MM-DD, the run's date (--date)
	file      TEXT NOT NULL,           -- base name of the input file
	sha256    TEXT NOT NULL,           -- of the input file
	operator  TEXT NOT NULL,
	rows_read INTEGER NOT NULL,
	accepted  INTEGER NOT NULL,
	rejected  INTEGER NOT NULL,
	forms     INTEGER NOT NULL
);
CREATE TABLE persons (
	key       TEXT PRIMARY KEY,        -- idNatPs, or mail:<email>
	uid       TEXT NOT NULL UNIQUE,
	first_run INTEGER NOT NULL REFERENCES runs(id),
	last_run  INTEGER NOT NULL REFERENCES runs(id)
);
CREATE TABLE person_establishments (
	person    TEXT NOT NULL REFERENCES persons(key),
	finess    TEXT NOT NULL,
	name      TEXT NOT NULL,
	last_run  INTEGER NOT NULL REFERENCES runs(id),
	PRIMARY KEY (person, finess)
);
CREATE TABLE forms (
	ref           TEXT PRIMARY KEY,
	finess        TEXT NOT NULL,
	establishment TEXT NOT NULL,
	digest        TEXT NOT NULL,
	requests      INTEGER NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'rejected')),
	signer        TEXT NOT NULL DEFAULT '',
	signed_on     TEXT NOT NULL DEFAULT '',
	reject_reason TEXT NOT NULL DEFAULT '',
	created_run   INTEGER NOT NULL REFERENCES runs(id),
	created_on    TEXT NOT NULL
);
CREATE TABLE requests (
	person       TEXT NOT NULL REFERENCES persons(key),
	finess       TEXT NOT NULL,
	habilitation TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('active', 'pending-signature', 'rejected')),
	form         TEXT REFERENCES forms(ref),
	last_run     INTEGER NOT NULL REFERENCES runs(id),
	PRIMARY KEY (person, finess, habilitation)
);
CREATE INDEX requests_form ON requests(form);
CREATE TABLE audit (
	id       INTEGER PRIMARY KEY,
	time     TEXT NOT NULL,            -- RFC 3339, from the run's or command's date
	operator TEXT NOT NULL,
	action   TEXT NOT NULL,
	object   TEXT NOT NULL,            -- a uid, a REF, a file name: never an email, phone or ID
	detail   TEXT NOT NULL
);
`,
	// 2: each form's model (provision.Form as JSON, what was printed), so a
	// pending form can be printed again; the date a form was rejected.
	`
ALTER TABLE forms ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE forms ADD COLUMN rejected_on TEXT NOT NULL DEFAULT '';
`,
	// 3 (decisions): each request's decision, line by line: its number on
	// the form, who entered it, who signed, when, and why it was refused;
	// the number of lines refused on a signed form; the name each person
	// was last listed under in an establishment, for the referent to
	// confirm a departure.
	`
ALTER TABLE requests ADD COLUMN form_line INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN decided_signer TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN decided_on TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN decision_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE forms ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE person_establishments ADD COLUMN person_name TEXT NOT NULL DEFAULT '';
`,
	// 4: the SHA-256 of every distinct PDF file issued for a form (a run,
	// `forms print`), so that an electronically signed form can be
	// matched to the very file issued.
	`
CREATE TABLE form_files (
	sha256     TEXT PRIMARY KEY,       -- hex, of the PDF bytes written
	ref        TEXT NOT NULL REFERENCES forms(ref),
	created_on TEXT NOT NULL           -- YYYY-MM-DD, the date it was first written
);
CREATE INDEX form_files_ref ON form_files(ref);
`,
	// 5 (readiness, issue 14): each establishment's deployment readiness
	// at each run: its status, the evaluation (provision.Readiness as
	// JSON) and the checklist the referent filled in (provision.Checklist
	// as JSON, '' when the list had no row for it).
	`
CREATE TABLE readiness (
	run       INTEGER NOT NULL REFERENCES runs(id),
	finess    TEXT NOT NULL,           -- the establishment's key: its FINESS, or nom:<name>
	name      TEXT NOT NULL,
	status    TEXT NOT NULL CHECK (status IN ('ready', 'to-confirm', 'blocking')),
	readiness TEXT NOT NULL,
	checklist TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run, finess)
);
CREATE INDEX readiness_finess ON readiness(finess, run);
`,
	// 6 (issue 9): the events a run records row by row (person-added,
	// request-added, request-changed), packed: a national list wrote
	// hundreds of thousands of audit rows a run, half of what it wrote.
	// The audit row of id N and action 'packed' stands for the events of
	// ids N-events+1 … N, which audit_packed holds as a JSON array of
	// [action, object, detail] (same time and operator as that row).
	// audit_events is the trail with those events in their places, under
	// their own ids: what Store.Audit returns.
	`
CREATE TABLE audit_packed (
	id     INTEGER PRIMARY KEY REFERENCES audit(id),
	events INTEGER NOT NULL CHECK (events > 0),
	body   TEXT NOT NULL            -- JSON: [[action, object, detail], …], events of them
);
CREATE VIEW audit_events (id, time, operator, action, object, detail) AS
	SELECT id, time, operator, action, object, detail FROM audit WHERE action <> 'packed'
	UNION ALL
	SELECT a.id - p.events + 1 + j.key, a.time, a.operator, j.value->>0, j.value->>1, j.value->>2
	FROM audit_packed p JOIN audit a ON a.id = p.id, jsonb_each(p.body) j;
`,
	// 7 (issue 9): the index of requests by form holds only the requests
	// on a form (a few in a hundred): every request of a national list
	// was an entry in it, NULL for most. form = ? implies form IS NOT
	// NULL, so the decisions' lookups still use it.
	`
DROP INDEX requests_form;
CREATE INDEX requests_form ON requests(form) WHERE form IS NOT NULL;
`,
	// 8 (issue 9): the requests that are active on no form (most: those
	// that need no signature) are a column of their person's
	// establishment row, a JSON array of their codes in code order,
	// instead of a row each of requests: a national list wrote some
	// 100 000 of those rows a run, most of the store's work. requests
	// keeps the rest, those a form and its decisions concern.
	// all_requests lists both, as requests did. An active request on no
	// form has no decision, and its last run is its establishment row's.
	`
ALTER TABLE person_establishments ADD COLUMN requests TEXT NOT NULL DEFAULT '[]';
UPDATE person_establishments SET requests = (
	SELECT json_group_array(r.habilitation ORDER BY r.habilitation) FROM requests r
	WHERE r.person = person_establishments.person AND r.finess = person_establishments.finess
		AND r.status = 'active' AND r.form IS NULL)
WHERE EXISTS (SELECT 1 FROM requests r
	WHERE r.person = person_establishments.person AND r.finess = person_establishments.finess
		AND r.status = 'active' AND r.form IS NULL);
DELETE FROM requests WHERE status = 'active' AND form IS NULL AND EXISTS (
	SELECT 1 FROM person_establishments pe WHERE pe.person = requests.person AND pe.finess = requests.finess);
CREATE VIEW all_requests (person, finess, habilitation, status, form, last_run, form_line, decided_by, decided_signer, decided_on, decision_reason) AS
	SELECT person, finess, habilitation, status, form, last_run, form_line, decided_by, decided_signer, decided_on, decision_reason FROM requests
	UNION ALL
	SELECT pe.person, pe.finess, j.value, 'active', NULL, pe.last_run, 0, '', '', '', ''
	FROM person_establishments pe, json_each(pe.requests) j;
`,
}

// migrate brings the schema up to date in one transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this dccprov knows (%d): use a newer dccprov", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		// PRAGMA takes no parameters; i is an int of ours.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	return tx.Commit()
}
