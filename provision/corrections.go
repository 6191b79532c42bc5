package provision

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dccprov/dccprov/provision/xlsxwriter"
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
//   - a sheet "Problèmes" listing every problem, with an autofilter (split
//     into "Problèmes 2", "Problèmes 3"… past Excel's rows);
//   - a sheet "Synthèse" with the row counts and the problems per code.
//
// Every value is a text cell passed through the formula guard (row numbers
// and counts are numbers). date stamps the document properties, so the
// same inputs give the same bytes. It writes a held table;
// [CheckFile] and [Run] write the same workbook as the list streams.
func WriteCorrections(w io.Writer, t *Table, people []Person, problems []Problem, date time.Time) error {
	return writeCorrectionsSplit(w, t, people, problems, date, correctionsProblemsPerSheet)
}

// writeCorrectionsSplit is [WriteCorrections] with perSheet problems per
// problems sheet.
func writeCorrectionsSplit(w io.Writer, t *Table, people []Person, problems []Problem, date time.Time, perSheet int) error {
	shape := listShape{}
	for _, r := range t.Rows {
		shape.width = max(shape.width, len(r.Values))
	}
	perCode := map[Code]int{}
	for _, p := range problems {
		perCode[p.Code]++
	}
	sum := &Summary{Input: t.Input, Rows: NewReport(t, people, problems).Rows, Problems: len(problems), PerCode: perCode}
	src := &source{Input: t.Input, Columns: t.Columns, Head: t.Head}
	cw, err := newCorrectionsStreamSplit(w, src, shape, sum, &Config{Date: date}, perSheet)
	if err != nil {
		return err
	}
	defer cw.abort()
	byRow := map[int][]Problem{}
	nums := []int{}
	for _, p := range problems {
		if err := cw.problem(p); err != nil {
			return err
		}
		if p.Row > 0 {
			if byRow[p.Row] == nil {
				nums = append(nums, p.Row)
			}
			byRow[p.Row] = append(byRow[p.Row], p)
		}
	}
	rows := make(map[int]*Row, len(t.Rows))
	for i := range t.Rows {
		rows[t.Rows[i].Number] = &t.Rows[i]
		nums = append(nums, t.Rows[i].Number)
	}
	slices.Sort(nums)
	nums = slices.Compact(nums)
	var head []Problem
	for _, n := range nums {
		if n <= cw.headerRow {
			head = append(head, byRow[n]...)
		}
	}
	if err := cw.head(head); err != nil {
		return err
	}
	for _, n := range nums {
		if n <= cw.headerRow {
			continue
		}
		if err := cw.copyRow(n, rows[n], byRow[n]); err != nil {
			return err
		}
	}
	return cw.close()
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

func worst(ps []Problem) Severity {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return SeverityError
		}
	}
	return SeverityWarning
}

// correctionsStream writes the corrections workbook row by row (see
// [WriteCorrections] for what it holds), in memory that does not grow with
// the rows or the problems: the sheets, comments and drawings are spooled
// compressed by [xlsxwriter].
type correctionsStream struct {
	xw                     *xlsxwriter.Writer
	copy, summary          *xlsxwriter.Sheet
	problems               []*xlsxwriter.Sheet // "Problèmes", "Problèmes 2"…
	src                    *source
	width, statusCol       int
	headerRow              int
	bold, errFill, warFill int
	headDone               bool
	nProblems              int // written to the problems sheets
	perSheet               int // problems per problems sheet
	total                  int // problems announced
	skipped                int // rows past Excel's last row, not copied
	cutCells               int // cells past Excel's last column, not copied
	sum                    *Summary
	line                   []xlsxwriter.Cell
	out                    []xlsxwriter.Cell
	byCell                 map[int][]Problem
	cols                   []int
}

// correctionsProblemsPerSheet is how many problems one sheet lists: Excel's
// rows less the header.
const correctionsProblemsPerSheet = xlsxwriter.MaxRows - 1

func newCorrectionsStream(w io.Writer, src *source, shape listShape, sum *Summary, cfg *Config) (*correctionsStream, error) {
	return newCorrectionsStreamSplit(w, src, shape, sum, cfg, correctionsProblemsPerSheet)
}

