package provision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
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
	v, err := NewValidator(cfg)
	if err != nil {
		return nil, err
	}
	people, problems := v.Validate(t)
	problems = append(append([]Problem(nil), t.Problems...), problems...)
	SortProblems(problems)
	return &Result{
		Table:    t,
		People:   people,
		Problems: problems,
		Report:   NewReport(t, people, problems),
	}, nil
}

// Batch is what [Run] did: the checked list, with logins and request
// statuses set, the new signature forms, the forms of earlier runs still
// awaiting signature in the run's establishments (printed again), and the
// people the list no longer names.
type Batch struct {
	*Result
	Forms   []Form
	Pending []Form
	Absent  []Absence
}

// ErrNotRecorded is wrapped by [Run] when the outputs were published but
// the store could not record the run: the outputs then name forms the
// store does not know.
var ErrNotRecorded = errors.New("the run is not recorded in the store")

// Run is the whole batch: it checks the list at path, gives logins, plans
// the signature forms against the store, writes every output into out,
// publishes out ([OutDir.Commit]) and records the run in st.
//
// The store's transaction ([Store.BeginRun]) stays open until out is
// published, so a run that fails or is cancelled leaves neither outputs
// nor a record. Should the store fail to commit after publishing (rare:
// a full disk), the error wraps [ErrNotRecorded].
func Run(ctx context.Context, path string, out *OutDir, st Store, cfg *Config) (*Batch, error) {
	res, err := Check(ctx, path, cfg)
	if err != nil {
		return nil, err
	}
	tx, err := st.BeginRun(ctx, cfg.Date, cfg.Operator)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // after Commit, does nothing
	known, err := tx.Logins(ctx)
	if err != nil {
		return nil, err
	}
	adopted := AdoptedKeys(res.People, known)
	assignUIDs(res.People, known, adopted)
	state, err := tx.State(ctx)
	if err != nil {
		return nil, err
	}
	state.rekey(adopted)
	b := &Batch{Result: res, Forms: PlanForms(res.People, state, cfg), Pending: pendingForms(state, res.People)}
	b.Report = NewReport(res.Table, res.People, res.Problems)
	b.Absent, err = tx.RecordRun(ctx, RunRecord{
		Input:    res.Table.Input,
		Rows:     b.Report.Rows,
		Date:     cfg.Date,
		Operator: cfg.Operator,
		People:   res.People,
		Forms:    b.Forms,
		Rekeyed:  adopted,
	})
	if err != nil {
		return nil, err
	}
	b.Report.Absent = append([]Absence{}, b.Absent...)
	b.Report.Forms = formRefs(b.Forms)

	accounts := Accounts(res.People)
	type file struct {
		name  string
		write func(io.Writer) error
	}
	files := []file{
		{"accounts.csv", func(w io.Writer) error { return WriteAccountsCSV(w, accounts, cfg) }},
		{"habilitations.csv", func(w io.Writer) error { return WriteHabilitationsCSV(w, accounts) }},
		{"accounts.ldif", func(w io.Writer) error { return WriteLDIF(w, accounts, cfg) }},
		{"corrections.xlsx", func(w io.Writer) error {
			return WriteCorrections(w, res.Table, res.People, res.Problems, cfg.Date)
		}},
	}
	for _, f := range slices.Concat(b.Forms, b.Pending) {
		files = append(files, file{"forms/" + f.Ref + ".pdf", func(w io.Writer) error { return WriteFormPDF(w, f, cfg) }})
	}
	files = append(files,
		file{"report.json", func(w io.Writer) error { return WriteReport(w, b.Report) }},
		file{"summary.html", func(w io.Writer) error { return WriteSummaryHTML(w, b.Report, res.People) }},
	)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// WriteFile's error names the file already.
		if err := out.WriteFile(f.name, f.write); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := out.Commit(); err != nil {
		return nil, fmt.Errorf("publishing the outputs in %s: %w", out.Path(), err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("outputs published in %s but %w (%v); run again with --replace", out.Path(), ErrNotRecorded, err)
	}
	return b, nil
}

// pendingForms returns the forms of state still awaiting signature for an
// establishment of people, by reference. A run prints them again: DIR/forms
// holds every form awaiting signature for the run's establishments, and a
// request already on a pending form is not put on a new one.
func pendingForms(state *State, people []Person) []Form {
	if state == nil {
		return nil
	}
	est := map[string]bool{}
	for _, p := range people {
		est[p.Establishment.Key()] = true
	}
	var forms []Form
	for _, f := range state.Pending {
		if est[f.Establishment.Key()] {
			forms = append(forms, f)
		}
	}
	slices.SortFunc(forms, func(a, b Form) int { return strings.Compare(a.Ref, b.Ref) })
	return forms
}

// Accounts returns the people that get an account line: accepted rows,
// without the exact repeats of an earlier row ([Person.DuplicateOf]).
func Accounts(people []Person) []Person {
	var out []Person
	for _, p := range people {
		if p.Status == StatusAccepted && p.DuplicateOf == 0 {
			out = append(out, p)
		}
	}
	return out
}

func formRefs(forms []Form) []FormRef {
	refs := []FormRef{}
	for _, f := range forms {
		refs = append(refs, FormRef{Ref: f.Ref, FINESS: f.Establishment.FINESS, Requests: f.Requests, Digest: f.Digest})
	}
	return refs
}
