package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dccprov/dccprov/provision"
)

// Form is a signature form as the store records it.
type Form struct {
	Ref           string `json:"ref"`
	FINESS        string `json:"finess"`
	Establishment string `json:"establishment"`
	Digest        string `json:"digest"`
	Requests      int    `json:"requests"`
	Status        string `json:"status"` // FormPending, FormSigned or FormRejected
	Signer        string `json:"signer,omitempty"`
	SignedOn      string `json:"signed_on,omitempty"` // YYYY-MM-DD
	RejectReason  string `json:"reject_reason,omitempty"`
	RejectedOn    string `json:"rejected_on,omitempty"` // YYYY-MM-DD
	// Refused is the number of request lines the signer refused: on a
	// signed form, some of them; on a rejected one, all.
	Refused    int    `json:"refused"`
	CreatedRun int64  `json:"created_run"`
	CreatedOn  string `json:"created_on"` // YYYY-MM-DD
}

const formColumns = `ref, finess, establishment, digest, requests, status, signer, signed_on, reject_reason, rejected_on, refused, created_run, created_on`

func scanForm(sc interface{ Scan(...any) error }) (Form, error) {
	var f Form
	err := sc.Scan(&f.Ref, &f.FINESS, &f.Establishment, &f.Digest, &f.Requests, &f.Status,
		&f.Signer, &f.SignedOn, &f.RejectReason, &f.RejectedOn, &f.Refused, &f.CreatedRun, &f.CreatedOn)
	return f, err
}

// Forms returns the forms with the given status ("" for all), oldest
// first (by creation date, then reference).
func (s *Store) Forms(ctx context.Context, status string) ([]Form, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+formColumns+` FROM forms
		WHERE ? = '' OR status = ? ORDER BY created_on, ref`, status, status)
	if err != nil {
		return nil, fmt.Errorf("listing forms: %w", err)
	}
	defer rows.Close()
	var forms []Form
	for rows.Next() {
		f, err := scanForm(rows)
		if err != nil {
			return nil, fmt.Errorf("listing forms: %w", err)
		}
		forms = append(forms, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing forms: %w", err)
	}
	return forms, nil
}

// Form returns the form ref, or an error wrapping [ErrUnknownForm].
func (s *Store) Form(ctx context.Context, ref string) (Form, error) {
	f, err := scanForm(s.db.QueryRowContext(ctx, `SELECT `+formColumns+` FROM forms WHERE ref = ?`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Form{}, fmt.Errorf("form %s: %w", ref, ErrUnknownForm)
	}
	if err != nil {
		return Form{}, fmt.Errorf("reading form %s: %w", ref, err)
	}
	return f, nil
}

// ErrNoModel is returned by [Store.Model] for a form recorded by a dccprov
// that kept no copy of what it printed (schema version 1).
var ErrNoModel = errors.New("form recorded without its printed content")

// Model returns the form ref as it was printed, for [provision.WriteFormPDF].
// An unknown form wraps [ErrUnknownForm]; a form recorded before the store
// kept models wraps [ErrNoModel].
func (s *Store) Model(ctx context.Context, ref string) (provision.Form, error) {
	var model string
	err := s.db.QueryRowContext(ctx, "SELECT model FROM forms WHERE ref = ?", ref).Scan(&model)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return provision.Form{}, fmt.Errorf("form %s: %w", ref, ErrUnknownForm)
	case err != nil:
		return provision.Form{}, fmt.Errorf("reading form %s: %w", ref, err)
	case model == "":
		return provision.Form{}, fmt.Errorf("form %s: %w", ref, ErrNoModel)
	}
	return decodeModel(ref, model)
}

func decodeModel(ref, model string) (provision.Form, error) {
	var f provision.Form
	if err := json.Unmarshal([]byte(model), &f); err != nil {
		return provision.Form{}, fmt.Errorf("reading form %s: %w", ref, err)
	}
	return f, nil
}

// Sign records that the pending form ref was signed by signer on date: its
// requests become active. operator and date go to the audit trail. An
// unknown form wraps [ErrUnknownForm]; a form no longer pending wraps
// [ErrFormClosed]; a date before the form's creation wraps
// [ErrBeforeCreation].
func (s *Store) Sign(ctx context.Context, ref, signer, operator string, date time.Time) error {
	return s.decide(ctx, ref, operator, date, Decision{Signer: signer})
}

// Decision is the director's decision on a form signed line by line.
type Decision struct {
	Signer string
	// Refused are the numbers of the refused request lines, as printed
	// on the form ([provision.Form.RequestLines]); Reason says why.
	Refused []int
	Reason  string
	// all refuses the whole form ([Store.Reject]): no signer, every line.
	all bool
}

// ErrNoSuchLine is returned when a refused line number is not one the
// form prints.
var ErrNoSuchLine = errors.New("no such request line on the form")

