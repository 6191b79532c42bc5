package provision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
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

// Check reads and validates the staff list at path, and cross-checks it
// against the Annuaire Santé extract of cfg, if any.
func Check(ctx context.Context, path string, cfg *Config) (*Result, error) {
	t, err := ReadFile(ctx, path, cfg)
	if err != nil {
		return nil, err
	}
	v, err := NewValidator(cfg)
	if err != nil {
		return nil, err
	}
	dir, err := openDirectory(cfg)
	if err != nil {
		return nil, err
	}
	defer dir.close()
	people, problems, info, err := v.validateTable(ctx, t, dir)
	if err != nil {
		return nil, err
	}
	problems = append(append([]Problem(nil), t.Problems...), problems...)
	SortProblems(problems)
	r := &Result{
		Table:    t,
		People:   people,
		Problems: problems,
		Report:   NewReport(t, people, problems),
	}
	r.Report.Annuaire = info
	// The readiness of the establishments, as the stream counts it.
	sum := Summary{Checklists: t.Checklists}
	byRow := map[int][]Problem{}
	for _, p := range problems {
		byRow[p.Row] = append(byRow[p.Row], p)
	}
	for i := range people {
		sum.observe(&people[i], byRow[people[i].Row])
	}
	if err := sum.evaluateReadiness(cfg, nil, nil); err != nil {
		return nil, err
	}
	r.Report.Establishments = sum.Establishments
	return r, nil
}

