package provision

import (
	"context"
	"fmt"
	"io"
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
// statuses set, the new signature forms and the people the list no longer
// names.
type Batch struct {
	*Result
	Forms  []Form
	Absent []Absence
}

// Run is the whole batch: it checks the list at path, gives logins, plans the
// signature forms against the store, writes every output into out, and
// records the run in st. The caller commits out once Run returns without
// error, so a failed run leaves no output and no record.
func Run(ctx context.Context, path string, out *OutDir, st Store, cfg *Config) (*Batch, error) {
	res, err := Check(ctx, path, cfg)
	if err != nil {
		return nil, err
	}
	known, err := st.Logins(ctx)
	if err != nil {
		return nil, err
	}
	AssignUIDs(res.People, known)
	state, err := st.State(ctx)
	if err != nil {
		return nil, err
	}
	b := &Batch{Result: res, Forms: PlanForms(res.People, state, cfg)}
	b.Report = NewReport(res.Table, res.People, res.Problems)

	accounts := Accounts(res.People)
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"accounts.csv", func(w io.Writer) error { return WriteAccountsCSV(w, accounts, cfg) }},
		{"habilitations.csv", func(w io.Writer) error { return WriteHabilitationsCSV(w, accounts) }},
		{"accounts.ldif", func(w io.Writer) error { return WriteLDIF(w, accounts, cfg) }},
		{"corrections.xlsx", func(w io.Writer) error {
			return WriteCorrections(w, res.Table, res.People, res.Problems, cfg.Date)
		}},
	}
	for _, f := range b.Forms {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{"forms/" + f.Ref + ".pdf", func(w io.Writer) error { return WriteFormPDF(w, f, cfg) }})
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := out.WriteFile(f.name, f.write); err != nil {
			return nil, fmt.Errorf("writing %s: %w", f.name, err)
		}
	}

	b.Absent, err = st.RecordRun(ctx, RunRecord{
		Input:    res.Table.Input,
		Rows:     b.Report.Rows,
		Date:     cfg.Date,
		Operator: cfg.Operator,
		People:   res.People,
		Forms:    b.Forms,
	})
	if err != nil {
		return nil, fmt.Errorf("recording the run: %w", err)
	}
	b.Report.Absent = b.Absent
	b.Report.Forms = formRefs(b.Forms)
	if err := out.WriteFile("report.json", func(w io.Writer) error { return WriteReport(w, b.Report) }); err != nil {
		return nil, fmt.Errorf("writing report.json: %w", err)
	}
	if err := out.WriteFile("summary.html", func(w io.Writer) error {
		return WriteSummaryHTML(w, b.Report, res.People)
	}); err != nil {
		return nil, fmt.Errorf("writing summary.html: %w", err)
	}
	return b, nil
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
