package xlsxwriter

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ColumnFit is what [Sheet.FitColumns] fits.
type ColumnFit struct {
	// First and Last are the columns fitted, from 1.
	First, Last int
	// FromRow is the first row measured: title rows above a header may
	// span several columns and are not measured.
	FromRow int
	// Min and Max bound the widths, in characters.
	Min, Max float64
}

// FitColumns makes the widths of the columns of fit match their longest
// content from row fit.FromRow on: the longest line of a text, or a number
// as written, in characters, plus a margin (and room for the button on
// the header row of an autofilter set before that row), between fit.Min
// and fit.Max. The widths are measured as the rows are written and written
// at Close, so nothing is held but one width per column; they replace the
// widths of [Sheet.SetColWidth] on those columns. It is called before the
// first row, once.
//
// Widths are counted in characters of the default font, as Excel counts
// them: a proportional font makes them approximate, and a cap keeps one
// long cell from making a column wider than a page.
func (s *Sheet) FitColumns(fit ColumnFit) error {
	if err := s.w.usable(); err != nil {
		return err
	}
	switch {
	case s.data != nil:
		return errors.New("fitting columns: rows already written")
	case s.fit != nil:
		return errors.New("fitting columns: already set")
	case fit.First < 1 || fit.Last < fit.First || fit.FromRow < 0:
		return fmt.Errorf("fitting columns: invalid columns %d to %d from row %d", fit.First, fit.Last, fit.FromRow)
	case fit.Last > MaxCols:
		return fmt.Errorf("fitting columns: column %d: %w", fit.Last, ErrTooBig)
	case !(fit.Min >= 0 && fit.Min <= fit.Max && fit.Max <= 255):
		return fmt.Errorf("fitting columns: widths %v to %v not between 0 and 255", fit.Min, fit.Max)
	}
	s.fit = make([]float64, fit.Last-fit.First+1)
	s.fitFirst, s.fitFrom, s.fitMin, s.fitMax = fit.First, fit.FromRow, fit.Min, fit.Max
	return nil
}

// Margins of a fitted column, in characters: Excel's cell padding, and the
// autofilter's drop-down button on the header row.
const (
	fitPadding      = 1.5
	fitFilterButton = 2.5
)

// measure widens the fitted column of c to c's content.
func (s *Sheet) measure(row int, c *Cell) {
	i := c.Col - s.fitFirst
	if i < 0 || i >= len(s.fit) || row < s.fitFrom {
		return
	}
	bold := c.Style > 0 && s.w.styles[c.Style-1].Bold
	button := s.hasFilter && row == s.filter[1] && s.filter[0] <= c.Col && c.Col <= s.filter[2]
	widen := func(w float64) float64 {
		if bold {
			w *= 1.1
		}
		if button {
			w += fitFilterButton
		}
		return w
	}
	var w float64
	switch {
	case c.IsNumber:
		var num [32]byte
		w = float64(len(appendNumber(num[:0], c.Number)))
	case widen(float64(len(c.Text))) <= s.fit[i]:
		// A text has no more characters than bytes: this one cannot
		// widen the column, and most cells of a long list are like it.
		return
	default:
		w = float64(longestLine(c.Text))
	}
	s.fit[i] = max(s.fit[i], widen(w))
}

// longestLine returns the length in characters of the longest line of t.
func longestLine(t string) int {
	longest := 0
	for t != "" {
		line := t
		if i := strings.IndexByte(t, '\n'); i >= 0 {
			line, t = t[:i], t[i+1:]
		} else {
			t = ""
		}
		longest = max(longest, utf8.RuneCountInString(line))
	}
	return longest
}

// fitted returns the width of the fitted column fitFirst+i.
func (s *Sheet) fitted(i int) float64 {
	w := s.fit[i]
	if w > 0 {
		w += fitPadding
	}
	// Whole and half characters: the same content gives the same bytes
	// however it is measured.
	w = float64(int(w*2+0.5)) / 2
	return min(max(w, s.fitMin), s.fitMax)
}

// colWidths returns the widths to write: those of SetColWidth, with the
// fitted columns cut out and written as runs of equal widths.
func (s *Sheet) colWidths() []colWidth {
	if s.fit == nil {
		return s.cols
	}
	first, last := s.fitFirst, s.fitFirst+len(s.fit)-1
	cols := cutCols(s.cols, first, last)
	for i := range s.fit {
		w := s.fitted(i)
		if n := len(cols); n > 0 && cols[n-1].last == first+i-1 && cols[n-1].width == w && cols[n-1].first >= first {
			cols[n-1].last++
			continue
		}
		cols = append(cols, colWidth{first + i, first + i, w})
	}
	slices.SortFunc(cols, func(a, b colWidth) int { return a.first - b.first })
	return cols
}

