package biglist

import (
	"encoding/csv"
	"fmt"
	"io"
)

// WriteCSV writes the list o describes to w as a spreadsheet saves it as
// CSV: UTF-8 without a byte-order mark, ';' separated, CRLF line ends,
// the header ([Columns]) on line 1. A cell with a line break is a quoted
// field spanning lines, so lines and rows differ after one.
func WriteCSV(w io.Writer, o Options) error {
	rows, err := Generate(o)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(Columns); err != nil {
		return fmt.Errorf("writing the CSV list: %w", err)
	}
	for r := range rows {
		if err := cw.Write(r.Cells[:]); err != nil {
			return fmt.Errorf("writing the CSV list: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing the CSV list: %w", err)
	}
	return nil
}
