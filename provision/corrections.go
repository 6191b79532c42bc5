package provision

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// The sheets and labels of the corrections workbook, in French for the
// referent. They are never written.
var (
	correctionsProblemsSheet = "Problèmes"
	correctionsSummarySheet  = "Synthèse"
	correctionsStatusHeader  = "Statut"
	correctionsProblemsHead  = []string{"Ligne", "Colonne", "Cellule", "Gravité", "Code", "Message", "Valeur", "Suggestion"}
	severityLabels           = map[Severity]string{SeverityError: "erreur", SeverityWarning: "avertissement"}
)

// Row statuses of the corrections workbook.
const (
	correctionsOK      = "OK"
	correctionsFix     = "À corriger"
	correctionsWarning = "Avertissement"
)

// Fill colours of problem cells: light red for an error, light orange for
// a warning.
const (
	fillError   = "FFC7CE"
	fillWarning = "FFD8A8"
)

// WriteCorrections writes the corrections workbook the referent corrects
// and sends back:
//
//   - a copy of the sheet as read (the title rows and header of t.Head,
//     then each row's values at its own row number, same columns), each
//     cell with a problem filled red (error) or orange (warning) with a
//     French comment giving the message and the suggestion, and a column
//     "Statut" after the last one: OK, À corriger or Avertissement; a
//     problem of a whole row is commented on its status cell;
//   - a sheet "Problèmes" listing every problem, with an autofilter;
//   - a sheet "Synthèse" with the row counts and the problems per code.
//
// Every value is a text cell passed through the formula guard (row numbers
// and counts are numbers). date stamps the document properties, so the
// same inputs give the same bytes.
func WriteCorrections(w io.Writer, t *Table, people []Person, problems []Problem, date time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	c := &correctionsBook{f: f}
	c.sheet = correctionsSheetName(t.Input.Sheet)
	if err := f.SetSheetName("Sheet1", c.sheet); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	if err := c.styles(); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	steps := []func() error{
		func() error { return c.copySheet(t, problems) },
		func() error { return c.problemsSheet(problems) },
		func() error { return c.summarySheet(t, people, problems) },
		func() error { return setDocDate(f, date) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("writing corrections workbook: %w", err)
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	return nil
}

// correctionsSheetName is the input's sheet name, or "Liste" for a CSV or
// a name clashing with the added sheets.
func correctionsSheetName(name string) string {
	if name == "" || strings.EqualFold(name, correctionsProblemsSheet) || strings.EqualFold(name, correctionsSummarySheet) {
		return "Liste"
	}
	return name
}

// setDocDate sets the workbook's created and modified dates to date.
func setDocDate(f *excelize.File, date time.Time) error {
	d := date.UTC().Format("2006-01-02T15:04:05Z")
	return f.SetDocProps(&excelize.DocProperties{Creator: "dccprov", LastModifiedBy: "dccprov", Created: d, Modified: d})
}

type correctionsBook struct {
	f                      *excelize.File
	sheet                  string
	bold, errFill, warFill int
}

func (c *correctionsBook) styles() error {
	var err error
	fill := func(color string) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = c.f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}})
		return id
	}
	c.errFill = fill(fillError)
	c.warFill = fill(fillWarning)
	if err != nil {
		return err
	}
	c.bold, err = c.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	return err
}

// setStr writes v as a text cell at (col, row), through the formula guard.
func (c *correctionsBook) setStr(sheet string, col, row int, v string) error {
	if v == "" {
		return nil
	}
	return c.f.SetCellStr(sheet, ColumnName(col)+fmt.Sprint(row), safeCell(v))
}

// cellProblems gathers the problems of one cell of the copy.
type cellProblems struct {
	ref      string
	problems []Problem
}

func worst(ps []Problem) Severity {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return SeverityError
		}
	}
	return SeverityWarning
}

