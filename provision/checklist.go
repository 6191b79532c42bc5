package provision

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dccprov/dccprov/provision/xlsxwriter"
	"github.com/xuri/excelize/v2"
	"go.yaml.in/yaml/v3"

	"github.com/dccprov/dccprov/templates"
)

// The sheet « Établissements » of the staff list (the blank template has
// it) and the sheet « Prérequis » of the corrections workbook hold one
// [Checklist] per establishment (issue 14). Their columns are
// [checklistColumns]; their headers and variants are
// templates/checklist-headers.yaml, matched like the staff headers.

// The names of the checklist sheets.
const (
	checklistSheet       = "Établissements"
	checklistReturnSheet = "Prérequis"
)

// checklistField names one column of a checklist sheet.
type checklistField string

// checklistColumn is one column of a checklist sheet: how to read and
// write it, its width, whether it is text-formatted, its drop-down values.
type checklistColumn struct {
	field  checklistField
	width  float64
	text   bool
	values []string // drop-down values, nil for none
	get    func(c *Checklist) *string
	answer func(c *Checklist) *Answer
}

// checklistColumns are the columns of a checklist sheet, in the order of
// templates/checklist-headers.yaml.
var checklistColumns = []checklistColumn{
	{field: "finess", width: 13, text: true, get: func(c *Checklist) *string { return &c.FINESS }},
	{field: "name", width: 32, get: func(c *Checklist) *string { return &c.Name }},
	{field: "referent_name", width: 24, get: func(c *Checklist) *string { return &c.Referent.Name }},
	{field: "referent_email", width: 30, get: func(c *Checklist) *string { return &c.Referent.Email }},
	{field: "referent_phone", width: 18, text: true, get: func(c *Checklist) *string { return &c.Referent.Phone }},
	{field: "promoteur_name", width: 24, get: func(c *Checklist) *string { return &c.Promoteur.Name }},
	{field: "promoteur_email", width: 30, get: func(c *Checklist) *string { return &c.Promoteur.Email }},
	{field: "promoteur_phone", width: 18, text: true, get: func(c *Checklist) *string { return &c.Promoteur.Phone }},
	{field: "dsio_name", width: 24, get: func(c *Checklist) *string { return &c.DSIO.Name }},
	{field: "dsio_email", width: 30, get: func(c *Checklist) *string { return &c.DSIO.Email }},
	{field: "dsio_phone", width: 18, text: true, get: func(c *Checklist) *string { return &c.DSIO.Phone }},
	{field: "rcp_count", width: 12},
	{field: "rcp_in_ror", width: 16, values: answerValues(), answer: func(c *Checklist) *Answer { return &c.RCPInROR }},
	{field: "sri", width: 30, values: SRIStatuses, get: func(c *Checklist) *string { return &c.SRI }},
	{field: "strict_traits", width: 18, values: answerValues(), answer: func(c *Checklist) *Answer { return &c.StrictTraits }},
	{field: "card_readers", width: 18, values: answerValues(), answer: func(c *Checklist) *Answer { return &c.CardReaders }},
	{field: "training_room", width: 18, values: answerValues(), answer: func(c *Checklist) *Answer { return &c.TrainingRoom }},
	{field: "projector", width: 18, values: answerValues(), answer: func(c *Checklist) *Answer { return &c.Projector }},
	{field: "computers", width: 18, values: answerValues(), answer: func(c *Checklist) *Answer { return &c.Computers }},
	{field: "browser", width: 18, values: answerValues(), answer: func(c *Checklist) *Answer { return &c.Browser }},
	{field: "date", width: 16, text: true, get: func(c *Checklist) *string { return &c.Date }},
}

// The texts of a checklist column's drop-down list, the same in the
// blank workbook and the corrections workbook.
const checklistPrompt = "Choisissez dans la liste."

// choiceError is the message Excel shows when a cell of c holds a value of
// no list.
func (c checklistColumn) choiceError() string {
	return "Choisissez une valeur de la liste : " + strings.Join(c.values, ", ") + "."
}

func answerValues() []string {
	out := make([]string, len(Answers))
	for i, a := range Answers {
		out[i] = string(a)
	}
	return out
}

// checklistHeaderDef is one field's entry of checklist-headers.yaml.
type checklistHeaderDef struct {
	Field   checklistField `yaml:"field"`
	Headers []string       `yaml:"headers"`
}