// newCorrectionsStreamSplit is [newCorrectionsStream] with perSheet
// problems per problems sheet (tests split small lists).
func newCorrectionsStreamSplit(w io.Writer, src *source, shape listShape, sum *Summary, cfg *Config, perSheet int) (*correctionsStream, error) {
	y, m, day := cfg.Date.Date()
	xw, err := xlsxwriter.New(w, xlsxwriter.Options{
		Creator: "dccprov",
		Created: time.Date(y, m, day, 0, 0, 0, 0, time.UTC),
		// The comment boxes keep the size they have always had.
		CommentWidth:  320,
		CommentHeight: 140,
	})
	if err != nil {
		return nil, fmt.Errorf("writing corrections workbook: %w", err)
	}
	c := &correctionsStream{xw: xw, src: src, perSheet: perSheet, total: sum.Problems, byCell: map[int][]Problem{}}
	if err := c.init(shape, sum); err != nil {
		xw.Abort()
		return nil, fmt.Errorf("writing corrections workbook: %w", err)
	}
	return c, nil
}

func (c *correctionsStream) init(shape listShape, sum *Summary) error {
	var err error
	style := func(s xlsxwriter.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = c.xw.AddStyle(s)
		return id
	}
	c.errFill = style(xlsxwriter.Style{Fill: fillError})
	c.warFill = style(xlsxwriter.Style{Fill: fillWarning})
	c.bold = style(xlsxwriter.Style{Bold: true})
	if err != nil {
		return err
	}
	t := c.src
	width := shape.width
	for _, row := range t.Head {
		width = max(width, len(row))
	}
	for _, col := range t.Columns {
		width = max(width, col.Index)
	}
	c.headerRow = cmp.Or(t.Input.HeaderRow, len(t.Head), 1)
	c.statusCol = statusColumn(t.Head)
	if c.statusCol == 0 {
		c.statusCol = width + 1
	}
	c.width = min(max(width, c.statusCol), xlsxwriter.MaxCols)
	c.statusCol = min(c.statusCol, xlsxwriter.MaxCols)

	if c.copy, err = c.xw.AddSheet(correctionsSheetName(t.Input.Sheet)); err != nil {
		return err
	}
	if err := c.copy.SetColWidth(1, c.width, 20); err != nil {
		return err
	}
	if err := c.copy.Freeze(c.headerRow); err != nil {
		return err
	}
	sheets := max(1, (sum.Problems+c.perSheet-1)/c.perSheet)
	for i := range sheets {
		name := correctionsProblemsSheet
		if i > 0 {
			name = fmt.Sprintf("%s %d", correctionsProblemsSheet, i+1)
		}
		s, err := c.xw.AddSheet(name)
		if err != nil {
			return err
		}
		for j, wd := range []float64{8, 22, 9, 14, 26, 60, 30, 60} {
			if err := s.SetColWidth(j+1, j+1, wd); err != nil {
				return err
			}
		}
		if err := s.Freeze(1); err != nil {
			return err
		}
		n := min(c.perSheet, sum.Problems-i*c.perSheet)
		if err := s.AutoFilter(1, 1, len(correctionsProblemsHead), max(n, 0)+1); err != nil {
			return err
		}
		head := make([]xlsxwriter.Cell, len(correctionsProblemsHead))
		for j, h := range correctionsProblemsHead {
			head[j] = xlsxwriter.Cell{Col: j + 1, Text: safeCell(h), Style: c.bold}
		}
		if err := s.WriteRow(1, head); err != nil {
			return err
		}
		c.problems = append(c.problems, s)
	}
	c.sum = sum
	c.summary, err = c.xw.AddSheet(correctionsSummarySheet)
	return err
}

