package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dccprov/dccprov/provision"
)

// ReadinessRecord is the readiness of one establishment at one run.
type ReadinessRecord struct {
	Run    int64  // the run's id
	Date   string // the run's date, YYYY-MM-DD
	FINESS string // the establishment's FINESS, or nom:<name> for one given by name only
	Name   string
	Status provision.ReadinessStatus
	// Readiness is the evaluation as recorded; Checklist what the
	// referent said (nil when the list had no row for the establishment).
	// The checklist names the contacts: personal data, never logged.
	Readiness provision.Readiness
	Checklist *provision.Checklist
}

// recordReadiness records the readiness of each establishment of the run,
// with one audit event for each establishment whose status changed since
// the last run that evaluated it (none for an establishment first seen).
func (t *tx) recordReadiness(run int64, r provision.RunRecord) error {
	seen := map[string]bool{}
	for _, e := range r.Readiness {
		key := provision.Establishment{FINESS: e.FINESS, Name: e.Name}.Key() // as forms and requests key it
		if key == "nom:" {
			return fmt.Errorf("readiness of an establishment with neither FINESS nor name")
		}
		if seen[key] {
			return fmt.Errorf("readiness of establishment %s given twice", key)
		}
		seen[key] = true
		switch e.Status {
		case provision.Ready, provision.ToConfirm, provision.Blocking:
		default:
			return fmt.Errorf("readiness of establishment %s: unknown status %q", key, e.Status)
		}
		model, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("readiness of establishment %s: %w", key, err)
		}
		checklist := ""
		if c, ok := r.Checklists[e.FINESS]; ok && e.FINESS != "" {
			b, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("checklist of establishment %s: %w", key, err)
			}
			checklist = string(b)
		}
		var prev string
		err = t.QueryRowContext(t.ctx, "SELECT status FROM readiness WHERE finess = ? AND run < ? ORDER BY run DESC LIMIT 1", key, run).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := t.exec("INSERT INTO readiness (run, finess, name, status, readiness, checklist) VALUES (?, ?, ?, ?, ?, ?)",
			run, key, e.Name, string(e.Status), string(model), checklist); err != nil {
			return fmt.Errorf("readiness of establishment %s: %w", key, err)
		}
		if prev != "" && prev != string(e.Status) {
			if err := t.audit("readiness-changed", key, prev+" → "+string(e.Status)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Readiness returns the latest recorded readiness of every establishment
// (of finess only, when not ""), by FINESS.
func (s *Store) Readiness(ctx context.Context, finess string) ([]ReadinessRecord, error) {
	return s.queryReadiness(ctx, `SELECT g.run, r.date, g.finess, g.name, g.status, g.readiness, g.checklist
		FROM readiness g JOIN runs r ON r.id = g.run
		WHERE g.run = (SELECT MAX(run) FROM readiness l WHERE l.finess = g.finess) AND (? = '' OR g.finess = ?)
		ORDER BY g.finess`, finess)
}

// ReadinessHistory returns every recorded readiness of every establishment
// (of finess only, when not ""), by FINESS then run, oldest first.
func (s *Store) ReadinessHistory(ctx context.Context, finess string) ([]ReadinessRecord, error) {
	return s.queryReadiness(ctx, `SELECT g.run, r.date, g.finess, g.name, g.status, g.readiness, g.checklist
		FROM readiness g JOIN runs r ON r.id = g.run
		WHERE ? = '' OR g.finess = ?
		ORDER BY g.finess, g.run`, finess)
}

func (s *Store) queryReadiness(ctx context.Context, query, finess string) ([]ReadinessRecord, error) {
	rows, err := s.db.QueryContext(ctx, query, finess, finess)
	if err != nil {
		return nil, fmt.Errorf("reading readiness: %w", err)
	}
	defer rows.Close()
	var out []ReadinessRecord
	for rows.Next() {
		var (
			rec              ReadinessRecord
			status, model, c string
		)
		if err := rows.Scan(&rec.Run, &rec.Date, &rec.FINESS, &rec.Name, &status, &model, &c); err != nil {
			return nil, fmt.Errorf("reading readiness: %w", err)
		}
		rec.Status = provision.ReadinessStatus(status)
		if err := json.Unmarshal([]byte(model), &rec.Readiness); err != nil {
			return nil, fmt.Errorf("reading readiness of %s at run %d: %w", rec.FINESS, rec.Run, err)
		}
		if c != "" {
			rec.Checklist = new(provision.Checklist)
			if err := json.Unmarshal([]byte(c), rec.Checklist); err != nil {
				return nil, fmt.Errorf("reading checklist of %s at run %d: %w", rec.FINESS, rec.Run, err)
			}
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading readiness: %w", err)
	}
	return out, nil
}
