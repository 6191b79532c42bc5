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
	correctionsViewSheet     = "À corriger"
	correctionsLegendSheet   = "Légende"
	correctionsStatusHeader  = "Statut"
	correctionsProblemsHead  = []string{"Ligne", "Colonne", "Cellule", "Gravité", "Code", "Message", "Valeur", "Suggestion"}
	correctionsViewHead      = [2]string{"Ligne", "Détail"} // around the list's own columns
)

// The layout of the corrections workbook.
const (
	// correctionsFont is the font of every cell: Excel has Arial on
	// Windows and macOS; LibreOffice shows it as Liberation Sans (or
	// Arimo), fonts drawn to Arial's metrics that it substitutes for it,
	// so column widths and page breaks are the same in both. Calibri's
	// substitute, Carlito, is often not installed; Liberation Sans is not
	// in Excel; DejaVu Sans has other metrics.
	correctionsFont     = "Arial"
	correctionsFontSize = 10
	// Fitted column widths, in characters: a cap keeps a long cell from
	// taking a page width.
	correctionsMinWidth    = 6
	correctionsMaxWidth    = 50
	correctionsDetailWidth = 80
	// correctionsExtraRows are the rows under the list that the drop-down
	// lists also cover, for people the referent adds (as many as the
	// blank template prepares).
	correctionsExtraRows = 1000
	// correctionsFooter prints the sheet's name and the page on every page.
	correctionsFooter = "&L&A&RPage &P / &N"
)

// Row statuses of the corrections workbook.
const (
	correctionsOK      = "OK"
	correctionsFix     = "À corriger"
	correctionsWarning = "Avertissement"
	correctionsRefused = "Habilitation refusée" // accepted, a habilitation refused on its form
)