func (c *correctionsBook) copySheet(t *Table, problems []Problem) error {
	width := 0
	for i, row := range t.Head {
		width = max(width, len(row))
		for j, v := range row {
			if err := c.setStr(c.sheet, j+1, i+1, v); err != nil {
				return err
			}
		}
	}
	for _, col := range t.Columns {
		width = max(width, col.Index)
	}
	for _, r := range t.Rows {
		width = max(width, len(r.Values))
		for j, v := range r.Values {
			if err := c.setStr(c.sheet, j+1, r.Number, v); err != nil {
				return err
			}
		}
	}
	headerRow := cmp.Or(t.Input.HeaderRow, len(t.Head), 1)
	statusCol := width + 1
	if err := c.setStr(c.sheet, statusCol, headerRow, correctionsStatusHeader); err != nil {
		return err
	}
	if err := c.f.SetCellStyle(c.sheet, "A"+fmt.Sprint(headerRow), ColumnName(statusCol)+fmt.Sprint(headerRow), c.bold); err != nil {
		return err
	}

	// Problems by row, and by cell; a row-level problem goes to the
	// row's status cell.
	byRow := map[int][]Problem{}
	byCell := map[string]*cellProblems{}
	var cells []string
	for _, p := range problems {
		if p.Row <= 0 {
			continue // about the whole file: only in the Problèmes sheet
		}
		byRow[p.Row] = append(byRow[p.Row], p)
		ref := p.Cell
		if ref == "" {
			ref = ColumnName(statusCol) + fmt.Sprint(p.Row)
		}
		cp, ok := byCell[ref]
		if !ok {
			cp = &cellProblems{ref: ref}
			byCell[ref] = cp
			cells = append(cells, ref)
		}
		cp.problems = append(cp.problems, p)
	}
	for _, r := range t.Rows {
		status := correctionsOK
		if ps := byRow[r.Number]; len(ps) > 0 {
			status = correctionsWarning
			if worst(ps) == SeverityError {
				status = correctionsFix
			}
		}
		if err := c.setStr(c.sheet, statusCol, r.Number, status); err != nil {
			return err
		}
		if status != correctionsOK {
			style := c.warFill
			if status == correctionsFix {
				style = c.errFill
			}
			ref := ColumnName(statusCol) + fmt.Sprint(r.Number)
			if err := c.f.SetCellStyle(c.sheet, ref, ref, style); err != nil {
				return err
			}
		}
	}
	for _, ref := range cells {
		cp := byCell[ref]
		style := c.warFill
		if worst(cp.problems) == SeverityError {
			style = c.errFill
		}
		if err := c.f.SetCellStyle(c.sheet, ref, ref, style); err != nil {
			return err
		}
		if err := c.f.AddComment(c.sheet, excelize.Comment{
			Cell: ref, Author: "dccprov", Width: 320, Height: 140,
			Paragraph: []excelize.RichTextRun{{Text: commentText(cp.problems)}},
		}); err != nil {
			return err
		}
	}
	if err := c.f.SetColWidth(c.sheet, "A", ColumnName(statusCol), 20); err != nil {
		return err
	}
	return c.f.SetPanes(c.sheet, &excelize.Panes{Freeze: true, YSplit: headerRow,
		TopLeftCell: "A" + fmt.Sprint(headerRow+1), ActivePane: "bottomLeft"})
}

// commentText is the French comment of a cell: each problem's message and
// suggestion.
func commentText(ps []Problem) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n\n")
		}
		label := "Avertissement"
		if p.Severity == SeverityError {
			label = "Erreur"
		}
		fmt.Fprintf(&b, "%s (%s) : %s", label, p.Code, p.Message)
		if p.Suggestion != "" {
			fmt.Fprintf(&b, "\nSuggestion : %s", p.Suggestion)
		}
	}
	return b.String()
}