// SignRefusing records that the pending form ref was signed by d.Signer
// on date with the lines d.Refused refused for d.Reason: those requests
// become rejected, the others active. Refusing every line rejects the
// form (status [FormRejected], with the signer kept). Besides the errors
// of [Store.Sign], a line the form does not print wraps [ErrNoSuchLine],
// and refusing a line of a form recorded without its model wraps
// [ErrNoModel].
func (s *Store) SignRefusing(ctx context.Context, ref string, d Decision, operator string, date time.Time) error {
	d.all = false
	return s.decide(ctx, ref, operator, date, d)
}

// Reject records that the pending form ref was refused for reason: its
// requests become rejected. Errors are as for [Store.Sign].
func (s *Store) Reject(ctx context.Context, ref, reason, operator string, date time.Time) error {
	return s.decide(ctx, ref, operator, date, Decision{Reason: reason, all: true})
}

// decide ends the pending form ref with the decision d, in one
// transaction: the form's status, each request's status and decision
// (line, operator, signer, date, reason), and an audit entry for the form
// and one per refused request.
func (s *Store) decide(ctx context.Context, ref, operator string, date time.Time, d Decision) error {
	t, err := s.begin(ctx, date, operator)
	if err != nil {
		return fmt.Errorf("updating form %s: %w", ref, err)
	}
	defer t.Rollback()
	var cur, created, finess, model string
	err = t.QueryRowContext(ctx, "SELECT status, created_on, finess, model FROM forms WHERE ref = ?", ref).Scan(&cur, &created, &finess, &model)
	day := date.Format(time.DateOnly)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("form %s: %w", ref, ErrUnknownForm)
	case err != nil:
		return fmt.Errorf("updating form %s: %w", ref, err)
	case cur != FormPending:
		return fmt.Errorf("form %s is %s: %w", ref, cur, ErrFormClosed)
	case day < created:
		return fmt.Errorf("form %s was printed on %s: %w", ref, created, ErrBeforeCreation)
	case len(d.Refused) > 0 && model == "":
		return fmt.Errorf("form %s: %w", ref, ErrNoModel)
	}
	var lines []provision.FormRequest
	if model != "" {
		f, err := decodeModel(ref, model)
		if err != nil {
			return err
		}
		lines = f.RequestLines()
	}
	refused := map[int]bool{}
	for _, n := range d.Refused {
		if n < 1 || n > len(lines) {
			return fmt.Errorf("form %s has %d request lines, not a line %d: %w", ref, len(lines), n, ErrNoSuchLine)
		}
		refused[n] = true
	}
	status, requestStatus := FormSigned, provision.RequestActive
	if d.all || (len(lines) > 0 && len(refused) == len(lines)) {
		status, requestStatus = FormRejected, provision.RequestRejected
	}
	if status == FormSigned {
		_, err = t.exec(`UPDATE forms SET status = ?, signer = ?, signed_on = ?, refused = ? WHERE ref = ?`, status, d.Signer, day, len(refused), ref)
	} else {
		_, err = t.exec(`UPDATE forms SET status = ?, signer = ?, signed_on = ?, reject_reason = ?, rejected_on = ?, refused = ? WHERE ref = ?`,
			status, d.Signer, signedOn(d, day), d.Reason, day, len(lines), ref)
	}
	if err != nil {
		return fmt.Errorf("updating form %s: %w", ref, err)
	}
	reason := ""
	if requestStatus == provision.RequestRejected {
		reason = d.Reason
	}
	res, err := t.exec(`UPDATE requests SET status = ?, decided_by = ?, decided_signer = ?, decided_on = ?, decision_reason = ? WHERE form = ?`,
		requestStatus, operator, d.Signer, day, reason, ref)
	if err != nil {
		return fmt.Errorf("updating requests of form %s: %w", ref, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("updating requests of form %s: %w", ref, err)
	}
	// Each request gets its line number; the refused ones their refusal.
	nRefused := 0
	for _, l := range lines {
		q := `UPDATE requests SET form_line = ? WHERE form = ? AND finess = ? AND habilitation = ? AND person = (SELECT key FROM persons WHERE uid = ?)`
		args := []any{l.Line, ref, finess, l.Code, l.UID}
		if refused[l.Line] && status == FormSigned {
			q = `UPDATE requests SET form_line = ?, status = ?, decision_reason = ? WHERE form = ? AND finess = ? AND habilitation = ? AND person = (SELECT key FROM persons WHERE uid = ?)`
			args = []any{l.Line, provision.RequestRejected, d.Reason, ref, finess, l.Code, l.UID}
		}
		res, err := t.exec(q, args...)
		if err != nil {
			return fmt.Errorf("updating requests of form %s: %w", ref, err)
		}
		m, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("updating requests of form %s: %w", ref, err)
		}
		if m == 0 || !refused[l.Line] && !d.all {
			continue
		}
		nRefused++
		// The reason is free text: it stays in the requests table, out
		// of the audit trail, which names only logins and references.
		if err := t.audit("request-refused", l.UID+" "+finess+" "+l.Code, fmt.Sprintf("line %d of %s", l.Line, ref)); err != nil {
			return fmt.Errorf("updating form %s: %w", ref, err)
		}
	}
	detail := fmt.Sprintf("%d requests %s", n, requestStatus)
	if status == FormSigned && nRefused > 0 {
		detail = fmt.Sprintf("%d requests active, %d rejected", n-int64(nRefused), nRefused)
	}
	if err := t.audit("form-"+status, ref, detail); err != nil {
		return fmt.Errorf("updating form %s: %w", ref, err)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("updating form %s: %w", ref, err)
	}
	return nil
}