// summarySheet writes the counts and the problems per code.
func (c *correctionsStream) summarySheet(sum *Summary) error {
	s := c.summary
	for _, w := range []struct {
		first, last int
		width       float64
	}{{1, 1, 36}, {2, 3, 14}, {4, 4, 80}} {
		if err := s.SetColWidth(w.first, w.last, w.width); err != nil {
			return err
		}
	}
	row := 1
	text := func(v string) xlsxwriter.Cell { return xlsxwriter.Cell{Text: safeCell(v)} }
	put := func(cells ...xlsxwriter.Cell) error {
		var line []xlsxwriter.Cell
		for j, cell := range cells {
			if cell.Text == "" && !cell.IsNumber {
				continue
			}
			cell.Col = j + 1
			line = append(line, cell)
		}
		err := s.WriteRow(row, line)
		row++
		return err
	}
	number := func(n int) xlsxwriter.Cell { return xlsxwriter.Cell{Number: float64(n), IsNumber: true} }
	if err := put(text("Fichier"), text(sum.Input.File)); err != nil {
		return err
	}
	counts := sum.Rows
	for _, kv := range []struct {
		label string
		n     int
	}{
		{"Lignes lues", counts.Read},
		{"Lignes acceptées", counts.Accepted},
		{"Lignes rejetées", counts.Rejected},
		{"Lignes acceptées avec avertissements", counts.WithWarnings},
		{"Problèmes", sum.Problems},
	} {
		if err := put(text(kv.label), number(kv.n)); err != nil {
			return err
		}
	}
	// What Excel cannot hold is said, with exact counts: the problems of
	// those rows are in the Problèmes sheets and the JSON report.
	if c.skipped > 0 {
		row++
		if err := put(text(fmt.Sprintf("%d ligne(s) au-delà de la ligne %d, la dernière d'une feuille Excel, ne sont pas recopiées dans la feuille « %s » ; leurs problèmes figurent dans la feuille « %s » et dans le rapport JSON.",
			c.skipped, xlsxwriter.MaxRows, correctionsSheetName(sum.Input.Sheet), correctionsProblemsSheet))); err != nil {
			return err
		}
	}
	if c.cutCells > 0 {
		row++
		if err := put(text(fmt.Sprintf("%d cellule(s) au-delà de la colonne XFD (%d), la dernière d'une feuille Excel, ne sont pas recopiées.",
			c.cutCells, xlsxwriter.MaxCols))); err != nil {
			return err
		}
	}
	row++
	var head []xlsxwriter.Cell
	for _, h := range []string{"Code", "Gravité", "Nombre", "Signification"} {
		head = append(head, xlsxwriter.Cell{Text: safeCell(h), Style: c.bold})
	}
	if err := put(head...); err != nil {
		return err
	}
	for _, code := range slices.Sorted(maps.Keys(sum.PerCode)) {
		info := Codes[code]
		if err := put(text(string(code)), text(severityLabels[info.Severity]), number(sum.PerCode[code]), text(info.Title)); err != nil {
			return err
		}
	}
	return nil
}

// problem appends p to the problems sheets.
func (c *correctionsStream) problem(p Problem) error {
	if c.nProblems >= len(c.problems)*c.perSheet {
		return fmt.Errorf("writing corrections workbook: more problems than the %d announced", c.total)
	}
	s := c.problems[c.nProblems/c.perSheet]
	row := c.nProblems%c.perSheet + 2
	c.nProblems++
	style := c.warFill
	if p.Severity == SeverityError {
		style = c.errFill
	}
	var line []xlsxwriter.Cell
	if p.Row > 0 {
		line = append(line, xlsxwriter.Cell{Col: 1, Number: float64(p.Row), IsNumber: true})
	}
	for j, v := range []string{p.Column, p.Cell, severityLabels[p.Severity], string(p.Code), p.Message, p.Value, p.Suggestion} {
		cell := xlsxwriter.Cell{Col: j + 2, Text: safeCell(v)}
		if j == 2 {
			cell.Style = style
		}
		if cell.Text != "" || cell.Style != 0 {
			line = append(line, cell)
		}
	}
	if err := s.WriteRow(row, line); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	return nil
}

// head writes the title rows and the header row of the copy, with ps, the
// problems on those rows (of the list itself, on its header row).
func (c *correctionsStream) head(ps []Problem) error {
	c.headDone = true
	byRow := map[int][]Problem{}
	for _, p := range ps {
		byRow[p.Row] = append(byRow[p.Row], p)
	}
	for n := 1; n <= max(len(c.src.Head), c.headerRow); n++ {
		var values []string
		if n <= len(c.src.Head) {
			values = c.src.Head[n-1]
		}
		if err := c.writeRow(n, values, byRow[n], false); err != nil {
			return err
		}
	}
	return nil
}

// list writes the problems of the list itself (on its header row): in the
// problems sheet, and on the head of the copy. It comes before any row.
func (c *correctionsStream) list(ps []Problem) error {
	for _, p := range ps {
		if err := c.problem(p); err != nil {
			return err
		}
	}
	return c.head(ps)
}