// checklistHeaders is checklist-headers.yaml, indexed: the header written
// by field, and the field of each header key. Never written once built.
type checklistHeaders struct {
	title  map[checklistField]string
	fields map[string]checklistField
}

// loadChecklistHeaders decodes templates/checklist-headers.yaml strictly.
func loadChecklistHeaders(fsys fs.FS) (*checklistHeaders, error) {
	data, err := fs.ReadFile(fsys, "checklist-headers.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading checklist headers: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var file struct {
		Fields []checklistHeaderDef `yaml:"fields"`
	}
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("decoding checklist headers: %w", err)
	}
	h := &checklistHeaders{title: map[checklistField]string{}, fields: map[string]checklistField{}}
	for _, d := range file.Fields {
		if !slices.ContainsFunc(checklistColumns, func(c checklistColumn) bool { return c.field == d.Field }) {
			return nil, fmt.Errorf("checklist headers: unknown field %q", d.Field)
		}
		if len(d.Headers) == 0 {
			return nil, fmt.Errorf("checklist headers: %s has no header", d.Field)
		}
		h.title[d.Field] = d.Headers[0]
		if err := addHeaderKeys(h.fields, "checklist headers", d.Field, d.Headers); err != nil {
			return nil, err
		}
	}
	for _, c := range checklistColumns {
		if _, ok := h.title[c.field]; !ok {
			return nil, fmt.Errorf("checklist headers: field %s has no entry", c.field)
		}
	}
	return h, nil
}

// defaultChecklistHeaders is the index of the embedded file; the file is
// tested, so a failure here is a broken build.
var defaultChecklistHeaders = sync.OnceValue(func() *checklistHeaders {
	h, err := loadChecklistHeaders(templates.FS)
	if err != nil {
		panic(err)
	}
	return h
})

// isChecklistSheet reports whether name is one of the checklist sheets.
func isChecklistSheet(name string) bool {
	n := fold(name)
	return n == fold(checklistSheet) || n == fold(checklistReturnSheet)
}

// checklistHeaderRow returns the field of each column of row (index 0 is
// column A), and how many columns are recognised.
func checklistHeaderRow(cells []gridCell) (map[int]checklistField, int) {
	h := defaultChecklistHeaders()
	noise := defaultHeaders().noise // the staff headers' noise words: matched alike
	cols := map[int]checklistField{}
	seen := map[checklistField]bool{}
	for i, c := range cells {
		f := matchHeader(c.Value, h.fields, noise, nil)
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		cols[i] = f
	}
	return cols, len(cols)
}

