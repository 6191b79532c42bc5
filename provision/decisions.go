package provision

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dccprov/dccprov/provision/xlsxwriter"
)

// correctionsDeparturesSheet is the sheet of a run's corrections workbook
// that lists the people the list no longer names.
const correctionsDeparturesSheet = "Départs"

// legendLine is one line of the sheet "Légende": a label (with its style)
// and its explanation.
type legendLine struct {
	label string
	style int // of the label
	text  string
}

// runDecisions is what a run's corrections workbook shows besides the
// problems: the requests a director refused, on the rows that ask for
// them (status and comment on the habilitations cell), and the people the
// list no longer names (sheet « Départs »). A nil *runDecisions is a
// check's workbook: none of it.
type runDecisions struct {
	refused map[RequestKey]RequestState // rejected requests on a form, from the store
	known   map[string]bool             // the person keys the store has requests of
	names   map[string]string           // habilitation code → label, for the comments
	habCol  int                         // column of the habilitations, 0 when the list has none
	absent  func() ([]Absence, error)   // the departures, once the store found them
	row     []refusedRequest            // of the row being written
}

type refusedRequest struct {
	code string
	RequestState
}

// newRunDecisions keeps the refused requests of state and where the
// habilitations are among the list's columns.
func newRunDecisions(columns []Column, state *State, cfg *Config, absent func() ([]Absence, error)) *runDecisions {
	d := &runDecisions{refused: map[RequestKey]RequestState{}, known: map[string]bool{}, names: map[string]string{}, absent: absent}
	for k, v := range state.Requests {
		d.known[k.Person] = true
		if v.Status == RequestRejected && v.Form != "" {
			d.refused[k] = v
		}
	}
	for _, h := range cfg.Habilitations {
		d.names[h.Code] = h.Label
	}
	for _, c := range columns {
		if c.Field == FieldHabilitations {
			d.habCol = c.Index
		}
	}
	return d
}

// person notes the refused requests of p, the row about to be written (nil
// or not accepted: none). A person first listed by email and now with a
// national identifier the store does not know yet is found under the email
// key, as [AdoptedKeys] adopts it (a shared email never lends another
// person's refusal to a known identifier).
func (d *runDecisions) person(p *Person) {
	if d == nil {
		return
	}
	d.row = d.row[:0]
	if p == nil || p.Status != StatusAccepted || len(d.refused) == 0 {
		return
	}
	fin := p.Establishment.Key()
	for _, h := range p.Habilitations {
		if !h.Signature {
			continue
		}
		s, ok := d.refused[RequestKey{Person: p.Key(), FINESS: fin, Code: h.Code}]
		if !ok && !p.ID.IsZero() && !d.known[p.Key()] && p.Email != "" {
			s, ok = d.refused[RequestKey{Person: "mail:" + p.Email, FINESS: fin, Code: h.Code}]
		}
		if ok && !slices.ContainsFunc(d.row, func(r refusedRequest) bool { return r.code == h.Code }) {
			d.row = append(d.row, refusedRequest{h.Code, s})
		}
	}
}

// rowRefused reports whether the row being written asks for a refused
// request.
func (d *runDecisions) rowRefused() bool { return d != nil && len(d.row) > 0 }

// refusalComment is the comment of the habilitations cell of a row with
// refused requests: its problems' comment (problems, may be ""), then each
// refusal in French.
func (d *runDecisions) refusalComment(problems string) string {
	var b strings.Builder
	b.WriteString(problems)
	for _, r := range d.row {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		label := d.names[r.code]
		if label == "" {
			label = r.code
		}
		fmt.Fprintf(&b, "Habilitation refusée : « %s »", label)
		if r.Line > 0 {
			fmt.Fprintf(&b, " (formulaire %s, ligne %d", r.Form, r.Line)
		} else {
			fmt.Fprintf(&b, " (formulaire %s", r.Form)
		}
		if r.DecidedOn != "" {
			fmt.Fprintf(&b, ", décision du %s", dayText(r.DecidedOn))
		}
		b.WriteString(").")
		if r.Reason != "" {
			fmt.Fprintf(&b, "\nMotif : %s", r.Reason)
		}
		b.WriteString("\nPour la redemander, retirez-la de la liste pour un envoi, puis remettez-la : elle figurera sur un nouveau formulaire.")
	}
	return b.String()
}

// dayText writes a YYYY-MM-DD date of the store as DD/MM/YYYY.
func dayText(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("02/01/2006")
}

func (d *runDecisions) legendStatus(fill int) []legendLine {
	if d == nil {
		return nil
	}
	return []legendLine{{correctionsRefused, fill, "La ligne est acceptée, mais la direction a refusé une habilitation demandée : le motif est dans le commentaire de la cellule des habilitations."}}
}

func (d *runDecisions) legendSheet() []legendLine {
	if d == nil {
		return nil
	}
	return []legendLine{{correctionsDeparturesSheet, 0, "Les personnes connues des envois précédents que cette liste ne nomme plus : confirmez chaque départ (leur compte sera désactivé), ou remettez la personne dans la liste."}}
}

// departuresHead is the header of the sheet « Départs ».
var departuresHead = []string{"Nom", "Établissement", "FINESS", "Identifiant", "Dernière liste"}

// departuresSheet writes the sheet « Départs » of a run: the people of the
// list's establishments that earlier lists named and this one does not,
// or one line saying there are none.
func (c *correctionsStream) departuresSheet() error {
	if c.run == nil || c.run.absent == nil {
		return nil
	}
	absent, err := c.run.absent()
	if err != nil {
		return err
	}
	s, err := c.xw.AddSheet(correctionsDeparturesSheet)
	if err != nil {
		return err
	}
	for i, w := range []float64{30, 40, 12, 24, 14} {
		if err := s.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	text := func(col int, v string, style int) xlsxwriter.Cell {
		return xlsxwriter.Cell{Col: col, Text: safeCell(v), Style: style}
	}
	if len(absent) == 0 {
		return s.WriteRow(1, []xlsxwriter.Cell{text(1, "Aucun départ : toute personne connue des envois précédents pour les établissements de cette liste y figure encore.", 0)})
	}
	if err := s.WriteRow(1, []xlsxwriter.Cell{text(1, "Personnes que cette liste ne nomme plus : confirmez chaque départ auprès de l'établissement (le compte sera désactivé), ou remettez la personne dans la liste.", c.bold)}); err != nil {
		return err
	}
	var head []xlsxwriter.Cell
	for i, h := range departuresHead {
		head = append(head, text(i+1, h, c.bold))
	}
	if err := s.WriteRow(3, head); err != nil {
		return err
	}
	last := min(3+len(absent), xlsxwriter.MaxRows) // past Excel's rows, report.json lists them all
	for i, a := range absent[:last-3] {
		var line []xlsxwriter.Cell
		for j, v := range []string{a.Name, a.Establishment, a.FINESS, a.UID, dayText(a.LastSeen)} {
			if v != "" {
				line = append(line, text(j+1, v, 0))
			}
		}
		if err := s.WriteRow(i+4, line); err != nil {
			return err
		}
	}
	return s.AutoFilter(1, 3, len(departuresHead), last)
}
