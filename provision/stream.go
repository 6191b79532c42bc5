package provision

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Summary is what a streamed check found, without its rows: the counts,
// the problems per code and the first problems, for the terminal and the
// logs. The problems are in the corrections workbook and the report.
type Summary struct {
	Input    Input
	Rows     Counts
	Problems int // every problem of the list
	PerCode  map[Code]int
	// First are the first problems in report order, at most
	// [SummaryProblems]; FirstErrors the first of severity error.
	First, FirstErrors []Problem
	// Annuaire is the Annuaire Santé extract the list was checked
	// against, nil for none.
	Annuaire *DirectoryInfo
	// Checklists are the establishments' checklists read from the sheet
	// « Établissements » or « Prérequis », by FINESS (issue 14, Part A);
	// nil when the list has none.
	Checklists map[string]Checklist
	// Establishments is the readiness of each establishment of the list,
	// sorted by FINESS (issue 14, Part B); set once the list has streamed
	// with its people checked (check --json, run), else nil.
	Establishments []Readiness

	report *reportSpool
	tally  map[string]*readinessTally // per establishment key
}

// SummaryProblems is how many problems a [Summary] keeps of each kind.
const SummaryProblems = 40

// Rejected reports whether any row was rejected.
func (s *Summary) Rejected() bool { return s.Rows.Rejected > 0 }

// WriteReport writes the JSON report of the check (what [WriteReport]
// writes of the [Report] of [Check]); [CheckFile] must have been asked to
// keep it.
func (s *Summary) WriteReport(w io.Writer) error {
	if s.report == nil {
		return fmt.Errorf("writing report: the check kept none")
	}
	return s.report.writeTo(w, s.Input, s.Annuaire, s.Rows, nil, nil, nil, s.Establishments)
}

// Close removes what the summary keeps on disk for its report.
func (s *Summary) Close() {
	if s.report != nil {
		s.report.close()
	}
}

// collect notes the problems of a row and keeps them, and its person when
// not nil, for the report (when one is kept).
func (s *Summary) collect(p *Person, ps []Problem) error {
	for _, pr := range ps {
		s.note(pr)
	}
	if s.report == nil {
		return nil
	}
	return s.report.add(p, ps)
}

func (s *Summary) note(p Problem) {
	if len(s.First) < SummaryProblems {
		s.First = append(s.First, p)
	}
	if p.Severity == SeverityError && len(s.FirstErrors) < SummaryProblems {
		s.FirstErrors = append(s.FirstErrors, p)
	}
}

// CheckFile checks the staff list at path as [Check] does, streaming it:
// a first pass validates every row keeping only compact keys, the cross-row
// checks are resolved, and a second pass writes the corrections workbook to
// corrections (when not nil) as rows come. Memory does not grow with the
// rows or their problems, but for a few words of keys per row. With
// keepReport, the JSON report is kept on disk (a private temporary folder)
// for [Summary.WriteReport]; call [Summary.Close] when done.
func CheckFile(ctx context.Context, path string, cfg *Config, corrections io.Writer, keepReport bool) (*Summary, error) {
	c, src, shape, sum, err := firstPass(ctx, path, cfg, keepReport) // the report lists every person
	if err != nil {
		return nil, err
	}
	defer src.Close()
	ok := false
	if keepReport {
		if sum.report, err = newReportSpool(); err != nil {
			return nil, err
		}
		defer func() {
			if !ok {
				sum.Close()
			}
		}()
	}
	var cw *correctionsStream
	if corrections != nil {
		if cw, err = newCorrectionsStream(corrections, src, shape, sum, cfg); err != nil {
			return nil, err
		}
		defer cw.abort()
	}
	err = c.pass2(ctx, src, passOut{cw: cw, sum: sum})
	if err != nil {
		return nil, err
	}
	if keepReport {
		// Only the list's own facts: check has no store, so no forms.
		if err := sum.evaluateReadiness(cfg, nil, nil); err != nil {
			return nil, err
		}
	}
	if cw != nil {
		if err := cw.close(); err != nil {
			return nil, err
		}
	}
	ok = true
	return sum, nil
}

// firstPass opens the list at path and makes the checker's first pass over
// it, then reads the Annuaire Santé extract of cfg, if any, for the list's
// identifiers. The caller closes the source.
//
// With everyRow (pass 2 needs every row's person: a run, a report), pass
// 1 keeps the check of every row it can, not only of those with a problem
// ([checker.checks]).
func firstPass(ctx context.Context, path string, cfg *Config, everyRow bool) (*checker, *source, listShape, *Summary, error) {
	v, err := NewValidator(cfg)
	if err != nil {
		return nil, nil, listShape{}, nil, err
	}
	src, err := openFile(ctx, path, cfg)
	if err != nil {
		return nil, nil, listShape{}, nil, err
	}
	// The extract's header is read now: a file that is not one fails
	// before the list is.
	dir, err := openDirectory(cfg)
	if err != nil {
		src.Close()
		return nil, nil, listShape{}, nil, err
	}
	defer dir.close()
	c := newChecker(v)
	c.dir = dir
	c.everyRow = everyRow
	shape, err := c.pass1(ctx, src)
	if err != nil {
		src.Close()
		return nil, nil, listShape{}, nil, err
	}
	src.alsoClose(closerFunc(c.endChecks)) // should pass 2 never come
	return c, src, shape, c.summary(src), nil
}