// readChecklists reads a checklist sheet named sheet: its header in the
// first rows ([headerWindow]), then one establishment a row, keyed by
// FINESS. Bad values are warnings on their cell of that sheet; the value
// is then left unset. A row without a valid FINESS is skipped.
func readChecklists(sheet string, rows iter.Seq2[gridRow, error]) (map[string]Checklist, []Problem, error) {
	out := map[string]Checklist{}
	var problems []Problem
	var cols map[int]checklistField
	written := map[int]string{} // the headers as written in the sheet
	byField := map[checklistField]checklistColumn{}
	for _, c := range checklistColumns {
		byField[c.field] = c
	}
	title := defaultChecklistHeaders().title
	for g, err := range rows {
		if err != nil {
			return nil, nil, err
		}
		if cols == nil {
			// The header must name the FINESS and another column.
			if c, n := checklistHeaderRow(g.Cells); n >= 2 && slices.Contains(slices.Collect(maps.Values(c)), "finess") {
				cols = c
				for i := range c {
					written[i] = g.Cells[i].Value
				}
			} else if g.Number >= headerWindow {
				return nil, nil, nil
			}
			continue
		}
		var cl Checklist
		var rowProblems []Problem
		warn := func(code Code, i int, v, msg string) {
			p := NewProblem(code, Cell{Row: g.Number, Col: i + 1, Header: written[i], Value: v}, msg, "")
			p.Severity = SeverityWarning
			p.Sheet = sheet
			rowProblems = append(rowProblems, p)
		}
		empty := true
		for i, cell := range g.Cells {
			f, ok := cols[i]
			if !ok {
				continue
			}
			v := strings.TrimSpace(cell.Value)
			if v == "" {
				continue
			}
			empty = false
			col := byField[f]
			switch {
			case f == "finess":
				id, err := ParseFINESS(v)
				if err != nil {
					warn(FINESSInvalid, i, v, "")
					continue
				}
				cl.FINESS = id.String()
			case f == "rcp_count":
				n, err := strconv.Atoi(strings.ReplaceAll(v, " ", ""))
				if err != nil || n < 0 {
					warn(ChecklistValueInvalid, i, v, "Le nombre de RCP n'est pas un nombre entier.")
					continue
				}
				cl.RCPCount = n
			case f == "sri":
				s, ok := parseSRI(v)
				if !ok {
					warn(ChecklistValueInvalid, i, v, "Le statut SRI n'est pas une valeur de la liste : "+strings.Join(SRIStatuses, ", ")+".")
					continue
				}
				cl.SRI = s
			case col.answer != nil:
				a, ok := ParseAnswer(v)
				if !ok {
					warn(answerCode(f), i, v, fmt.Sprintf("« %s » : la réponse n'est pas une valeur de la liste (oui, non, en cours, sans objet).", title[f]))
					continue
				}
				*col.answer(&cl) = a
			case strings.HasSuffix(string(f), "_email"):
				e, err := ParseEmail(v)
				if err != nil {
					warn(EmailInvalid, i, v, "")
					continue
				}
				*col.get(&cl) = e.String()
			case strings.HasSuffix(string(f), "_phone"):
				p, err := ParsePhone(v, "FR")
				if err != nil || !p.IsFrench() {
					warn(PhoneInvalid, i, v, "")
					continue
				}
				*col.get(&cl) = p.E164
			case f == "date":
				d, ok := parseChecklistDate(cell)
				if !ok {
					warn(ChecklistValueInvalid, i, v, "La date n'est pas au format AAAA-MM-JJ.")
					continue
				}
				cl.Date = d
			default:
				*col.get(&cl) = v
			}
		}
		if empty {
			continue
		}
		if cl.FINESS == "" && !slices.ContainsFunc(rowProblems, func(p Problem) bool { return p.Code == FINESSInvalid }) {
			for i, f := range cols {
				if f == "finess" {
					warn(FINESSMissing, i, "", "La ligne de l'établissement n'a pas de N° FINESS : elle n'est pas prise en compte.")
				}
			}
		}
		problems = append(problems, rowProblems...)
		if cl.FINESS == "" {
			continue
		}
		out[cl.FINESS] = cl
	}
	return out, problems, nil
}

// answerCode is the code of a bad answer in column f: the readiness code of
// its item where there is one.
func answerCode(f checklistField) Code {
	switch f {
	case "rcp_in_ror":
		return RORRCPMissing
	case "strict_traits":
		return IdentityPathMissing
	}
	return ChecklistValueInvalid
}

// parseSRI reads an SRI status, case- and accent-insensitive.
func parseSRI(v string) (string, bool) {
	for _, s := range SRIStatuses {
		if fold(s) == fold(v) {
			return s, true
		}
	}
	return "", false
}

// parseChecklistDate reads the date of a checklist row: AAAA-MM-JJ,
// JJ/MM/AAAA, or an Excel date serial.
func parseChecklistDate(c gridCell) (string, bool) {
	for _, v := range []string{strings.TrimSpace(c.Value), strings.TrimSpace(c.Raw)} {
		for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.Format("2006-01-02"), true
			}
		}
		if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 && n < 100000 {
			t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n))
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// checklistRows is how many rows of the template's sheet « Établissements »
// get the formats and the drop-down lists.
const checklistRows = 200