// Fill colours of problem cells: light red for an error, light orange for
// a warning.
const (
	fillError   = "FFC7CE"
	fillWarning = "FFD8A8"
	fillInfo    = "DDEBF7" // light blue: about the list, nothing to correct
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
//     row is commented on its status cell. Its columns fit their content
//     (capped), its header has an autofilter, it prints landscape, one
//     page wide, the header on every page; with the catalogues of the
//     configuration, the profession, habilitation and login-mode columns
//     offer the drop-down lists of the blank template;
//   - a sheet "À corriger": only the rows with a problem, under the same
//     header, with their row number and the problems in words; it is
//     locked (corrections go into the copy) and has an autofilter;
//   - a sheet "Problèmes" listing every problem, with an autofilter (split
//     into "Problèmes 2", "Problèmes 3"… past Excel's rows);
//   - a sheet "Synthèse" with the row counts and the problems per code;
//   - a sheet "Légende": the colours, the statuses, the sheets, and how to
//     send the workbook back;
//   - a hidden sheet "Listes" when a drop-down list is too long to be
//     written inline.
//
// Every cell is in Arial, which Excel has and LibreOffice replaces with a
// font of the same metrics. Checked again, the workbook is read from its
// copy sheet: the first, whose header the others at best equal.
//
// Every value is a text cell passed through the formula guard (row numbers
// and counts are numbers). date stamps the document properties, so the
// same inputs give the same bytes. It writes a held table, and has no
// catalogues, so no drop-down lists; [CheckFile] and [Run] write the same
// workbook, with them, as the list streams.
func WriteCorrections(w io.Writer, t *Table, people []Person, problems []Problem, date time.Time) error {
	return writeCorrectionsSplit(w, t, people, problems, &Config{Date: date}, perSheet(correctionsProblemsPerSheet))
}

// perSheet is how many problems a problems sheet lists.
type perSheet int

// writeCorrectionsSplit is [WriteCorrections] with cfg (its date, and its
// catalogues for the drop-down lists) and n problems per problems sheet.
func writeCorrectionsSplit(w io.Writer, t *Table, people []Person, problems []Problem, cfg *Config, n perSheet) error {
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
	cw, err := newCorrectionsStreamSplit(w, src, shape, sum, cfg, int(n))
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
	if name == "" {
		return "Liste"
	}
	for _, added := range []string{correctionsProblemsSheet, correctionsSummarySheet, correctionsViewSheet, correctionsLegendSheet, templateListsSheet} {
		if strings.EqualFold(name, added) || strings.HasPrefix(strings.ToLower(name), strings.ToLower(correctionsProblemsSheet)+" ") {
			return "Liste"
		}
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
	w := SeverityInfo
	for _, p := range ps {
		switch p.Severity {
		case SeverityError:
			return SeverityError
		case SeverityWarning:
			w = SeverityWarning
		}
	}
	return w
}

// fill is the fill of a cell whose worst problem is of severity s.
func (c *correctionsStream) fill(s Severity) int {
	switch s {
	case SeverityError:
		return c.errFill
	case SeverityInfo:
		return c.infoFill
	}
	return c.warFill
}

// correctionsStream writes the corrections workbook row by row (see
// [WriteCorrections] for what it holds), in memory that does not grow with
// the rows or the problems: the sheets, comments and drawings are spooled
// compressed by [xlsxwriter].
type correctionsStream struct {
	xw                     *xlsxwriter.Writer
	copy, summary          *xlsxwriter.Sheet
	view, legend, lists    *xlsxwriter.Sheet   // lists: nil until a long drop-down list needs it
	problems               []*xlsxwriter.Sheet // "Problèmes", "Problèmes 2"…
	src                    *source
	width, statusCol       int
	headerRow              int
	lastRow                int // of the copy
	viewRows               int // rows listed in the view, under its header
	validations            []xlsxwriter.Validation
	bold, errFill, warFill int
	infoFill               int
	wrap, boldWrap         int
	headDone               bool
	nProblems              int // written to the problems sheets
	perSheet               int // problems per problems sheet
	total                  int // problems announced
	skipped                int // rows past Excel's last row, not copied
	cutCells               int // cells past Excel's last column, not copied
	sum                    *Summary
	line                   []xlsxwriter.Cell
	out                    []xlsxwriter.Cell
	viewLine               []xlsxwriter.Cell
	problemLine            []xlsxwriter.Cell // a row of the problems sheet, reused
	detail                 []byte            // a row's detail in « À corriger », reused
	comment                []byte            // a cell's comment, reused
	byCell                 map[int][]Problem
	cols                   []int
	run                    *runDecisions // a run's refusals and departures; nil for a check
	prereq                 prerequisites // the establishments, for the sheet « Prérequis »
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
	return newCorrectionsStreamFor(w, src, shape, sum, cfg, perSheet, nil)
}

// newCorrectionsStreamFor is [newCorrectionsStreamSplit] for a run with
// the store's decisions (nil for a check): see [runDecisions].
func newCorrectionsStreamFor(w io.Writer, src *source, shape listShape, sum *Summary, cfg *Config, perSheet int, run *runDecisions) (*correctionsStream, error) {
	y, m, day := cfg.Date.Date()
	xw, err := xlsxwriter.New(w, xlsxwriter.Options{
		Creator: "dccprov",
		Created: time.Date(y, m, day, 0, 0, 0, 0, time.UTC),
		// The comment boxes keep the size they have always had.
		CommentWidth:  320,
		CommentHeight: 140,
		Font:          correctionsFont,
		FontSize:      correctionsFontSize,
	})
	if err != nil {
		return nil, fmt.Errorf("writing corrections workbook: %w", err)
	}
	c := &correctionsStream{xw: xw, src: src, perSheet: perSheet, total: sum.Problems, byCell: map[int][]Problem{}, run: run}
	if err := c.init(shape, sum, cfg); err != nil {
		xw.Abort()
		return nil, fmt.Errorf("writing corrections workbook: %w", err)
	}
	return c, nil
}

func (c *correctionsStream) init(shape listShape, sum *Summary, cfg *Config) error {
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
	c.infoFill = style(xlsxwriter.Style{Fill: fillInfo})
	c.bold = style(xlsxwriter.Style{Bold: true})
	c.wrap = style(xlsxwriter.Style{WrapText: true})
	c.boldWrap = style(xlsxwriter.Style{Bold: true, WrapText: true})
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
	if err := c.layOut(c.copy, c.headerRow, c.width, xlsxwriter.ColumnFit{
		First: 1, Last: c.width, FromRow: c.headerRow, Min: correctionsMinWidth, Max: correctionsMaxWidth,
	}); err != nil {
		return err
	}
	if err := c.initView(); err != nil {
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
		if err := s.SetPageSetup(correctionsPage(1)); err != nil {
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
	if c.summary, err = c.xw.AddSheet(correctionsSummarySheet); err != nil {
		return err
	}
	if err := c.legendSheet(); err != nil {
		return err
	}
	return c.dropDowns(cfg)
}

// correctionsPage is how a sheet of the workbook prints: landscape, A4,
// one page wide, the rows to headerRow on every page, gridlines, and the
// sheet's name and page number in the footer.
func correctionsPage(headerRow int) xlsxwriter.PageSetup {
	return xlsxwriter.PageSetup{
		Landscape: true, FitToWidth: true, FirstTitleRow: headerRow, LastTitleRow: headerRow,
		GridLines: true, Footer: correctionsFooter,
	}
}

// layOut sets the layout of a list sheet (the copy, the view) whose
// header is row headerRow with width columns: fitted widths, the header
// frozen, an autofilter from the header (extended to the last row at
// close, set now so that the widths leave room for its buttons), and the
// print setup.
func (c *correctionsStream) layOut(s *xlsxwriter.Sheet, headerRow, width int, fit xlsxwriter.ColumnFit) error {
	return cmp.Or(
		s.FitColumns(fit),
		s.Freeze(headerRow),
		s.AutoFilter(1, headerRow, width, headerRow),
		s.SetPageSetup(correctionsPage(headerRow)),
	)
}

// viewWidth is the number of columns of the view: the row number, the
// list's columns and the detail of the problems, within Excel's columns.
func (c *correctionsStream) viewWidth() int { return min(c.width+2, xlsxwriter.MaxCols) }

// initView adds the sheet "À corriger" and writes its first row, which
// says where to correct; its header, row 2, is written with the copy's.
func (c *correctionsStream) initView() error {
	v, err := c.xw.AddSheet(correctionsViewSheet)
	if err != nil {
		return err
	}
	c.view = v
	w := c.viewWidth()
	if err := c.layOut(v, 2, w, xlsxwriter.ColumnFit{
		First: 1, Last: w - 1, FromRow: 2, Min: correctionsMinWidth, Max: correctionsMaxWidth,
	}); err != nil {
		return err
	}
	if err := v.SetColWidth(w, w, correctionsDetailWidth); err != nil {
		return err
	}
	if err := v.Protect(); err != nil {
		return err
	}
	text := fmt.Sprintf("Lignes à corriger ou à vérifier, en lecture seule : corrigez-les dans la feuille « %s » (colonne « Ligne » : leur numéro).",
		correctionsSheetName(c.src.Input.Sheet))
	return v.WriteRow(1, []xlsxwriter.Cell{{Col: 1, Text: safeCell(text), Style: c.bold}})
}

// legendSheet writes the sheet "Légende": what the colours and statuses
// mean, what each sheet holds, and how to send the workbook back.
func (c *correctionsStream) legendSheet() error {
	s, err := c.xw.AddSheet(correctionsLegendSheet)
	if err != nil {
		return err
	}
	c.legend = s
	list := "« " + correctionsSheetName(c.src.Input.Sheet) + " »"
	type line = legendLine
	title := func(t string) line { return line{t, c.bold, ""} }
	lines := []line{
		title("Comment lire ce classeur et le renvoyer"),
		{},
		title("Couleurs"),
		{"Erreur", c.errFill, "Rouge : la ligne est rejetée, aucun compte n'est créé pour cette personne tant que la cellule n'est pas corrigée."},
		{"Avertissement", c.warFill, "Orange : la ligne est acceptée ; vérifiez la valeur et corrigez-la si besoin."},
		{"Information", c.infoFill, "Bleu : une remarque sur la liste (par exemple une colonne non utilisée), rien à corriger."},
		{"Commentaire", 0, "Survolez une cellule colorée pour lire son commentaire : le problème et, s'il y en a une, la correction proposée."},
		{},
		title("Colonne « " + correctionsStatusHeader + " »"),
		{correctionsOK, 0, "Rien à corriger."},
		{correctionsFix, c.errFill, "Au moins une erreur : la ligne est rejetée."},
		{correctionsWarning, c.warFill, "Seulement des avertissements : la ligne est acceptée."},
	}
	lines = append(lines, c.run.legendStatus(c.warFill)...)
	lines = append(lines, []line{
		{},
		title("Feuilles"),
		{list, 0, "Votre liste : corrigez les cellules directement dans cette feuille. Le filtre de la ligne des titres permet de n'afficher que les lignes « " + correctionsFix + " »."},
		{correctionsViewSheet, 0, "Les seules lignes qui ont un problème, avec le détail. Lecture seule : corrigez dans la feuille " + list + "."},
		{correctionsProblemsSheet, 0, "Tous les problèmes, un par ligne, avec un filtre sur chaque colonne."},
		{correctionsSummarySheet, 0, "Le nombre de lignes acceptées et rejetées, et de problèmes de chaque type."},
	}...)
	lines = append(lines, c.run.legendSheet()...)
	lines = append(lines, []line{
		{},
		title("Pour renvoyer le classeur"),
		{"1.", 0, "Corrigez les cellules en rouge et vérifiez celles en orange, dans la feuille " + list + "."},
		{"2.", 0, "Ne modifiez pas la ligne des titres ; ne renommez pas et ne supprimez pas la feuille " + list + ". Vous pouvez ajouter des personnes sous la dernière ligne."},
		{"3.", 0, "Enregistrez le classeur au format Excel (.xlsx). Dans LibreOffice : Fichier > Enregistrer sous, type « Excel 2007-365 (.xlsx) », puis « Utiliser le format Excel 2007-365 ! »."},
		{"4.", 0, "Renvoyez le fichier à la personne qui vous l'a envoyé, par une messagerie sécurisée de santé si possible : il contient des données personnelles. Il sera contrôlé de nouveau, ligne par ligne."},
		{"", 0, "La colonne « " + correctionsStatusHeader + " » et les autres feuilles sont refaites à chaque contrôle : inutile de les mettre à jour."},
	}...)
	if err := cmp.Or(s.SetColWidth(1, 1, 16), s.SetColWidth(2, 2, 100)); err != nil {
		return err
	}
	page := correctionsPage(0)
	page.Landscape, page.GridLines, page.FirstTitleRow, page.LastTitleRow = false, false, 0, 0
	if err := s.SetPageSetup(page); err != nil {
		return err
	}
	for i, l := range lines {
		var cells []xlsxwriter.Cell
		if l.label != "" || l.style != 0 {
			cells = append(cells, xlsxwriter.Cell{Col: 1, Text: safeCell(l.label), Style: l.style})
		}
		if l.text != "" {
			cells = append(cells, xlsxwriter.Cell{Col: 2, Text: safeCell(l.text), Style: c.wrap})
		}
		if err := s.WriteRow(i+1, cells); err != nil {
			return err
		}
	}
	return nil
}

// dropDowns prepares the drop-down lists of the blank template on the
// copy's columns of the same fields, from cfg's catalogues (none without
// cfg.Templates). A list too long to be inline goes into the hidden sheet
// "Listes", as in the template. Their rows are known at close.
func (c *correctionsStream) dropDowns(cfg *Config) error {
	if cfg == nil || cfg.Templates == nil {
		return nil
	}
	lists, err := NewTemplateLists(cfg)
	if err != nil {
		return err
	}
	var long [][]string // the lists of the sheet "Listes", a column each
	for _, d := range dropDowns(lists) {
		col := 0
		for _, k := range c.src.Columns {
			if k.Field == d.field {
				col = k.Index
				break
			}
		}
		if col == 0 || col > c.width || col == c.statusCol {
			continue
		}
		v := xlsxwriter.Validation{
			FirstCol: col, LastCol: col,
			ErrorTitle: d.errTitle, Error: d.errMsg, PromptTitle: d.inputTitle, Prompt: d.inputMsg,
		}
		switch d.style {
		case excelize.DataValidationErrorStyleWarning:
			v.ErrorStyle = xlsxwriter.ErrorWarning
		case excelize.DataValidationErrorStyleInformation:
			v.ErrorStyle = xlsxwriter.ErrorInformation
		}
		if fitsInline(d.values) {
			v.List = safeCells(d.values)
		} else {
			long = append(long, d.values)
			v.SourceSheet, v.Source = nil, [4]int{len(long), 1, len(long), len(d.values)}
		}
		c.validations = append(c.validations, v)
	}
	if len(long) == 0 {
		return nil
	}
	if c.lists, err = c.xw.AddSheet(templateListsSheet); err != nil {
		return err
	}
	if err := c.lists.Hide(); err != nil {
		return err
	}
	for i := range c.validations {
		if c.validations[i].List == nil {
			c.validations[i].SourceSheet = c.lists
		}
	}
	// Rows are written in order: the lists side by side, row by row.
	var cells []xlsxwriter.Cell
	for r := 0; ; r++ {
		cells = cells[:0]
		for j, values := range long {
			if r < len(values) {
				cells = append(cells, xlsxwriter.Cell{Col: j + 1, Text: safeCell(values[r])})
			}
		}
		if len(cells) == 0 {
			return nil
		}
		if err := c.lists.WriteRow(r+1, cells); err != nil {
			return err
		}
	}
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
		if err := put(text(string(code)), text(info.Severity.Label()), number(sum.PerCode[code]), text(info.Title)); err != nil {
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
	style := c.fill(p.Severity)
	line := c.problemLine[:0]
	if p.Row > 0 {
		line = append(line, xlsxwriter.Cell{Col: 1, Number: float64(p.Row), IsNumber: true})
	}
	ref := p.Cell
	if p.Sheet != "" {
		ref = p.Sheet + " " + p.Cell // a cell of another sheet than the copy
	}
	for j, v := range []string{p.Column, ref, p.Severity.Label(), string(p.Code), p.Message, p.Value, p.Suggestion} {
		cell := xlsxwriter.Cell{Col: j + 2, Text: safeCell(v)}
		if j == 2 {
			cell.Style = style
		}
		if cell.Text != "" || cell.Style != 0 {
			line = append(line, cell)
		}
	}
	c.problemLine = line
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
	var head []Problem
	for _, p := range ps {
		if err := c.problem(p); err != nil {
			return err
		}
		if p.Sheet == "" {
			head = append(head, p)
		}
	}
	return c.head(head)
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
	c.prereq.add(r)
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
		if status != correctionsFix && c.run.rowRefused() {
			status, style = correctionsRefused, c.warFill
		}
		put(c.statusCol, status, style)
	}
	// A cell's own problems decide its fill, also on a status cell; a
	// problem of the whole row goes to the status cell.
	// The lists of the row before are emptied, not dropped: their arrays
	// serve again.
	for _, col := range c.cols {
		c.byCell[col] = c.byCell[col][:0]
	}
	c.cols = c.cols[:0]
	for _, p := range ps {
		col := c.statusCol
		if p.Cell != "" {
			col = columnIndex(letters(p.Cell))
		}
		if len(c.byCell[col]) == 0 {
			c.cols = append(c.cols, col)
		}
		c.byCell[col] = append(c.byCell[col], p)
	}
	refusedCol := 0 // the habilitations cell of a row with refused requests
	if person && c.run.rowRefused() {
		if refusedCol = c.run.habCol; refusedCol > 0 && len(c.byCell[refusedCol]) == 0 {
			c.cols = append(c.cols, refusedCol)
		}
	}
	slices.Sort(c.cols) // comments go in cell order
	for _, col := range c.cols {
		put(col, "", c.fill(worst(c.byCell[col])))
		if col <= c.width {
			// In a buffer kept from cell to cell, which Comment copies.
			c.comment = appendCommentText(c.comment[:0], c.byCell[col])
			var err error
			if col == refusedCol {
				err = c.copy.Comment(col, n, "dccprov", c.run.refusalComment(string(c.comment)))
			} else {
				err = c.copy.CommentBytes(col, n, "dccprov", c.comment)
			}
			if err != nil {
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
	if err := c.viewRow(n, cells, ps, person); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	if len(cells) == 0 {
		return nil
	}
	c.lastRow = n
	if err := c.copy.WriteRow(n, cells); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	return nil
}

// viewRow writes to the sheet "À corriger" the copy's header row, or a
// people row with problems: its number, its cells (values and fills) one
// column to the right, and its problems in words.
func (c *correctionsStream) viewRow(n int, cells []xlsxwriter.Cell, ps []Problem, person bool) error {
	var first xlsxwriter.Cell
	var detail string
	switch {
	case n == c.headerRow:
		first = xlsxwriter.Cell{Text: safeCell(correctionsViewHead[0]), Style: c.bold}
		detail = correctionsViewHead[1]
	case person && len(ps) > 0:
		first = xlsxwriter.Cell{Number: float64(n), IsNumber: true}
		// Built in a buffer kept from row to row, then copied once.
		b := c.detail[:0]
		for i, p := range ps {
			if i > 0 {
				b = append(b, " • "...)
			}
			if p.Column != "" {
				b = append(b, p.Column...)
				if p.Cell != "" {
					b = append(b, " ("...)
					b = append(b, p.Cell...)
					b = append(b, ')')
				}
				b = append(b, " : "...)
			}
			b = append(b, p.Message...)
		}
		detail = string(b)
		c.detail = b
	default:
		return nil
	}
	w := c.viewWidth()
	hasDetail := w == c.width+2
	limit := w
	if hasDetail {
		limit--
	}
	first.Col = 1
	line := append(c.viewLine[:0], first)
	for _, cell := range cells {
		if cell.Col+1 > limit {
			break
		}
		cell.Col++
		line = append(line, cell)
	}
	if hasDetail {
		style := 0
		if n == c.headerRow {
			style = c.bold
		}
		// Cut to what a cell holds: the problems are also in full in the
		// comments and the sheet "Problèmes".
		if len(detail) > 32000 {
			detail = strings.ToValidUTF8(detail[:32000], "") + "…"
		}
		line = append(line, xlsxwriter.Cell{Col: w, Text: safeCell(detail), Style: style})
	}
	c.viewLine = line
	row := 2
	if n != c.headerRow {
		c.viewRows++
		row += c.viewRows
	}
	if row > xlsxwriter.MaxRows {
		return nil // the copy and the sheet "Problèmes" have them
	}
	return c.view.WriteRow(row, line)
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
	if err := c.finishLayout(); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	if err := c.summarySheet(c.sum); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	if err := c.departuresSheet(); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	if err := c.prerequisitesSheet(); err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	err := c.xw.Close()
	c.xw = nil
	if err != nil {
		return fmt.Errorf("writing corrections workbook: %w", err)
	}
	return nil
}

// finishLayout sets what depends on the rows written: the autofilters to
// the last rows, and the drop-down lists from under the header to
// correctionsExtraRows past the last row.
func (c *correctionsStream) finishLayout() error {
	last := max(c.lastRow, c.headerRow)
	if err := c.copy.AutoFilter(1, c.headerRow, c.width, last); err != nil {
		return err
	}
	if err := c.view.AutoFilter(1, 2, c.viewWidth(), min(2+c.viewRows, xlsxwriter.MaxRows)); err != nil {
		return err
	}
	if c.headerRow >= xlsxwriter.MaxRows {
		return nil
	}
	for _, v := range c.validations {
		v.FirstRow, v.LastRow = c.headerRow+1, min(last+correctionsExtraRows, xlsxwriter.MaxRows)
		if err := c.copy.AddValidation(v); err != nil {
			return err
		}
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

// appendCommentText appends to b the French comment of a cell with the
// problems ps: each problem's message and suggestion.
func appendCommentText(b []byte, ps []Problem) []byte {
	for i, p := range ps {
		if i > 0 {
			b = append(b, "\n\n"...)
		}
		label := "Avertissement"
		switch p.Severity {
		case SeverityError:
			label = "Erreur"
		case SeverityInfo:
			label = "Information"
		}
		b = append(b, label...)
		b = append(b, " ("...)
		b = append(b, p.Code...)
		b = append(b, ") : "...)
		b = append(b, p.Message...)
		if p.Suggestion != "" {
			b = append(b, "\nSuggestion : "...)
			b = append(b, p.Suggestion...)
		}
	}
	return b
}
