package provision

import (
	"archive/zip"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
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
//     "Statut" after the last one (or the one a workbook sent back already
//     ends with): OK, À corriger or Avertissement; a problem of a whole
//     row is commented on its status cell;
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
	// Every sheet exists, and the first is active, before the stream
	// writers start: SetActiveSheet would read a streamed sheet back whole.
	if err := f.SetSheetName("Sheet1", c.sheet); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	for _, s := range []string{correctionsProblemsSheet, correctionsSummarySheet} {
		if _, err := f.NewSheet(s); err != nil {
			return fmt.Errorf("writing corrections workbook: %w", err)
		}
	}
	f.SetActiveSheet(0)
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
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return newSortedZip(w) })
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

// setDocDate sets the workbook's created and modified dates to the
// calendar day of date, in date's own location, at 00:00:00Z: the day the
// operator means (--date 2026-01-15 is midnight in Paris, the 14th in
// UTC), and the same bytes for every run of that day, whatever the hour.
func setDocDate(f *excelize.File, date time.Time) error {
	y, m, day := date.Date()
	d := time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05Z")
	return f.SetDocProps(&excelize.DocProperties{Creator: "dccprov", LastModifiedBy: "dccprov", Created: d, Modified: d})
}

// sortedZip writes the parts of a workbook in name order. excelize writes
// the sheets of its stream writers first, in the order of a map, so two
// writes of the same workbook would differ. sortedZip holds every part,
// compressed, in memory (excelize's WriteTo holds the whole file anyway) and
// copies them in order on Close.
type sortedZip struct {
	w    io.Writer
	buf  bytes.Buffer
	held *zip.Writer
}

func newSortedZip(w io.Writer) *sortedZip {
	z := &sortedZip{w: w}
	z.held = zip.NewWriter(&z.buf)
	return z
}

func (z *sortedZip) Create(name string) (io.Writer, error) { return z.held.Create(name) }

func (z *sortedZip) AddFS(fsys fs.FS) error { return z.held.AddFS(fsys) }

