package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// FileSHA256 is the lowercase hex SHA-256 of data, as form_files keeps it.
func FileSHA256(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// RecordFormFile records that the PDF bytes data were issued for form ref on
// date. Issuing the same bytes again keeps the first date.
func (s *Store) RecordFormFile(ctx context.Context, ref string, data []byte, date time.Time) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO form_files (sha256, ref, created_on) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		FileSHA256(data), ref, date.Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("recording the issued file of form %s: %w", ref, err)
	}
	return nil
}

// FormFileRef returns the form an issued file's SHA-256 (lowercase hex)
// belongs to, and false if no issued file has it.
func (s *Store) FormFileRef(ctx context.Context, sum string) (string, bool, error) {
	var ref string
	err := s.db.QueryRowContext(ctx, `SELECT ref FROM form_files WHERE sha256 = ?`, sum).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("looking up an issued form file: %w", err)
	}
	return ref, true, nil
}

// FormFiles returns the SHA-256s of the files issued for form ref, oldest first.
func (s *Store) FormFiles(ctx context.Context, ref string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sha256 FROM form_files WHERE ref = ? ORDER BY created_on, sha256`, ref)
	if err != nil {
		return nil, fmt.Errorf("listing the issued files of form %s: %w", ref, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// RecordFormFiles records, in the run's transaction, the SHA-256 of each
// form PDF the run wrote (by REF); it implements [provision.FormFileRecorder].
func (r *runTx) RecordFormFiles(ctx context.Context, sums map[string]string) error {
	day := r.t.time[:len(time.DateOnly)] // the run's date, from its RFC 3339 time
	for _, ref := range slices.Sorted(maps.Keys(sums)) {
		if _, err := r.t.exec(`INSERT INTO form_files (sha256, ref, created_on) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			sums[ref], ref, day); err != nil {
			return fmt.Errorf("recording the issued file of form %s: %w", ref, err)
		}
	}
	return nil
}
