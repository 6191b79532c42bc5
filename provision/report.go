package provision

import (
	"encoding/json"
	"io"
)

// Report is what `check --json` prints and `run` writes as report.json.
type Report struct {
	Input Input `json:"input"`
	// Annuaire is the Annuaire Santé extract the list was checked against
	// (with --annuaire), nil for none.
	Annuaire *DirectoryInfo `json:"annuaire,omitempty"`
	Rows     Counts         `json:"rows"`
	Problems []Problem      `json:"problems"`
	People   []Person       `json:"people"`
	// Forms and Absent are filled by [Run] only: the signature forms made by
	// the run, and the people of the run's establishments known from
	// earlier runs whom the list no longer names. Run sets them non-nil, so
	// its report always has them ([] when empty); `check --json` leaves them
	// nil, so its report has neither.
	Forms  []FormRef `json:"forms,omitzero"`
	Absent []Absence `json:"absent,omitzero"`
	// Refusals are the requests of the list that a director refused
	// ([Refusals]); filled by [Run] only, like Forms.
	Refusals []RefusalRef `json:"refusals,omitzero"`
	// Establishments is the readiness of each establishment of the list,
	// sorted by FINESS (issue 14); never nil in a written report.
	Establishments []Readiness `json:"establishments"`
}

// RefusalRef is one refused request in the report: the form and its
// line, the row of the list that asks for it, and the refusal.
type RefusalRef struct {
	Form   string `json:"form"`
	Line   int    `json:"line"` // 0 for a form recorded without its lines
	Row    int    `json:"row"`
	UID    string `json:"uid"`
	FINESS string `json:"finess"`
	Code   string `json:"habilitation"`
	Reason string `json:"reason"`
	Date   string `json:"date"` // YYYY-MM-DD, of the decision
}

// Refusals lists the refused requests of people (after [PlanForms]), in
// row order, never nil. A request asked on two rows is listed once, at
// its first row.
func Refusals(people []Person) []RefusalRef {
	out := []RefusalRef{}
	seen := map[RequestKey]bool{}
	for i := range people {
		p := &people[i] // not a copy of each person of a national list
		if p.Status != StatusAccepted {
			continue
		}
		for _, r := range p.Habilitations {
			if r.Status != RequestRejected || r.Refusal == nil {
				continue
			}
			k := RequestKey{Person: p.Key(), FINESS: p.Establishment.Key(), Code: r.Code}
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, RefusalRef{Form: r.Form, Line: r.Refusal.Line, Row: p.Row, UID: p.UID, FINESS: p.Establishment.FINESS,
				Code: r.Code, Reason: r.Refusal.Reason, Date: r.Refusal.Date})
		}
	}
	return out
}

// FormRef names a signature form in the report.
type FormRef struct {
	Ref      string `json:"ref"`
	FINESS   string `json:"finess"`
	Requests int    `json:"requests"`
	Digest   string `json:"digest"`
}

// Counts sums up the rows of a [Report].
type Counts struct {
	Read         int `json:"read"`
	Accepted     int `json:"accepted"`
	Rejected     int `json:"rejected"`
	WithWarnings int `json:"with_warnings"`
}

// NewReport builds the report of a checked table.
func NewReport(t *Table, people []Person, problems []Problem) Report {
	r := Report{Input: t.Input, Problems: problems, People: people}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	if r.People == nil {
		r.People = []Person{}
	}
	r.Establishments = []Readiness{}
	warned := map[int]bool{}
	for _, p := range problems {
		if p.Severity == SeverityWarning {
			warned[p.Row] = true
		}
	}
	r.Rows.Read = len(people)
	for _, p := range people {
		switch p.Status {
		case StatusAccepted:
			r.Rows.Accepted++
			if warned[p.Row] {
				r.Rows.WithWarnings++
			}
		case StatusRejected:
			r.Rows.Rejected++
		}
	}
	return r
}

// WriteReport writes r as indented JSON followed by a newline.
func WriteReport(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
