package provision

import (
	"context"
)

// Result is a checked staff list.
type Result struct {
	Table    *Table
	People   []Person // one per row read, in file order
	Problems []Problem
	Report   Report
}

// Rejected reports whether any row was rejected.
func (r *Result) Rejected() bool { return r.Report.Rows.Rejected > 0 }

// Check reads and validates the staff list at path.
func Check(ctx context.Context, path string, cfg *Config) (*Result, error) {
	t, err := ReadFile(ctx, path, cfg)
	if err != nil {
		return nil, err
	}
	people, problems := Validate(t, cfg)
	problems = append(append([]Problem(nil), t.Problems...), problems...)
	SortProblems(problems)
	return &Result{
		Table:    t,
		People:   people,
		Problems: problems,
		Report:   NewReport(t, people, problems),
	}, nil
}