func (z *sortedZip) Close() error {
	if err := z.held.Close(); err != nil {
		return err
	}
	r, err := zip.NewReader(bytes.NewReader(z.buf.Bytes()), int64(z.buf.Len()))
	if err != nil {
		return err
	}
	files := slices.Clone(r.File)
	slices.SortStableFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(z.w)
	for _, f := range files {
		if err := zw.Copy(f); err != nil {
			return err
		}
	}
	return zw.Close()
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
	col, row int
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
	for _, row := range t.Head {
		width = max(width, len(row))
	}
	for _, col := range t.Columns {
		width = max(width, col.Index)
	}
	for _, r := range t.Rows {
		width = max(width, len(r.Values))
	}
	headerRow := cmp.Or(t.Input.HeaderRow, len(t.Head), 1)
	statusCol := statusColumn(t.Head)
	if statusCol == 0 {
		statusCol = width + 1
	}
	width = max(width, statusCol)

	// Problems by row, and by cell; a row-level problem goes to the
	// row's status cell.
	byRow := map[int][]Problem{}
	byCell := map[string]*cellProblems{}
	var cells []*cellProblems
	for _, p := range problems {
		if p.Row <= 0 {
			continue // about the whole file: only in the Problèmes sheet
		}
		byRow[p.Row] = append(byRow[p.Row], p)
		ref := cmp.Or(p.Cell, ColumnName(statusCol)+strconv.Itoa(p.Row))
		cp, ok := byCell[ref]
		if !ok {
			col, row, err := excelize.CellNameToCoordinates(ref)
			if err != nil {
				return err
			}
			cp = &cellProblems{ref: ref, col: col, row: row}
			byCell[ref] = cp
			cells = append(cells, cp)
		}
		cp.problems = append(cp.problems, p)
	}

	sw, err := c.f.NewStreamWriter(c.sheet)
	if err != nil {
		return err
	}
	// Comments go in before the column widths, so that their boxes keep
	// the size they had when the sheet was built in memory.
	err = addComments(c.f, c.sheet, len(cells), func(i int) excelize.Comment {
		return excelize.Comment{
			Cell: cells[i].ref, Author: "dccprov", Width: 320, Height: 140,
			Paragraph: []excelize.RichTextRun{{Text: commentText(cells[i].problems)}},
		}
	})
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, width, 20); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow,
		TopLeftCell: "A" + strconv.Itoa(headerRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	// The stream writer takes rows in order: the title rows and header,
	// the list's rows, and any row that only a problem names.
	rows := make(map[int]*Row, len(t.Rows))
	nums := make([]int, 0, len(t.Head)+1+len(t.Rows))
	for i := range t.Head {
		nums = append(nums, i+1)
	}
	nums = append(nums, headerRow)
	for i := range t.Rows {
		rows[t.Rows[i].Number] = &t.Rows[i]
		nums = append(nums, t.Rows[i].Number)
	}
	cellsOfRow := map[int][]*cellProblems{}
	for _, cp := range cells {
		cellsOfRow[cp.row] = append(cellsOfRow[cp.row], cp)
		nums = append(nums, cp.row)
	}
	slices.Sort(nums)
	nums = slices.Compact(nums)

	var line []excelize.Cell
	var set []bool
	var values []any
	put := func(col int, v string, style int) {
		for len(line) < col {
			line = append(line, excelize.Cell{})
			set = append(set, false)
		}
		if v != "" {
			line[col-1].Value = safeCell(v)
			set[col-1] = true
		}
		if style != 0 {
			line[col-1].StyleID = style
			set[col-1] = true
		}
	}
	for _, n := range nums {
		line, set, values = line[:0], set[:0], values[:0]
		if n <= len(t.Head) {
			for j, v := range t.Head[n-1] {
				put(j+1, v, 0)
			}
		}
		if n == headerRow {
			put(statusCol, correctionsStatusHeader, 0)
			for j := 1; j <= statusCol; j++ {
				put(j, "", c.bold)
			}
		}
		if r, ok := rows[n]; ok {
			for j, v := range r.Values {
				put(j+1, v, 0)
			}
			status, style := correctionsOK, 0
			if ps := byRow[n]; len(ps) > 0 {
				status, style = correctionsWarning, c.warFill
				if worst(ps) == SeverityError {
					status, style = correctionsFix, c.errFill
				}
			}
			put(statusCol, status, style)
		}
		// A cell's own problems decide its fill, also on a status cell.
		for _, cp := range cellsOfRow[n] {
			style := c.warFill
			if worst(cp.problems) == SeverityError {
				style = c.errFill
			}
			put(cp.col, "", style)
		}
		for j, cell := range line {
			var v any
			if set[j] {
				v = cell
			}
			values = append(values, v)
		}
		if len(values) == 0 {
			continue
		}
		if err := sw.SetRow("A"+strconv.Itoa(n), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// statusColumn returns the column (from 1) of a "Statut" column we wrote
// earlier, or 0. A corrections workbook the referent sends back and that is
// checked again already has one, as the last non-empty cell of its header
// row: it is reused, so each round does not add another.
func statusColumn(head [][]string) int {
	if len(head) == 0 {
		return 0
	}
	header := head[len(head)-1]
	for j := len(header) - 1; j >= 0; j-- {
		if header[j] == "" {
			continue
		}
		if header[j] == correctionsStatusHeader {
			return j + 1
		}
		return 0
	}
	return 0
}

// addComments adds the comments comment(0) … comment(n-1) to sheet, each
// on its own cell.
//
// excelize's AddComment checks the new cell against every comment of the
// sheet and reads every shape of its VML drawing to number the next one, so
// n calls take a time in n² (28 s for 20 000 comments). After each call,
// the comment and its shape are moved aside, the file keeping only the last
// shape (whose number the next one follows), and they are put back at the
// end. The parts excelize writes are the same as with plain AddComment
// calls; TestCorrectionsComments checks that they are all there.
func addComments(f *excelize.File, sheet string, n int, comment func(int) excelize.Comment) error {
	if n == 0 {
		return nil
	}
	if err := f.AddComment(sheet, comment(0)); err != nil {
		return err
	}
	if len(f.Comments) != 1 || len(f.VMLDrawing) != 1 {
		// Not the parts of a single commented sheet: add the rest plainly.
		for i := 1; i < n; i++ {
			if err := f.AddComment(sheet, comment(i)); err != nil {
				return err
			}
		}
		return nil
	}
	var commentsPath, drawingPath string
	for k := range f.Comments {
		commentsPath = k
	}
	for k := range f.VMLDrawing {
		drawingPath = k
	}
	vml := f.VMLDrawing[drawingPath]
	allComments := slices.Clone(f.Comments[commentsPath].CommentList.Comment)
	allShapes := slices.Clone(vml.Shape)
	for i := 1; i < n; i++ {
		delete(f.Comments, commentsPath)
		vml.Shape = slices.Clip(vml.Shape[len(vml.Shape)-1:])
		if err := f.AddComment(sheet, comment(i)); err != nil {
			return err
		}
		if f.VMLDrawing[drawingPath] != vml || f.Comments[commentsPath] == nil || len(vml.Shape) != 2 {
			return fmt.Errorf("adding comment %d: excelize no longer keeps comments as expected", i)
		}
		allComments = append(allComments, f.Comments[commentsPath].CommentList.Comment...)
		allShapes = append(allShapes, vml.Shape[1])
	}
	f.Comments[commentsPath].CommentList.Comment = allComments
	vml.Shape = allShapes
	return nil
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
	// The filter goes in before the stream writer copies the sheet's
	// properties (filterMode).
	last := ColumnName(len(correctionsProblemsHead))
	if err := c.f.AutoFilter(s, fmt.Sprintf("A1:%s%d", last, len(problems)+1), nil); err != nil {
		return err
	}
	sw, err := c.f.NewStreamWriter(s)
	if err != nil {
		return err
	}
	// The stream writer writes column widths in the reverse order of the
	// calls, and Excel wants them in column order.
	widths := []float64{8, 22, 9, 14, 26, 60, 30, 60}
	for i := len(widths) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	values := make([]any, len(correctionsProblemsHead))
	for j, h := range correctionsProblemsHead {
		values[j] = excelize.Cell{StyleID: c.bold, Value: safeCell(h)}
	}
	if err := sw.SetRow("A1", values); err != nil {
		return err
	}
	for i, p := range problems {
		clear(values)
		if p.Row > 0 {
			values[0] = p.Row
		}
		for j, v := range []string{p.Column, p.Cell, severityLabels[p.Severity], string(p.Code), p.Message, p.Value, p.Suggestion} {
			if v != "" {
				values[j+1] = safeCell(v)
			}
		}
		style := c.warFill
		if p.Severity == SeverityError {
			style = c.errFill
		}
		values[3] = excelize.Cell{StyleID: style, Value: values[3]}
		if err := sw.SetRow("A"+strconv.Itoa(i+2), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func (c *correctionsBook) summarySheet(t *Table, people []Person, problems []Problem) error {
	s := correctionsSummarySheet
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