// listShape is what pass 1 learns of the list's layout: the widest row,
// for the corrections workbook.
type listShape struct {
	width int
}

// pass1 reads every row of src into c and resolves the cross-row checks.
func (c *checker) pass1(ctx context.Context, src *source) (listShape, error) {
	var shape listShape
	for _, p := range src.Problems {
		c.perCode[p.Code]++
	}
	step(src.progress, "reading rows", -1)
	c.checks = newCheckSpool()
	err := src.passRows(ctx, func(r Row, read []Problem) error {
		shape.width = max(shape.width, len(r.Values))
		c.first(r, read)
		return nil
	})
	if c.checks != nil && (err != nil || !c.checks.finish()) {
		c.endChecks() // pass 2 checks every row again
	}
	if err != nil {
		return shape, err
	}
	if c.dir != nil {
		if err := c.dir.load(ctx); err != nil {
			return shape, err
		}
	}
	c.resolve()
	return shape, nil
}

// summary returns the summary of the list after pass 1.
func (c *checker) summary(src *source) *Summary {
	n := 0
	for _, k := range c.perCode {
		n += k
	}
	return &Summary{Input: src.Input, Rows: c.rows, Problems: n, PerCode: c.perCode, Annuaire: c.dirInfo(), Checklists: src.Checklists}
}

// dirInfo is the report's account of the extract, nil without one.
func (c *checker) dirInfo() *DirectoryInfo {
	if c.dir == nil {
		return nil
	}
	info := c.dir.info
	return &info
}

// passOut is where pass 2 writes: the corrections workbook (nil: none),
// the summary and its report, and the people a caller keeps (keep, for
// [Run], which reports them once their logins are set; nil: each person
// goes into the report as it comes, if a report is kept).
type passOut struct {
	cw   *correctionsStream
	sum  *Summary
	keep func(Person)
}

// people reports whether pass 2 needs every row's person. Without, a row
// that pass 1 found without a problem but those of reading it is not
// checked again: it is only copied with the repairs of its cells.
func (o passOut) people() bool { return o.keep != nil || o.sum.report != nil }

// row writes one row of pass 2: its person (nil when not checked again)
// and every problem of the row, sorted.
func (o passOut) row(p *Person, r *Row, ps []Problem) error {
	if o.cw != nil {
		o.cw.run.person(p) // its refused requests, for a run
	}
	o.sum.observe(p, ps)
	if o.keep != nil {
		o.keep(*p)
		p = nil // reported by the caller
	}
	if o.cw != nil {
		if err := o.cw.row(r, ps); err != nil {
			return err
		}
	}
	return o.sum.collect(p, ps)
}

// list writes the problems of the list itself, which come first.
func (o passOut) list(ps []Problem) error {
	if o.cw != nil {
		if err := o.cw.list(ps); err != nil {
			return err
		}
	}
	return o.sum.collect(nil, ps)
}

// pass2 reads src again and writes to out the problems of the list
// itself, then each row with its person and every problem of the row,
// sorted: in the order of the report.
func (c *checker) pass2(ctx context.Context, src *source, out passOut) error {
	if len(src.Problems) > 0 {
		if err := out.list(src.Problems); err != nil {
			return err
		}
	}
	people := out.people()
	name := "checking rows"
	if out.cw != nil {
		name = "checking rows, writing corrections.xlsx"
	}
	step(src.progress, name, c.rows.Read)
	var all []Problem
	c.startChecks()
	defer c.endChecks()
	return src.againRows(ctx, c.verbatim, func(r Row, read []Problem) error {
		if !people && c.clean() {
			all = append(all[:0], read...)
			SortProblems(all)
			return out.row(nil, &r, all)
		}
		p, ps := c.second(r, read)
		all = append(append(all[:0], read...), ps...)
		SortProblems(all)
		return out.row(&p, &r, all)
	})
}

// reportSpool keeps the problems and people of a report, encoded, in
// files of a private temporary folder while the list streams, and writes
// the report whole once its counts are known.
type reportSpool struct {
	dir              string
	problems, people *spool
}

// spool is one JSON array being written to a file, element by element.
type spool struct {
	f *os.File
	w *bufio.Writer
	n int
	j *reportJSON // people and problems, as WriteReport's encoder writes them
	b []byte      // the element being written
}

