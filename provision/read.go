package provision

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// headerWindow is how far down the header row may be: titles, logos and
// instructions often fill the first rows.
const headerWindow = 30

// minHeaderScore is the least [headerScore] of a header row: one required
// column and one other, so a title row is never taken for the header.
const minHeaderScore = 3

// gridRow is one row of a sheet or CSV file before the header is known.
type gridRow struct {
	Number int        // Excel row number, CSV line number
	Cells  []gridCell // index 0 is column A
	Hidden bool
}

// gridCell is one cell as read: Value is the text to repair (for a number
// cell, the stored or the displayed text, see xlsxText), Raw the text as
// stored in the file.
type gridCell struct {
	Value, Raw string
}

func (g gridRow) values() []string { return g.appendValues(make([]string, 0, len(g.Cells))) }

// appendValues appends the values of g's cells to v.
func (g gridRow) appendValues(v []string) []string {
	for _, c := range g.Cells {
		v = append(v, c.Value)
	}
	return v
}

// blank reports whether the row holds nothing but spaces.
func (g gridRow) blank() bool {
	for _, c := range g.Cells {
		if strings.TrimFunc(c.Value, isBlankRune) != "" {
			return false
		}
	}
	return true
}

func isBlankRune(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\u00a0', '\u202f', '\u200b', '\ufeff', '\u2060':
		return true
	}
	return false
}

// inputError is an unusable input: its text is the whole message, and it
// wraps [ErrInput].
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }
func (e *inputError) Unwrap() error { return ErrInput }

func inputErrorf(format string, a ...any) error {
	return &inputError{fmt.Sprintf(format, a...)}
}

// limitsOf returns cfg's limits, a zero field taking its [DefaultLimits]
// value.
func limitsOf(cfg *Config) Limits {
	l := cfg.Limits
	d := DefaultLimits
	if l.FileBytes <= 0 {
		l.FileBytes = d.FileBytes
	}
	if l.UnzipBytes <= 0 {
		l.UnzipBytes = d.UnzipBytes
	}
	if l.UnzipXMLPart <= 0 {
		l.UnzipXMLPart = d.UnzipXMLPart
	}
	l.UnzipXMLPart = min(l.UnzipXMLPart, l.UnzipBytes)
	if l.Rows <= 0 {
		l.Rows = d.Rows
	}
	if l.Columns <= 0 {
		l.Columns = d.Columns
	}
	if l.CellBytes <= 0 {
		l.CellBytes = d.CellBytes
	}
	return l
}

// ReadFile reads the staff list at path: it detects the format by content
// (xlsx, xlsm, a password-protected workbook when [Config.Password] is set,
// CSV or tab-separated text), picks the sheet and the header row, maps the
// columns and repairs cell quirks. A format it cannot read gives a
// [*FormatError] wrapping [ErrUnsupportedFormat]; missing required columns a
// [*ColumnError]; an unusable input an error wrapping [ErrInput].
//
// ReadFile holds every row; [CheckFile] and [RunFile] stream them instead.
func ReadFile(ctx context.Context, path string, cfg *Config) (*Table, error) {
	src, err := openFile(ctx, path, cfg)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return src.table(ctx)
}