// checklistSheet writes the sheet « Établissements » of the blank workbook:
// the headers of [checklistColumns], a frozen header row, text format on
// the FINESS, phone and date columns, and the drop-down lists.
func (t *templateBook) checklistSheet() error {
	titles := defaultChecklistHeaders().title
	cols := make([]sheetColumn, len(checklistColumns))
	for i, c := range checklistColumns {
		cols[i] = sheetColumn{titles[c.field], c.width, c.text}
	}
	if err := t.headerSheet(checklistSheet, "E2EFDA", 45, checklistRows, cols); err != nil {
		return err
	}
	for i, c := range checklistColumns {
		if c.values == nil {
			continue
		}
		err := t.addDropDown(checklistSheet, ColumnName(i+1), checklistRows, dropDown{
			values: c.values, style: excelize.DataValidationErrorStyleStop,
			errTitle: titles[c.field], errMsg: c.choiceError(),
			inputTitle: titles[c.field], inputMsg: checklistPrompt,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// prerequisites collects the establishments of the list, in the order
// first seen, for the sheet « Prérequis » of the corrections workbook.
type prerequisites struct {
	order []string
	names map[string]string
	last  string // the FINESS cell of the previous row: lists run by establishment
}

// add notes the establishment of row r, when its FINESS is valid.
func (p *prerequisites) add(r *Row) {
	if r == nil {
		return
	}
	v := r.Get(FieldFINESS).Value
	if v == p.last && p.names != nil {
		return // seen on the row before: parsed and noted already, or invalid
	}
	p.last = v
	id, err := ParseFINESS(v)
	if err != nil {
		return
	}
	k := id.String()
	if p.names == nil {
		p.names = map[string]string{}
	}
	if _, ok := p.names[k]; ok {
		return
	}
	p.order = append(p.order, k)
	p.names[k] = strings.TrimSpace(r.Get(FieldEstablishment).Value)
}

// checklistValues returns the cells of c in the order of
// [checklistColumns], as the sheets write them.
func checklistValues(c Checklist) []string {
	out := make([]string, len(checklistColumns))
	for i, col := range checklistColumns {
		switch {
		case col.field == "rcp_count":
			if c.RCPCount > 0 {
				out[i] = strconv.Itoa(c.RCPCount)
			}
		case col.answer != nil:
			out[i] = string(*col.answer(&c))
		default:
			out[i] = *col.get(&c)
		}
	}
	return out
}

// prerequisitesSheet writes the sheet « Prérequis »: the columns of the
// sheet « Établissements », one row per establishment of the list sorted
// by FINESS, prefilled with the FINESS, the name and what the list's sheet
// said, with the drop-down lists, for the referent to complete and send
// back (check reads it like « Établissements »).
func (c *correctionsStream) prerequisitesSheet() error {
	s, err := c.xw.AddSheet(checklistReturnSheet)
	if err != nil {
		return err
	}
	titles := defaultChecklistHeaders().title
	head := make([]xlsxwriter.Cell, len(checklistColumns))
	for i, col := range checklistColumns {
		head[i] = xlsxwriter.Cell{Col: i + 1, Text: safeCell(titles[col.field]), Style: c.boldWrap}
		if err := s.SetColWidth(i+1, i+1, col.width); err != nil {
			return err
		}
	}
	if err := cmp.Or(s.Freeze(1), s.SetPageSetup(correctionsPage(1)), s.WriteRow(1, head)); err != nil {
		return err
	}
	ids := slices.Sorted(slices.Values(c.prereq.order))
	for i, id := range ids {
		cl, ok := c.sum.Checklists[id]
		if !ok {
			cl = Checklist{FINESS: id}
		}
		if cl.Name == "" {
			cl.Name = c.prereq.names[id]
		}
		var line []xlsxwriter.Cell
		for j, v := range checklistValues(cl) {
			if v != "" {
				line = append(line, xlsxwriter.Cell{Col: j + 1, Text: safeCell(v)})
			}
		}
		if err := s.WriteRow(i+2, line); err != nil {
			return err
		}
	}
	last := min(len(ids)+1+correctionsExtraRows, xlsxwriter.MaxRows)
	for i, col := range checklistColumns {
		if col.values == nil {
			continue
		}
		v := xlsxwriter.Validation{
			FirstCol: i + 1, LastCol: i + 1, FirstRow: 2, LastRow: last,
			List:       col.values,
			ErrorStyle: xlsxwriter.ErrorStop, ErrorTitle: truncTitle(titles[col.field]),
			Error:       col.choiceError(),
			PromptTitle: truncTitle(titles[col.field]), Prompt: checklistPrompt,
		}
		if err := s.AddValidation(v); err != nil {
			return err
		}
	}
	return nil
}

// truncTitle cuts a validation title to Excel's 32 characters.
func truncTitle(s string) string {
	r := []rune(s)
	if len(r) > 32 {
		return string(r[:31]) + "…"
	}
	return s
}