// row writes the copy of a people row and its problems (sorted), and
// lists the problems.
func (c *correctionsStream) row(r *Row, ps []Problem) error {
	if !c.headDone {
		if err := c.head(nil); err != nil {
			return err
		}
	}
	for _, p := range ps {
		if err := c.problem(p); err != nil {
			return err
		}
	}
	return c.copyRow(r.Number, r, ps)
}

// copyRow writes row n of the copy: r's values when r is not nil, and the
// problems ps of that row.
func (c *correctionsStream) copyRow(n int, r *Row, ps []Problem) error {
	if !c.headDone {
		if err := c.head(nil); err != nil {
			return err
		}
	}
	if n > xlsxwriter.MaxRows {
		c.skipped++
		return nil
	}
	var values []string
	if r != nil {
		values = r.Values
	}
	return c.writeRow(n, values, ps, r != nil)
}

// writeRow writes row n of the copy: values, the status cell of a people
// row, and the fill and comment of each cell with a problem.
func (c *correctionsStream) writeRow(n int, values []string, ps []Problem, person bool) error {
	line := c.line[:0]
	put := func(col int, v string, style int) {
		if col > c.width {
			if v != "" && col > xlsxwriter.MaxCols {
				c.cutCells++
			}
			return
		}
		for len(line) < col {
			line = append(line, xlsxwriter.Cell{Col: len(line) + 1})
		}
		if v != "" {
			line[col-1].Text = safeCell(v)
		}
		if style != 0 {
			line[col-1].Style = style
		}
	}
	for j, v := range values {
		put(j+1, v, 0)
	}
	if n == c.headerRow {
		put(c.statusCol, correctionsStatusHeader, 0)
		for j := 1; j <= c.statusCol; j++ {
			put(j, "", c.bold)
		}
	}
	if person {
		status, style := correctionsOK, 0
		if len(ps) > 0 {
			status, style = correctionsWarning, c.warFill
			if worst(ps) == SeverityError {
				status, style = correctionsFix, c.errFill
			}
		}
		put(c.statusCol, status, style)
	}
	// A cell's own problems decide its fill, also on a status cell; a
	// problem of the whole row goes to the status cell.
	clear(c.byCell)
	c.cols = c.cols[:0]
	for _, p := range ps {
		col := c.statusCol
		if p.Cell != "" {
			col = columnIndex(letters(p.Cell))
		}
		if c.byCell[col] == nil {
			c.cols = append(c.cols, col)
		}
		c.byCell[col] = append(c.byCell[col], p)
	}
	slices.Sort(c.cols) // comments go in cell order
	for _, col := range c.cols {
		style := c.warFill
		if worst(c.byCell[col]) == SeverityError {
			style = c.errFill
		}
		put(col, "", style)
		if col <= c.width {
			if err := c.copy.Comment(col, n, "dccprov", commentText(c.byCell[col])); err != nil {
				return fmt.Errorf("writing corrections workbook: %w", err)
			}
		}
	}
	c.line = line
	cells := c.out[:0]
	for _, cell := range line {
		if cell.Text != "" || cell.Style != 0 {
			cells = append(cells, cell)
		}
	}
	c.out = cells
	if len(cells) == 0 {
		return nil
	}
	if err := c.copy.WriteRow(n, cells); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	return nil
}

// columnIndex returns the 1-based column of spreadsheet letters ("A" is 1).
func columnIndex(letters string) int {
	n := 0
	for i := 0; i < len(letters); i++ {
		n = n*26 + int(letters[i]-'A'+1)
	}
	return n
}

// close finishes the workbook.
func (c *correctionsStream) close() error {
	if !c.headDone {
		if err := c.head(nil); err != nil {
			return err
		}
	}
	if c.nProblems != c.total {
		return fmt.Errorf("writing corrections workbook: %d problems listed, %d announced", c.nProblems, c.total)
	}
	if err := c.summarySheet(c.sum); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	err := c.xw.Close()
	c.xw = nil
	if err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	return nil
}

// abort drops an unfinished workbook; after close it does nothing.
func (c *correctionsStream) abort() {
	if c.xw != nil {
		c.xw.Abort()
		c.xw = nil
	}
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