// openFile opens the staff list at path for reading in passes (see
// [ReadFile] for what it detects and the errors it gives).
func openFile(ctx context.Context, path string, cfg *Config) (*source, error) {
	name := filepath.Base(path)
	lim := limitsOf(cfg)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, errors.Unwrap(err))
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
		}
	}()
	var size int64 // as the folder says; 0 when unknown
	if st, err := f.Stat(); err == nil {
		if st.IsDir() {
			return nil, inputErrorf("%s is a folder, not a staff list", name)
		}
		size = st.Size()
	}
	// A text list is told by its head: it is then read as it streams, never
	// held (see openCSVStream).
	head := make([]byte, csvSample)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	head = head[:n]
	if n == csvSample && len(bytes.TrimSpace(head)) > 0 && sniff(head) == formatCSV {
		src, err := openCSVStream(ctx, f, head, name, lim, cfg)
		if err != nil {
			return nil, err
		}
		keep = true
		src.alsoClose(f)
		return src, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	// Read into room for the whole file at once: io.ReadAll doubles its
	// buffer as it goes, some 2.3 times a workbook's size allocated (160
	// MB for a million rows) where one will do.
	var buf bytes.Buffer
	if size > 0 && size <= lim.FileBytes {
		buf.Grow(int(size) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, lim.FileBytes+1)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	data := buf.Bytes()
	if int64(len(data)) > lim.FileBytes {
		return nil, inputErrorf("%s is larger than %d bytes, the limit", name, lim.FileBytes)
	}
	ft := sniff(data)
	if ft == formatXLSX || ft == formatXLSM {
		// Past sniffing, the workbook is read through the file: its
		// bytes (70 MB for a million rows) are not held during the passes.
		sum := sha256.Sum256(data)
		size := int64(len(data))
		data = nil
		src, err := openXLSX(ctx, f, size, nil, name, hex.EncodeToString(sum[:]), ft, cfg)
		if err != nil {
			return nil, err
		}
		keep = true
		src.alsoClose(f)
		return src, nil
	}
	return openFormat(ctx, data, ft, name, cfg)
}

// readData reads a staff list held in memory, name being its base name.
func readData(ctx context.Context, data []byte, name string, cfg *Config) (*Table, error) {
	src, err := openData(ctx, data, name, cfg)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return src.table(ctx)
}

// openData opens a staff list held in memory, name being its base name.
func openData(ctx context.Context, data []byte, name string, cfg *Config) (*source, error) {
	return openFormat(ctx, data, sniff(data), name, cfg)
}

// openFormat opens a staff list held in memory, whose format, ft, is
// known.
func openFormat(ctx context.Context, data []byte, ft format, name string, cfg *Config) (*source, error) {
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	switch ft {
	case formatXLSX, formatXLSM:
		return openXLSX(ctx, bytes.NewReader(data), int64(len(data)), data, name, digest, ft, cfg)
	case formatEncrypted:
		if cfg.Password == "" {
			return nil, newFormatError(name, lockedFormat(name))
		}
		return openXLSX(ctx, bytes.NewReader(data), int64(len(data)), data, name, digest, formatXLSX, cfg)
	case formatCSV:
		return openCSV(ctx, data, name, digest, cfg)
	case formatDamaged:
		return nil, damagedWorkbook(name)
	default:
		return nil, newFormatError(name, ft)
	}
}

// findHeader returns the index in rows of the header row (the one with the
// best [headerScore] within the first [headerWindow] rows), its columns and
// score; -1 when no row scores [minHeaderScore].
func findHeader(rows []gridRow, custom map[string]Field) (int, []Column, int) {
	best, bestCols, bestScore := -1, []Column(nil), minHeaderScore-1
	for i, g := range rows {
		if g.Number > headerWindow {
			break
		}
		cols := MapColumns(g.values(), custom)
		if s := headerScore(cols); s > bestScore {
			best, bestCols, bestScore = i, cols, s
		}
	}
	return best, bestCols, bestScore
}

// headWindow collects the first rows of seq, up to the header window, and
// returns them with what is left of seq (pull-style).
func headWindow(seq iter.Seq2[gridRow, error]) (head []gridRow, next func() (gridRow, error, bool), stop func(), err error) {
	next, stop = iter.Pull2(seq)
	for {
		g, err, ok := next()
		if !ok {
			return head, next, stop, nil
		}
		if err != nil {
			stop()
			return nil, nil, nil, err
		}
		head = append(head, g)
		if g.Number >= headerWindow {
			return head, next, stop, nil
		}
	}
}

// source is a staff list opened for reading in passes: its header found
// and its columns mapped, its people rows streamed by [source.Rows] as
// often as needed, each pass reading the file again.
type source struct {
	Input   Input
	Columns []Column   // the recognised columns of the header row
	Head    [][]string // rows 1 to Input.HeaderRow as read (titles, then the header)
	// Problems are about the list itself (a hidden sheet), on its header
	// row: they come before every row's.
	Problems []Problem
	// Checklists are the rows of the sheet « Établissements » or
	// « Prérequis » by FINESS, nil without one (checklist.go).
	Checklists map[string]Checklist

	lim   Limits
	order []Column // Columns in the order cells fill fields (see [columnRank])
	// headerFields is the number of fields of a CSV header record, 0 for
	// a workbook: a CSV record with more is a [RowTooManyFields].
	headerFields int
	progress     Progress // nil: none
	tail         []gridRow
	// rest is what is left of the first stream after the header window,
	// for the first pass; later passes reopen the file.
	rest    func() (gridRow, error, bool)
	stop    func()
	reopen  func() iter.Seq2[gridRow, error]
	spooled bool      // reopen reads the first pass's rows back (rowSpool)
	fields  sync.Pool // of *fieldCells, cleared (see passRows)
	closeFn func()
	// damaged turns an error of the stream into the error to give.
	damaged func(error) error
}

// Close releases what the source holds open.
func (s *source) Close() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	if s.closeFn != nil {
		s.closeFn()
		s.closeFn = nil
	}
}

