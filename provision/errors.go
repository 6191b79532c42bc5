package provision

import (
	"errors"
	"strings"
)

// ErrUnsupportedFormat is wrapped by the errors of files dccprov cannot read
// (.xls, .ods, .numbers, encrypted workbooks, anything else). The wrapping
// error's text says which format was found and how to save it as .xlsx.
var ErrUnsupportedFormat = errors.New("unsupported file format")

// ErrInput is wrapped by errors about an input that can be read but not
// used: no recognisable header, a limit exceeded, a sheet not found.
var ErrInput = errors.New("unusable input")

// ColumnError says that required columns are missing from the header row.
type ColumnError struct {
	File    string
	Missing []string // the French names of the missing columns
	Found   []string // the headers found, as written
}

func (e *ColumnError) Error() string {
	return e.File + ": missing required column(s) " + strings.Join(e.Missing, ", ") +
		"; headers found: " + strings.Join(e.Found, " | ") +
		"; add the column(s) or map them under columns: in dccprov.yaml"
}