// Batch is what [Run] did: the summary of the checked list, its people
// (one per row, with logins and request statuses set), the new signature
// forms, the forms of earlier runs still awaiting signature in the run's
// establishments (printed again), and the people the list no longer names.
type Batch struct {
	*Summary
	People  []Person
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
// The list streams as in [CheckFile]: a first pass keeps compact keys, a
// second writes the corrections workbook and the problems of the report as
// rows come; Run keeps the people (without their rows or problems) for the
// logins, the forms, the store and the import files, which are sorted.
//
// The store's transaction ([Store.BeginRun]) stays open until out is
// published, so a run that fails or is cancelled leaves neither outputs
// nor a record. Should the store fail to commit after publishing (rare:
// a full disk), the error wraps [ErrNotRecorded].
func Run(ctx context.Context, path string, out *OutDir, st Store, cfg *Config) (*Batch, error) {
	c, src, shape, sum, err := firstPass(ctx, path, cfg, true)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if sum.report, err = newReportSpool(); err != nil {
		return nil, err
	}
	defer sum.Close()
	// The store's transaction opens before the corrections workbook is
	// written: the workbook shows the refusals it records and the people
	// the list no longer names, which the store finds once every row is
	// read. Holding its lock from here, the run plans against one state.
	tx, err := st.BeginRun(ctx, cfg.Date, cfg.Operator)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // after Commit, does nothing
	state, err := tx.State(ctx)
	if err != nil {
		return nil, err
	}
	people := make([]Person, 0, sum.Rows.Read)
	var (
		b       *Batch
		adopted map[string]string
	)
	// The store records the run while the outputs are written: they only
	// read the people, and a national list gives each seconds of work. The
	// report, the summary and the corrections workbook, which name the
	// absent, wait for the store to find them, which it does before it
	// writes the run's rows.
	type recorded struct {
		absent []Absence
		err    error
	}
	var done chan recorded
	absentCh := make(chan []Absence, 1)
	var rec *recorded
	wait := func() recorded {
		if done == nil {
			return recorded{}
		}
		if rec == nil {
			r := <-done
			rec = &r
		}
		return *rec
	}
	defer wait() // before the transaction is rolled back
	// waitAbsent returns the absent, or the store's error when it failed
	// before finding them.
	var absentSeen []Absence
	absentKnown := false
	waitAbsent := func() ([]Absence, error) {
		if absentKnown {
			return absentSeen, nil
		}
		select {
		case a := <-absentCh:
			absentSeen, absentKnown = a, true
			return a, nil
		case r := <-done:
			rec = &r
			if r.err != nil {
				return nil, r.err
			}
			absentSeen, absentKnown = r.absent, true
			return r.absent, nil
		}
	}
	// plan gives the logins, plans the forms and starts recording the
	// run, once pass 2 has every person.
	plan := func() error {
		known, err := tx.Logins(ctx)
		if err != nil {
			return err
		}
		adopted = AdoptedKeys(people, known)
		assignUIDs(people, known, adopted)
		state.rekey(adopted)
		b = &Batch{Summary: sum, People: people, Forms: PlanForms(people, state, cfg), Pending: pendingForms(state, people)}
		if err := sum.evaluateReadiness(cfg, b.Forms, b.Pending); err != nil {
			return err
		}
		done = make(chan recorded, 1)
		go func() {
			absent, err := tx.RecordRun(ctx, RunRecord{
				Input:    sum.Input,
				Rows:     sum.Rows,
				Date:     cfg.Date,
				Operator: cfg.Operator,
				People:   people,
				Forms:    b.Forms,
				Rekeyed:  adopted,
				Absent:   func(a []Absence) { absentCh <- a },

				Readiness:  sum.Establishments,
				Checklists: sum.Checklists,
			})
			done <- recorded{absent, err}
		}()
		return nil
	}
	decisions := newRunDecisions(src.Columns, state, cfg, waitAbsent)
	err = out.WriteFile("corrections.xlsx", func(w io.Writer) error {
		cw, err := newCorrectionsStreamFor(w, src, shape, sum, cfg, correctionsProblemsPerSheet, decisions)
		if err != nil {
			return err
		}
		defer cw.abort()
		keep := func(p Person) { people = append(people, p) }
		if err := c.pass2(ctx, src, passOut{cw: cw, sum: sum, keep: keep}); err != nil {
			return err
		}
		if err := plan(); err != nil {
			return err
		}
		return cw.close()
	})
	if err != nil {
		return nil, err
	}
	src.Close()

	// The PDFs (forms and readiness sheets) are written in a lane of their
	// own while the import files and reports are written in another and the
	// store records the run: once the store is done, one lane would leave a
	// core idle. Each file is whole or absent either way, and the folder is
	// only published once both lanes are done.
	var pdfs []outFile
	// The SHA-256 of each form PDF written, for the store
	// (FormFileRecorder); only the PDF lane writes it, until it is done.
	formSums := map[string]string{}
	for _, f := range slices.Concat(b.Forms, b.Pending) {
		pdfs = append(pdfs, outFile{name: "forms/" + f.Ref + ".pdf", write: func(w io.Writer) error {
			h := sha256.New()
			if err := WriteFormPDF(io.MultiWriter(w, h), f, cfg); err != nil {
				return err
			}
			formSums[f.Ref] = hex.EncodeToString(h.Sum(nil))
			return nil
		}})
	}
	for _, r := range sum.Establishments {
		pdfs = append(pdfs, outFile{name: readinessFile(r), write: func(w io.Writer) error { return WriteReadinessPDF(w, r, cfg) }})
	}
	// The accounts, sorted once for the three import files: by the first
	// of them, in their lane, while the PDFs are drawn.
	var accounts []*Person
	var forms []FormRef
	var absent []Absence
	files := []outFile{
		{name: "accounts.csv",
			before: func(context.Context) error { accounts = accountsOf(people); return nil },
			write:  func(w io.Writer) error { return writeAccountsCSV(w, accounts, cfg) }},
		{name: "habilitations.csv", write: func(w io.Writer) error { return writeHabilitationsCSV(w, accounts) }},
		{name: "accounts.ldif", write: func(w io.Writer) error { return writeLDIFEntries(w, accounts, cfg) }},
		{name: "report.json",
			// The report names the absent, which the store finds.
			before: func(context.Context) error {
				a, err := waitAbsent()
				if err != nil {
					return err
				}
				b.Absent = slices.Clone(a)
				absent = append([]Absence{}, b.Absent...)
				forms = formRefs(b.Forms)
				return nil
			},
			write: func(w io.Writer) error {
				return sum.report.writeTo(w, sum.Input, sum.Annuaire, sum.Rows, people, forms, absent, sum.Establishments)
			}},
		{name: "summary.html", write: func(w io.Writer) error {
			return writeSummaryHTML(w, Report{Input: sum.Input, Rows: sum.Rows, Establishments: sum.Establishments}, sum.PerCode, people, b, cfg)
		}},
	}
	step(cfg.Progress, "writing outputs", len(files)+len(pdfs))
	if err := writeLanes(ctx, out, cfg.Progress, files, pdfs); err != nil {
		return nil, err
	}
	if r := wait(); r.err != nil {
		return nil, r.err
	}
	if ff, ok := tx.(FormFileRecorder); ok && len(formSums) > 0 {
		if err := ff.RecordFormFiles(ctx, cfg.Date, formSums); err != nil {
			return nil, err
		}
	}
	if err := out.Commit(); err != nil {
		return nil, fmt.Errorf("publishing the outputs in %s: %w", out.Path(), err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("outputs published in %s but %w (%v); run again with --replace", out.Path(), ErrNotRecorded, err)
	}
	return b, nil
}

// An outFile is one file of a run's outputs: before, when set, runs first
// (in the file's lane) and its error is returned as is; write's error names
// the file.
type outFile struct {
	name   string
	before func(context.Context) error
	write  func(io.Writer) error
}

// writeLanes writes each lane of files into out, one after the other
// within a lane, the lanes at the same time, telling p. The first lane to
// fail stops the others between two files (so that a broken logo does not
// wait for a national list's import files), and writeLanes returns that
// first error, or ctx's once it is done.
func writeLanes(ctx context.Context, out *OutDir, p Progress, lanes ...[]outFile) error {
	// The cause of lanesCtx is the first lane's error: the lanes it stops
	// fail with context.Canceled after it, which does not replace it.
	lanesCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var wg sync.WaitGroup
	for _, files := range lanes {
		wg.Go(func() {
			if err := writeOutFiles(lanesCtx, out, files, p); err != nil {
				stop(err)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return context.Cause(lanesCtx)
}

// writeOutFiles writes files into out one after the other, telling p, and
// stops at the first error or when ctx is done.
func writeOutFiles(ctx context.Context, out *OutDir, files []outFile, p Progress) error {
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p != nil {
			p.Describe(f.name)
		}
		if f.before != nil {
			if err := f.before(ctx); err != nil {
				return err
			}
		}
		// WriteFile's error names the file already.
		if err := out.WriteFile(f.name, f.write); err != nil {
			return err
		}
		if p != nil {
			p.Add(1)
		}
	}
	return nil
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
	for i := range people {
		if hasAccount(&people[i]) {
			out = append(out, people[i])
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