func (c *correctionsBook) problemsSheet(problems []Problem) error {
	s := correctionsProblemsSheet
	if _, err := c.f.NewSheet(s); err != nil {
		return err
	}
	for j, h := range correctionsProblemsHead {
		if err := c.setStr(s, j+1, 1, h); err != nil {
			return err
		}
	}
	last := ColumnName(len(correctionsProblemsHead))
	if err := c.f.SetCellStyle(s, "A1", last+"1", c.bold); err != nil {
		return err
	}
	for i, p := range problems {
		row := i + 2
		if p.Row > 0 {
			if err := c.f.SetCellInt(s, "A"+fmt.Sprint(row), int64(p.Row)); err != nil {
				return err
			}
		}
		for j, v := range []string{p.Column, p.Cell, severityLabels[p.Severity], string(p.Code), p.Message, p.Value, p.Suggestion} {
			if err := c.setStr(s, j+2, row, v); err != nil {
				return err
			}
		}
		style := c.warFill
		if p.Severity == SeverityError {
			style = c.errFill
		}
		if err := c.f.SetCellStyle(s, "D"+fmt.Sprint(row), "D"+fmt.Sprint(row), style); err != nil {
			return err
		}
	}
	if err := c.f.AutoFilter(s, fmt.Sprintf("A1:%s%d", last, len(problems)+1), nil); err != nil {
		return err
	}
	for i, width := range []float64{8, 22, 9, 14, 26, 60, 30, 60} {
		col := ColumnName(i + 1)
		if err := c.f.SetColWidth(s, col, col, width); err != nil {
			return err
		}
	}
	return c.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func (c *correctionsBook) summarySheet(t *Table, people []Person, problems []Problem) error {
	s := correctionsSummarySheet
	if _, err := c.f.NewSheet(s); err != nil {
		return err
	}
	counts := NewReport(t, people, problems).Rows
	row := 1
	put := func(label string, n int) error {
		if err := c.setStr(s, 1, row, label); err != nil {
			return err
		}
		err := c.f.SetCellInt(s, "B"+fmt.Sprint(row), int64(n))
		row++
		return err
	}
	if err := c.setStr(s, 1, row, "Fichier"); err != nil {
		return err
	}
	if err := c.setStr(s, 2, row, t.Input.File); err != nil {
		return err
	}
	row++
	for _, kv := range []struct {
		label string
		n     int
	}{
		{"Lignes lues", counts.Read},
		{"Lignes acceptées", counts.Accepted},
		{"Lignes rejetées", counts.Rejected},
		{"Lignes acceptées avec avertissements", counts.WithWarnings},
		{"Problèmes", len(problems)},
	} {
		if err := put(kv.label, kv.n); err != nil {
			return err
		}
	}
	row++
	head := row
	for j, h := range []string{"Code", "Gravité", "Nombre", "Signification"} {
		if err := c.setStr(s, j+1, row, h); err != nil {
			return err
		}
	}
	if err := c.f.SetCellStyle(s, "A"+fmt.Sprint(head), "D"+fmt.Sprint(head), c.bold); err != nil {
		return err
	}
	row++
	perCode := map[Code]int{}
	for _, p := range problems {
		perCode[p.Code]++
	}
	for _, code := range slices.Sorted(maps.Keys(perCode)) {
		info := Codes[code]
		if err := c.setStr(s, 1, row, string(code)); err != nil {
			return err
		}
		if err := c.setStr(s, 2, row, severityLabels[info.Severity]); err != nil {
			return err
		}
		if err := c.f.SetCellInt(s, "C"+fmt.Sprint(row), int64(perCode[code])); err != nil {
			return err
		}
		if err := c.setStr(s, 4, row, info.Title); err != nil {
			return err
		}
		row++
	}
	if err := c.f.SetColWidth(s, "A", "A", 36); err != nil {
		return err
	}
	if err := c.f.SetColWidth(s, "B", "C", 14); err != nil {
		return err
	}
	return c.f.SetColWidth(s, "D", "D", 80)
}