// PageSetup is how a sheet prints, set by [Sheet.SetPageSetup]. The paper
// is A4.
type PageSetup struct {
	// Landscape prints across the page.
	Landscape bool
	// FitToWidth scales the sheet down so that its columns fit the width
	// of one page, on as many pages as its rows need.
	FitToWidth bool
	// FirstTitleRow and LastTitleRow are the rows printed at the top of
	// every page (the print titles, Excel's defined name
	// _xlnm.Print_Titles); 0 for none.
	FirstTitleRow, LastTitleRow int
	// GridLines prints the lines between cells.
	GridLines bool
	// Footer is the footer of every page, in the codes of Excel's headers
	// and footers: &L, &C and &R start the left, centre and right parts,
	// &A is the sheet's name, &P the page, &N the pages, && an ampersand.
	Footer string
}

// Margins of the printed page, in inches: narrower than Excel's default
// so that more of a wide list fits.
const pageMargins = `<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/>`

// SetPageSetup sets how the sheet prints. It may be called at any time
// before Close; a later call replaces an earlier one.
func (s *Sheet) SetPageSetup(p PageSetup) error {
	if err := s.w.usable(); err != nil {
		return err
	}
	switch {
	case p.FirstTitleRow < 0 || p.LastTitleRow < p.FirstTitleRow || (p.FirstTitleRow == 0) != (p.LastTitleRow == 0):
		return fmt.Errorf("setting page setup: invalid title rows %d to %d", p.FirstTitleRow, p.LastTitleRow)
	case p.LastTitleRow > MaxRows:
		return fmt.Errorf("setting page setup: title row %d: %w", p.LastTitleRow, ErrTooBig)
	case tooLong(p.Footer, 255):
		return fmt.Errorf("setting page setup: footer longer than 255 characters: %w", ErrTooBig)
	case strings.ContainsFunc(p.Footer, isControl):
		return errors.New("setting page setup: control character in footer")
	}
	s.page = &p
	return nil
}

// appendPageSetup appends the print options, margins, page setup and
// footer, in the order of the worksheet's schema.
func (s *Sheet) appendPageSetup(b []byte) []byte {
	p := s.page
	if p == nil {
		return b
	}
	if p.GridLines {
		b = append(b, `<printOptions gridLines="1"/>`...)
	}
	b = append(b, pageMargins+`<pageSetup paperSize="9"`...)
	if p.FitToWidth {
		b = append(b, ` fitToWidth="1" fitToHeight="0"`...)
	}
	if p.Landscape {
		b = append(b, ` orientation="landscape"`...)
	} else {
		b = append(b, ` orientation="portrait"`...)
	}
	b = append(b, `/>`...)
	if p.Footer != "" {
		b = append(b, `<headerFooter><oddFooter>`...)
		b = appendText(b, p.Footer, false)
		b = append(b, `</oddFooter></headerFooter>`...)
	}
	return b
}

// ErrorStyle is what a spreadsheet does with a value that a [Validation]
// does not allow.
type ErrorStyle int

// The error styles of a validation.
const (
	// ErrorStop refuses the value.
	ErrorStop ErrorStyle = iota
	// ErrorWarning asks whether to keep the value.
	ErrorWarning
	// ErrorInformation tells, and keeps the value.
	ErrorInformation
)

// Validation is a drop-down list on a range of cells, added by
// [Sheet.AddValidation]: its values are List, or the cells Source of the
// sheet SourceSheet (a sheet of the same workbook, often hidden). Empty
// cells are allowed.
type Validation struct {
	// FirstCol, FirstRow, LastCol and LastRow are the cells validated.
	FirstCol, FirstRow, LastCol, LastRow int
	// List holds the values of an inline list: none holds a comma or a
	// double quote, and joined with commas they have at most 255
	// characters.
	List []string
	// SourceSheet and Source (first col, first row, last col, last row)
	// are where the values are, when List is nil.
	SourceSheet *Sheet
	Source      [4]int
	// ErrorStyle, ErrorTitle and Error are what a disallowed value shows.
	ErrorStyle ErrorStyle
	ErrorTitle string
	Error      string
	// PromptTitle and Prompt are shown when a cell of the range is
	// selected; "" shows nothing.
	PromptTitle string
	Prompt      string
}

// Excel's limits on a validation's texts.
const (
	maxListChars   = 255
	maxTitleChars  = 32
	maxPromptChars = 255
	maxValidations = 65534 // per sheet
)

// AddValidation adds a drop-down list to the sheet. Validations are few:
// they are held until Close.
func (s *Sheet) AddValidation(v Validation) error {
	if err := s.w.usable(); err != nil {
		return err
	}
	if err := v.check(s.w); err != nil {
		return fmt.Errorf("adding validation: %w", err)
	}
	if len(s.validations) >= maxValidations {
		return fmt.Errorf("adding validation: more than %d: %w", maxValidations, ErrTooBig)
	}
	v.List = slices.Clone(v.List)
	s.validations = append(s.validations, v)
	return nil
}