// alsoClose makes [source.Close] close c too, after what it closes already
// (the file the source reads from, on each pass).
func (s *source) alsoClose(c io.Closer) {
	before := s.closeFn
	s.closeFn = func() {
		if before != nil {
			before()
		}
		c.Close()
	}
}

// table reads every row of s into a [Table].
func (s *source) table(ctx context.Context) (*Table, error) {
	t := &Table{Input: s.Input, Columns: s.Columns, Head: s.Head, Problems: slices.Clone(s.Problems), Checklists: s.Checklists}
	err := s.Rows(ctx, func(r Row, ps []Problem) error {
		t.Rows = append(t.Rows, r)
		t.Problems = append(t.Problems, ps...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// newSource finds the header among the first rows of seq and maps the
// columns. reopen, when not nil, gives a fresh stream of the same rows from
// row 1 for the passes after the first; without it the source can be read
// once.
func newSource(seq iter.Seq2[gridRow, error], reopen func() iter.Seq2[gridRow, error], in Input, cfg *Config) (*source, error) {
	head, next, stop, err := headWindow(seq)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", in.File, err)
	}
	hi, cols, _ := findHeader(head, cfg.Columns)
	if hi < 0 {
		stop()
		// No cell is quoted: without a header, the first rows are as
		// likely people (names, emails, phones) as titles.
		return nil, newNoHeaderError(in, head, cfg.Columns)
	}
	header := head[hi]
	if missing := missingFields(cols); len(missing) > 0 {
		stop()
		return nil, &ColumnError{File: in.File, Missing: missing, Found: nonEmpty(header.values())}
	}
	lim := limitsOf(cfg)
	for _, c := range cols {
		if c.Index > lim.Columns {
			stop()
			return nil, inputErrorf("%s: column %s %q is beyond column %d, the limit of columns read; move it to the left",
				in.File, ColumnName(c.Index), c.Header, lim.Columns)
		}
	}
	in.HeaderRow = header.Number
	s := &source{Input: in, Columns: cols, Head: make([][]string, header.Number), lim: lim, order: byRank(cols),
		tail: head[hi+1:], rest: next, stop: stop, reopen: reopen, progress: cfg.Progress}
	for _, g := range head[:hi+1] {
		s.Head[g.Number-1] = g.values()
	}
	if in.Format == string(formatCSV) {
		s.headerFields = len(header.Cells)
	}
	s.Problems = ignoredColumns(header, cols, lim)
	return s, nil
}

// ignoredColumns returns a [ColumnIgnored] info for each non-blank cell of
// the header row that no column is mapped to, within the columns read. The
// "Statut" column of a corrections workbook sent back is dccprov's own: it
// is not reported.
func ignoredColumns(header gridRow, cols []Column, lim Limits) []Problem {
	var ps []Problem
	status := statusColumn([][]string{header.values()})
	for i, c := range header.Cells {
		h := strings.TrimFunc(c.Value, isBlankRune)
		if i >= lim.Columns || h == "" || i+1 == status || slices.ContainsFunc(cols, func(col Column) bool { return col.Index == i+1 }) {
			continue
		}
		cell := Cell{Row: header.Number, Col: i + 1, Header: h, Value: h}
		ps = append(ps, NewProblem(ColumnIgnored, cell,
			fmt.Sprintf("La colonne « %s » (colonne %s) n'est pas utilisée par dccprov ; son contenu n'est pas repris.", h, ColumnName(i+1)), ""))
	}
	return ps
}

// tooManyFields returns a [RowTooManyFields] problem when the CSV record g
// has non-blank values past the header's fields; ok is false otherwise.
// Blank trailing fields (a separator left at the end of a line) lose
// nothing and are fine, and so is a record with fewer fields.
func (s *source) tooManyFields(g gridRow) (Problem, bool) {
	if s.headerFields == 0 || len(g.Cells) <= s.headerFields {
		return Problem{}, false
	}
	extra := g.Cells[s.headerFields:]
	if (gridRow{Cells: extra}).blank() {
		return Problem{}, false
	}
	vals := make([]string, len(extra))
	for i, c := range extra {
		vals[i] = c.Raw
	}
	cell := Cell{Row: g.Number, Col: s.headerFields + 1, Value: strings.Join(vals, " | ")}
	return NewProblem(RowTooManyFields, cell,
		fmt.Sprintf("La ligne a %d champs alors que la ligne d'en-tête en a %d : les valeurs en trop seraient perdues.", len(g.Cells), s.headerFields), ""), true
}

// buildTable finds the header among the first rows of seq, maps the
// columns and turns every later non-blank row into a [Row].
func buildTable(ctx context.Context, seq iter.Seq2[gridRow, error], in Input, cfg *Config) (*Table, error) {
	s, err := newSource(seq, nil, in, cfg)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.table(ctx)
}

// Rows calls yield with every non-blank row after the header, in file
// order, and the problems found reading it (repairs, a hidden row). The
// first call continues the stream that found the header, keeping the rows
// as read in a [rowSpool]; each later one reads them back from it (or, when
// there is none, reads the file again). An error of yield stops the pass
// and is returned.
func (s *source) Rows(ctx context.Context, yield func(Row, []Problem) error) (err error) {
	return s.rows(ctx, false, nil, yield)
}

// passRows is [source.Rows] for a pass that keeps nothing of a row's
// cells or Values once yield has returned (their strings may be kept), and
// reads the cells only with [Row.Get]: each row's cells are then an array
// by field (Row.fields, no Cells map), cleared and used again for a later
// row, with the array of its Values.
// Building a map of a dozen cells for every row of both passes was two
// fifths of what a check allocated, and looking the cells up in it some
// 7 % of a check's time.
func (s *source) passRows(ctx context.Context, yield func(Row, []Problem) error) error {
	return s.rows(ctx, true, nil, yield)
}

// againRows is [source.passRows] for a pass after the first: verbatim
// reports whether the first pass found that the i-th non-blank row, Excel
// row number, needed no repair and gave no problem in reading
// ([Row.verbatim]). Its cells are then taken as they are, without
// [RepairCell]: most rows, in every pass after the first.
func (s *source) againRows(ctx context.Context, verbatim func(i, number int) bool, yield func(Row, []Problem) error) error {
	return s.rows(ctx, true, verbatim, yield)
}

func (s *source) rows(ctx context.Context, reuse bool, verbatim func(i, number int) bool, yield func(Row, []Problem) error) (err error) {
	if s.damaged != nil {
		defer func() {
			// A malformed workbook must not crash dccprov, even when it
			// trips the XLSX library: it is a file we cannot read.
			if r := recover(); r != nil {
				err = s.damaged(fmt.Errorf("%v", r))
			}
		}()
	}
	var next func() (gridRow, error, bool)
	var tail []gridRow
	var spool *rowSpool // the first pass's rows, for the later ones
	switch {
	case s.rest != nil:
		next, tail = s.rest, s.tail
		s.rest, s.tail = nil, nil
		if s.reopen != nil {
			if spool = newRowSpool(); spool != nil {
				defer func() {
					if spool != nil { // not kept: this pass failed
						spool.Close()
					}
				}()
			}
		}
	case s.reopen != nil:
		n, stop := iter.Pull2(s.reopen())
		defer stop()
		next = func() (gridRow, error, bool) {
			for {
				g, err, ok := n()
				if !ok || err != nil || g.Number > s.Input.HeaderRow {
					return g, err, ok
				}
			}
		}
	default:
		return fmt.Errorf("reading %s: the list can be read only once", s.Input.File)
	}
	// Rows are built (cells repaired, limits checked) in the goroutine
	// that reads ahead: yield's work (checking, writing) runs on the other
	// core.
	streamErr := func(err error) error {
		if s.damaged != nil {
			return s.damaged(err)
		}
		return fmt.Errorf("reading %s: %w", s.Input.File, err)
	}
	spooled := false // every row of the stream is in spool
	built := func(yield func(builtRow, error) bool) {
		nonBlank := 0 // rows built so far that were not blank
		emit := func(g gridRow) bool {
			if spool != nil {
				spool.add(g)
			}
			var into *fieldCells
			if reuse {
				into, _ = s.fields.Get().(*fieldCells)
				if into == nil {
					into = new(fieldCells)
				}
			}
			// Asked of a blank row too, which pass 1 never noted: no
			// row of the keys has its number.
			known := verbatim != nil && verbatim(nonBlank, g.Number)
			r, ps, ok, err := s.build(g, into, known)
			if ok {
				nonBlank++
			}
			switch {
			case err != nil:
				yield(builtRow{}, err)
				return false
			case !ok:
				if into != nil { // a blank row: its cells were not used
					s.fields.Put(into)
				}
				return true
			}
			return yield(builtRow{r, ps}, nil)
		}
		for _, g := range tail {
			if !emit(g) {
				return
			}
		}
		for {
			g, err, ok := next()
			if !ok {
				spooled = true
				return
			}
			if err != nil {
				yield(builtRow{}, streamErr(err))
				return
			}
			if !emit(g) {
				return
			}
		}
	}
	count := 0
	for b, err := range prefetch(built) {
		if err != nil {
			if s.damaged != nil {
				return s.damaged(err) // passes input errors through
			}
			return err
		}
		if count%progressEvery == 0 {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if s.progress != nil && count > 0 {
				s.progress.Add(progressEvery)
			}
		}
		if count++; count > s.lim.Rows {
			return inputErrorf("%s has more than %d rows, the limit", s.Input.File, s.lim.Rows)
		}
		if err := yield(b.row, b.problems); err != nil {
			return err
		}
		if reuse && b.row.fields != nil {
			b.row.fields.reset()
			s.fields.Put(b.row.fields)
		}
	}
	if s.progress != nil && count%progressEvery != 0 {
		s.progress.Add(count % progressEvery)
	}
	if spool != nil {
		if spooled && spool.finish() {
			s.reopen, s.spooled = spool.rows, true
			s.alsoClose(spool)
			spool = nil
			// The first stream has ended; with it goes the workbook it
			// reads (its bytes and shared strings: some 170 MB for a
			// million rows), which the later passes no longer need.
			if s.stop != nil {
				s.stop()
				s.stop = nil
			}
		}
	}
	return nil
}

// builtRow is a people row as [source.Rows] gives it.
type builtRow struct {
	row      Row
	problems []Problem
}

// build turns a row as read into a people [Row] and the problems of its
// cells, within limits; ok is false for a blank row.
//
// into, when not nil, receives the mapped cells (Row.fields) instead of a
// map of the row's own. verbatim says that an earlier pass found the row
// verbatim ([Row.verbatim]): its cells are not repaired again.
func (s *source) build(g gridRow, into *fieldCells, verbatim bool) (row Row, problems []Problem, ok bool, err error) {
	tooMany, isTooMany := s.tooManyFields(g)
	// Cells no column is mapped to are not read past the limits: a stray
	// value far to the right, or a long note, must not refuse the list. The
	// mapped columns all lie within the limit (see newSource).
	if len(g.Cells) > s.lim.Columns {
		g.Cells = g.Cells[:s.lim.Columns]
	}
	if g.blank() {
		return Row{}, nil, false, nil
	}
	for _, col := range s.Columns {
		if col.Index > len(g.Cells) {
			continue
		}
		if c := g.Cells[col.Index-1]; len(c.Value) > s.lim.CellBytes || len(c.Raw) > s.lim.CellBytes {
			return Row{}, nil, false, inputErrorf("%s: cell %s%d (column %q) is longer than %d bytes, the limit; shorten it",
				s.Input.File, ColumnName(col.Index), g.Number, col.Header, s.lim.CellBytes)
		}
	}
	row = Row{Number: g.Number, Hidden: g.Hidden, fields: into, verbatim: !g.Hidden}
	if into != nil {
		into.values = g.appendValues(into.values[:0])
		row.Values = into.values
	} else {
		row.Values = g.values()
		row.Cells = make(map[Field]Cell, len(s.Columns))
	}
	for i, v := range row.Values {
		if len(v) > s.lim.CellBytes || len(g.Cells[i].Raw) > s.lim.CellBytes {
			row.Values[i] = "" // an unmapped cell over the limit: not kept
		}
	}
	for _, col := range s.order {
		var gc gridCell
		if col.Index <= len(g.Cells) {
			gc = g.Cells[col.Index-1]
		}
		v, why := gc.Value, []string(nil)
		if !verbatim {
			if v, why = RepairCell(col.Field, gc.Value); v != gc.Value || len(why) > 0 {
				row.verbatim = false
			}
		}
		if prev, ok := row.lookup(col.Field); ok && (prev.Value != "" || v == "") {
			continue // a second column of the same field only fills a gap
		}
		c := Cell{Row: g.Number, Col: col.Index, Header: col.Header, Value: v, Raw: gc.Raw}
		row.set(col.Field, c)
		if len(why) > 0 {
			problems = append(problems, NewProblem(CellRepaired, c, repairMessage(gc.Value, v, why), repairFix(why)))
		}
		if col.Index <= len(row.Values) {
			row.Values[col.Index-1] = v
		}
	}
	if g.Hidden {
		problems = append(problems, NewProblem(RowHidden, Cell{Row: g.Number}, "", ""))
	}
	if isTooMany {
		problems = append(problems, tooMany)
	}
	if len(problems) > 0 {
		row.verbatim = false
	}
	return row, problems, true, nil
}

// noHeaderError says that no row of the header window names enough
// columns. It wraps [ErrInput] and quotes no cell: the rows it looked at may
// be people. It names the required columns that no row of the window names.
type noHeaderError struct {
	File    string
	Sheets  []string // the sheets looked at; none for CSV
	Missing []string // French names of the required columns no row names
}

// newNoHeaderError is the error for the list in whose header window, head,
// no row is a header.
func newNoHeaderError(in Input, head []gridRow, custom map[string]Field) *noHeaderError {
	e := &noHeaderError{File: in.File, Missing: missingFields(windowColumns(head, custom))}
	if in.Sheet != "" {
		e.Sheets = []string{in.Sheet}
	}
	return e
}

// windowColumns returns the columns named by the rows of head within the
// header window, row after row.
func windowColumns(head []gridRow, custom map[string]Field) []Column {
	var cols []Column
	for _, g := range head {
		if g.Number > headerWindow {
			break
		}
		cols = append(cols, MapColumns(g.values(), custom)...)
	}
	return cols
}

func (e *noHeaderError) Error() string {
	where := "the first " + strconv.Itoa(headerWindow) + " rows"
	switch len(e.Sheets) {
	case 0:
	case 1:
		where += " of sheet " + strconv.Quote(e.Sheets[0])
	default:
		q := make([]string, len(e.Sheets))
		for i, s := range e.Sheets {
			q[i] = strconv.Quote(s)
		}
		where += " of sheets " + strings.Join(q, ", ")
	}
	need := "the list needs a row naming its columns, and none names " + strings.Join(e.Missing, ", ")
	if len(e.Missing) == 0 {
		// Every required column is named, a row each: a list entered
		// across rather than down.
		need = "the list needs a row naming its columns, and it names them on different rows: put them on one row"
	}
	return e.File + ": no header row recognised in " + where + "; " + need + "; see dccprov template"
}

func (e *noHeaderError) Unwrap() error { return ErrInput }

func nonEmpty(v []string) []string {
	var out []string
	for _, s := range v {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// prefetchRows is how many rows [prefetch] hands over at once.
const prefetchRows = 256

// prefetch runs seq in a goroutine of its own, a few batches of rows
// ahead: reading a sheet (inflating and parsing its XML) then overlaps
// checking and writing the rows before, on a second core. Stopping early
// stops the goroutine, and the iterator returns only once it has ended. A
// panic of seq comes back as an error.
func prefetch[T any](seq iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		type batch struct {
			rows []T
			err  error
		}
		ch := make(chan batch, 4)
		// Batches read go back to the reader to be filled again: a
		// national list is thousands of them.
		free := make(chan []T, 6)
		done := make(chan struct{})
		ended := make(chan struct{})
		go func() {
			defer close(ended)
			defer close(ch)
			send := func(b batch) bool {
				select {
				case ch <- b:
					return true
				case <-done:
					return false
				}
			}
			defer func() {
				if r := recover(); r != nil {
					send(batch{err: fmt.Errorf("reading the sheet: %v", r)})
				}
			}()
			next := func() []T {
				select {
				case b := <-free:
					return b[:0]
				default:
					return make([]T, 0, prefetchRows)
				}
			}
			b := next()
			for g, err := range seq {
				if err != nil {
					send(batch{rows: b, err: err})
					return
				}
				if b = append(b, g); len(b) == prefetchRows {
					if !send(batch{rows: b}) {
						return
					}
					b = next()
				}
			}
			if len(b) > 0 {
				send(batch{rows: b})
			}
		}()
		defer func() {
			close(done)
			<-ended
		}()
		for b := range ch {
			for _, g := range b.rows {
				if !yield(g, nil) {
					return
				}
			}
			if b.err != nil {
				var zero T
				yield(zero, b.err)
				return
			}
			clear(b.rows) // what the rows point to may go
			select {
			case free <- b.rows:
			default:
			}
		}
	}
}