func newReportSpool() (*reportSpool, error) {
	dir, err := os.MkdirTemp("", "dccprov-report-") // 0700
	if err != nil {
		return nil, fmt.Errorf("keeping the report: %w", err)
	}
	r := &reportSpool{dir: dir}
	for _, s := range []**spool{&r.problems, &r.people} {
		f, err := os.CreateTemp(dir, "part-") // 0600
		if err != nil {
			r.close()
			return nil, fmt.Errorf("keeping the report: %w", err)
		}
		*s = newSpool(bufio.NewWriterSize(f, 64<<10))
		(*s).f = f
	}
	return r, nil
}

// newSpool returns an array written to w, element by element.
func newSpool(w *bufio.Writer) *spool {
	return &spool{w: w, j: newReportJSON()}
}

// end closes an array of n elements whose elements w holds.
func endArray(w *bufio.Writer, n int) {
	if n == 0 {
		w.WriteString("]")
		return
	}
	w.WriteString("\n  ]")
}

// addPerson and addProblem add one element, as [WriteReport]'s encoder
// writes it inside the report's array: on its own line, indented by four
// spaces.
func (s *spool) addPerson(p *Person) error {
	s.b = s.j.person(s.b[:0], p)
	return s.element(s.b)
}

func (s *spool) addProblem(pr *Problem) error {
	s.b = s.j.problem(s.b[:0], pr)
	return s.element(s.b)
}

func (s *spool) element(b []byte) error {
	sep := ",\n    "
	if s.n == 0 {
		sep = "\n    "
	}
	s.n++
	if _, err := s.w.WriteString(sep); err != nil {
		return err
	}
	_, err := s.w.Write(b)
	return err
}

// copyTo writes the array: "[]" when empty.
func (s *spool) copyTo(w *bufio.Writer) error {
	w.WriteString("[")
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(w, s.f); err != nil {
		return err
	}
	endArray(w, s.n)
	return nil
}

// add records a row's person (nil for the problems of the list itself)
// and problems.
func (r *reportSpool) add(p *Person, ps []Problem) error {
	for i := range ps {
		if err := r.problems.addProblem(&ps[i]); err != nil {
			return fmt.Errorf("keeping the report: %w", err)
		}
	}
	if p != nil {
		if err := r.people.addPerson(p); err != nil {
			return fmt.Errorf("keeping the report: %w", err)
		}
	}
	return nil
}

// writeTo writes the report: people from the spool, or from people when
// not nil (a run, which sets logins and request statuses after the pass);
// forms and absent are a run's ([Report.Forms], [Report.Absent]); dir is
// the Annuaire Santé extract ([Report.Annuaire]), nil for none.
func (r *reportSpool) writeTo(w io.Writer, in Input, dir *DirectoryInfo, rows Counts, people []Person, forms []FormRef, absent []Absence, ests []Readiness) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	// Every value is encoded as WriteReport's encoder does: indented,
	// without escaping &, < and > (names of establishments have them).
	sep := "\n"
	key := func(name string) {
		fmt.Fprintf(bw, "%s  %q: ", sep, name)
		sep = ",\n"
	}
	field := func(name string, v any) error {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("  ", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		key(name)
		_, err := bw.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
		return err
	}
	write := func() error {
		bw.WriteString("{")
		if err := field("input", in); err != nil {
			return err
		}
		if dir != nil {
			if err := field("annuaire", dir); err != nil {
				return err
			}
		}
		if err := field("rows", rows); err != nil {
			return err
		}
		key("problems")
		if err := r.problems.copyTo(bw); err != nil {
			return err
		}
		key("people")
		if people == nil {
			if err := r.people.copyTo(bw); err != nil {
				return err
			}
		} else {
			bw.WriteString("[")
			s := newSpool(bw)
			for i := range people {
				if err := s.addPerson(&people[i]); err != nil {
					return err
				}
			}
			endArray(bw, s.n)
		}
		// A run's fields; check's report has neither (omitzero in Report).
		if forms != nil {
			if err := field("forms", forms); err != nil {
				return err
			}
		}
		if absent != nil {
			if err := field("absent", absent); err != nil {
				return err
			}
		}
		if people != nil {
			if err := field("refusals", Refusals(people)); err != nil {
				return err
			}
		}
		if ests == nil {
			ests = []Readiness{}
		}
		if err := field("establishments", ests); err != nil {
			return err
		}
		bw.WriteString("\n}\n")
		return bw.Flush()
	}
	if err := write(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

func (r *reportSpool) close() {
	for _, s := range []*spool{r.problems, r.people} {
		if s != nil && s.f != nil {
			s.f.Close()
		}
	}
	os.RemoveAll(r.dir)
}