func (v *Validation) check(w *Writer) error {
	validRange := func(r [4]int) error {
		switch {
		case r[0] < 1 || r[1] < 1 || r[2] < r[0] || r[3] < r[1]:
			return fmt.Errorf("invalid range (%d, %d) to (%d, %d)", r[0], r[1], r[2], r[3])
		case r[2] > MaxCols || r[3] > MaxRows:
			return fmt.Errorf("range (%d, %d) to (%d, %d): %w", r[0], r[1], r[2], r[3], ErrTooBig)
		}
		return nil
	}
	if err := validRange([4]int{v.FirstCol, v.FirstRow, v.LastCol, v.LastRow}); err != nil {
		return err
	}
	switch {
	case v.List == nil && v.SourceSheet == nil:
		return errors.New("no list and no source")
	case v.List != nil && v.SourceSheet != nil:
		return errors.New("both a list and a source")
	case v.SourceSheet != nil && v.SourceSheet.w != w:
		return errors.New("source sheet of another workbook")
	case v.ErrorStyle < ErrorStop || v.ErrorStyle > ErrorInformation:
		return fmt.Errorf("invalid error style %d", v.ErrorStyle)
	case tooLong(v.ErrorTitle, maxTitleChars) || tooLong(v.PromptTitle, maxTitleChars):
		return fmt.Errorf("title longer than %d characters: %w", maxTitleChars, ErrTooBig)
	case tooLong(v.Error, maxPromptChars) || tooLong(v.Prompt, maxPromptChars):
		return fmt.Errorf("message longer than %d characters: %w", maxPromptChars, ErrTooBig)
	}
	for _, t := range []string{v.ErrorTitle, v.Error, v.PromptTitle, v.Prompt} {
		if strings.ContainsFunc(t, func(r rune) bool { return r != '\n' && isControl(r) }) {
			return errors.New("control character in a message")
		}
	}
	if v.SourceSheet != nil {
		return validRange(v.Source)
	}
	if len(v.List) == 0 {
		return errors.New("empty list")
	}
	for _, x := range v.List {
		if strings.ContainsAny(x, `,"`) || strings.ContainsFunc(x, isControl) {
			return fmt.Errorf("list value %q holds a comma, a double quote or a control character", x)
		}
	}
	if tooLong(strings.Join(v.List, ","), maxListChars) {
		return fmt.Errorf("list longer than %d characters: %w", maxListChars, ErrTooBig)
	}
	return nil
}

// appendValidations appends the sheet's validations.
func (s *Sheet) appendValidations(b []byte) []byte {
	if len(s.validations) == 0 {
		return b
	}
	b = append(b, `<dataValidations count="`...)
	b = strconv.AppendInt(b, int64(len(s.validations)), 10)
	b = append(b, `">`...)
	for _, v := range s.validations {
		b = append(b, `<dataValidation type="list"`...)
		switch v.ErrorStyle {
		case ErrorStop:
			b = append(b, ` errorStyle="stop"`...)
		case ErrorWarning:
			b = append(b, ` errorStyle="warning"`...)
		case ErrorInformation:
			b = append(b, ` errorStyle="information"`...)
		}
		b = append(b, ` allowBlank="1" showInputMessage="1" showErrorMessage="1"`...)
		for _, a := range []struct{ name, value string }{
			{"errorTitle", v.ErrorTitle}, {"error", v.Error}, {"promptTitle", v.PromptTitle}, {"prompt", v.Prompt},
		} {
			if a.value != "" {
				b = append(b, ' ')
				b = append(b, a.name...)
				b = append(b, `="`...)
				b = appendAttr(b, a.value)
				b = append(b, '"')
			}
		}
		b = append(b, ` sqref="`...)
		b = appendRange(b, [4]int{v.FirstCol, v.FirstRow, v.LastCol, v.LastRow}, false)
		b = append(b, `"><formula1>`...)
		if v.SourceSheet != nil {
			b = appendText(b, quoteSheet(v.SourceSheet.name), false)
			b = append(b, '!')
			b = appendRange(b, v.Source, true)
		} else {
			// The quotes unescaped, as Excel writes them in a text node:
			// readers such as excelize take the formula as raw XML.
			b = append(b, '"')
			b = appendText(b, strings.Join(v.List, ","), false)
			b = append(b, '"')
		}
		b = append(b, `</formula1></dataValidation>`...)
	}
	return append(b, `</dataValidations>`...)
}

// appendAttr appends s escaped for an attribute, its line breaks as
// character references, which attribute values otherwise turn into spaces.
func appendAttr(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return appendText(b, s, false)
		}
		b = appendText(b, s[:i], false)
		b = append(b, "&#10;"...)
		s = s[i+1:]
	}
}

// Hide hides the sheet (a sheet of lists behind drop-downs, say). The
// first sheet, which opens first, cannot be hidden.
func (s *Sheet) Hide() error {
	if err := s.w.usable(); err != nil {
		return err
	}
	if s.index == 1 {
		return fmt.Errorf("hiding sheet %q: the first sheet stays visible", s.name)
	}
	s.hidden = true
	return nil
}

// Protect locks the sheet against edits, without a password: its cells
// can still be selected and copied, and its autofilter used. It says
// "read only" to the reader; it is no security.
func (s *Sheet) Protect() error {
	if err := s.w.usable(); err != nil {
		return err
	}
	s.protected = true
	return nil
}