// signedOn is the signature date of a rejected form: the day for a form
// signed with every line refused, none for a whole-form rejection.
func signedOn(d Decision, day string) string {
	if d.all {
		return ""
	}
	return day
}

// Event is one entry of the audit trail.
type Event struct {
	ID       int64  `json:"id"`
	Time     string `json:"time"` // RFC 3339
	Operator string `json:"operator"`
	Action   string `json:"action"` // run, person-added, form-created, form-signed …
	Object   string `json:"object"` // a uid, a REF, a file name
	Detail   string `json:"detail"`
}

// Audit returns the audit trail, oldest first, with the events a run
// packed (schema step 6) in their places.
func (s *Store) Audit(ctx context.Context) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, time, operator, action, object, detail FROM audit_events ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("reading audit trail: %w", err)
	}
	defer rows.Close()
	var events []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Time, &e.Operator, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, fmt.Errorf("reading audit trail: %w", err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading audit trail: %w", err)
	}
	return events, nil
}

// AddEvents appends events (their Action, Object and Detail) to the audit
// trail in one transaction, at time at, for operator: `ldap apply` records
// every directory operation this way once it is done, so that auditing
// costs one transaction, not one per operation.
func (s *Store) AddEvents(ctx context.Context, at time.Time, operator string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	t, err := s.begin(ctx, at, operator)
	if err != nil {
		return fmt.Errorf("recording audit events: %w", err)
	}
	defer t.Rollback()
	for _, e := range events {
		if err := t.audit(e.Action, e.Object, e.Detail); err != nil {
			return fmt.Errorf("recording audit events: %w", err)
		}
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("recording audit events: %w", err)
	}
	return nil
}

// ErrUnknownFormFile is returned by [Store.FormFile] for a SHA-256 that is
// no issued form file's.
var ErrUnknownFormFile = errors.New("no issued form file has this SHA-256")

// RecordFormFile records that a PDF file with the hex SHA-256 sum was
// issued for form ref on date. The same file issued again (the PDF is the
// same for the same date) is recorded once, with its first date.
func (s *Store) RecordFormFile(ctx context.Context, ref, sum string, date time.Time) error {
	if _, err := s.db.ExecContext(ctx, insertFormFile, sum, ref, date.Format(time.DateOnly)); err != nil {
		return fmt.Errorf("recording the file of form %s: %w", ref, s.concurrent(err))
	}
	return nil
}

const insertFormFile = `INSERT INTO form_files (sha256, ref, created_on) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`

// FormFile returns the form whose issued PDF file has the hex SHA-256 sum;
// an unknown sum wraps [ErrUnknownFormFile].
func (s *Store) FormFile(ctx context.Context, sum string) (string, error) {
	var ref string
	err := s.db.QueryRowContext(ctx, "SELECT ref FROM form_files WHERE sha256 = ?", sum).Scan(&ref)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", ErrUnknownFormFile
	case err != nil:
		return "", fmt.Errorf("reading form files: %w", err)
	}
	return ref, nil
}

// FormFiles returns the hex SHA-256 sums of the files issued for form ref,
// oldest first.
func (s *Store) FormFiles(ctx context.Context, ref string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT sha256 FROM form_files WHERE ref = ? ORDER BY created_on, sha256", ref)
	if err != nil {
		return nil, fmt.Errorf("reading the files of form %s: %w", ref, err)
	}
	defer rows.Close()
	var sums []string
	for rows.Next() {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			return nil, fmt.Errorf("reading the files of form %s: %w", ref, err)
		}
		sums = append(sums, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the files of form %s: %w", ref, err)
	}
	return sums, nil
}

// RecordFormFiles records, in the run's transaction and after RecordRun,
// the SHA-256 of each form PDF the run wrote (ref → hex sum); it
// implements [provision.FormFileRecorder].
func (r *runTx) RecordFormFiles(ctx context.Context, date time.Time, sums map[string]string) error {
	r.t.ctx = ctx
	for _, ref := range slices.Sorted(maps.Keys(sums)) {
		if _, err := r.t.exec(insertFormFile, sums[ref], ref, date.Format(time.DateOnly)); err != nil {
			return fmt.Errorf("recording the file of form %s: %w", ref, r.s.concurrent(err))
		}
	}
	return nil
}
