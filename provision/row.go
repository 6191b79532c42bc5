package provision

import (
	"maps"
	"slices"
	"strconv"
)

// Field is a column of the staff list as dccprov understands it, whatever
// the header the referent wrote.
type Field string

// The fields of a staff list. Which ones are required is [RequiredFields].
const (
	FieldBirthName     Field = "birth_name"
	FieldUsageName     Field = "usage_name"
	FieldFirstName     Field = "first_name"
	FieldEmail         Field = "email"
	FieldMobile        Field = "mobile"
	FieldProfession    Field = "profession"
	FieldSpecialty     Field = "specialty"
	FieldID            Field = "national_id" // RPPS, ADELI, or a column holding either
	FieldEstablishment Field = "establishment"
	FieldFINESS        Field = "finess"
	FieldHabilitations Field = "habilitations"
	FieldLoginMode     Field = "login_mode"
)

// Fields lists every [Field] in the order of the blank template.
var Fields = []Field{
	FieldBirthName, FieldUsageName, FieldFirstName, FieldEmail, FieldMobile,
	FieldProfession, FieldSpecialty, FieldID, FieldEstablishment, FieldFINESS,
	FieldHabilitations, FieldLoginMode,
}

// RequiredFields must each be found in the header row, or nothing is
// processed. The establishment may be given by name or by FINESS: one of the
// two is enough, see [Table].
var RequiredFields = []Field{
	FieldBirthName, FieldFirstName, FieldEmail, FieldProfession,
	FieldHabilitations, FieldLoginMode,
}

// Cell is one value of the input, with where the referent sees it.
type Cell struct {
	Row    int    // Excel row number (CSV: line number, header = 1)
	Col    int    // 1-based column number
	Header string // the column's header as written in the file
	Value  string // the text after repairs (see [CellRepaired])
	Raw    string // the text as stored in the file, before repairs
}

// Ref returns the cell reference as Excel shows it, such as "D17". A cell
// with no column (a row-level problem) gives "".
func (c Cell) Ref() string {
	if c.Col <= 0 || c.Row <= 0 {
		return ""
	}
	return ColumnName(c.Col) + strconv.Itoa(c.Row)
}

// ColumnName returns the spreadsheet letters of 1-based column n: 1 is "A",
// 27 is "AA".
func ColumnName(n int) string {
	var b []byte
	for n > 0 {
		n--
		b = append(b, byte('A'+n%26))
		n /= 26
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// Row is one person's line of the staff list.
type Row struct {
	Number int            // Excel row number (CSV: line number)
	Cells  map[Field]Cell // the mapped columns; a missing column has no entry; nil in a pass's rows: read cells with Get
	Values []string       // every cell of the row as read (index 0 is column A), for the corrections copy
	Hidden bool           // the row is hidden in the workbook

	// fields, when set, holds the mapped columns instead of Cells, which
	// is then nil: the rows of a pass ([source.passRows]), which only
	// [Row.Get] reads. Looking a dozen fields up in a map of a dozen
	// cells, for every row of both passes, was some 7 % of a check.
	fields *fieldCells
	// verbatim says that reading the row repaired none of its cells and
	// found no problem (hidden, too many fields): its cells are as the
	// file gives them. Pass 1 notes it for pass 2 (rowVerbatim), which
	// then does not repair them again ([source.againRows]).
	verbatim bool
}

// fieldCells are the mapped cells of a row, by [fieldIndex].
type fieldCells struct {
	cell [fieldCount]Cell
	set  uint16 // bit i: cell[i] is mapped
	// values is the array of the row's Values, used again with the
	// cells for a later row.
	values []string
}

// reset clears f for a later row, keeping the array of its values.
func (f *fieldCells) reset() {
	v := f.values
	clear(v) // the strings may go
	*f = fieldCells{values: v[:0]}
}

// fieldCount is len([Fields]); TestFieldIndex holds them together.
const fieldCount = 12

// fieldIndex returns the index of f in [Fields], or -1 for a field that is
// not one of them.
func fieldIndex(f Field) int {
	switch f {
	case FieldBirthName:
		return 0
	case FieldUsageName:
		return 1
	case FieldFirstName:
		return 2
	case FieldEmail:
		return 3
	case FieldMobile:
		return 4
	case FieldProfession:
		return 5
	case FieldSpecialty:
		return 6
	case FieldID:
		return 7
	case FieldEstablishment:
		return 8
	case FieldFINESS:
		return 9
	case FieldHabilitations:
		return 10
	case FieldLoginMode:
		return 11
	}
	return -1
}

// lookup returns the cell of field f and whether the row maps it.
func (r *Row) lookup(f Field) (Cell, bool) {
	if r.fields != nil {
		if i := fieldIndex(f); i >= 0 && r.fields.set&(1<<i) != 0 {
			return r.fields.cell[i], true
		}
		return Cell{}, false
	}
	c, ok := r.Cells[f]
	return c, ok
}

// set maps the cell of field f.
func (r *Row) set(f Field, c Cell) {
	if r.fields != nil {
		if i := fieldIndex(f); i >= 0 {
			r.fields.cell[i] = c
			r.fields.set |= 1 << i
			return
		}
		// Not a field of Fields: the row keeps a map after all.
		r.Cells = make(map[Field]Cell, fieldCount)
		for i, f := range Fields {
			if r.fields.set&(1<<i) != 0 {
				r.Cells[f] = r.fields.cell[i]
			}
		}
		r.fields = nil
	}
	r.Cells[f] = c
}

// Equal reports whether r and o are the same row: same number, hidden
// flag, values and mapped cells, whether held in Cells or by field (go-cmp
// compares rows with it). A nil Values or Cells differs from an empty one,
// as with go-cmp's own comparison.
func (r Row) Equal(o Row) bool {
	if r.Number != o.Number || r.Hidden != o.Hidden ||
		(r.Values == nil) != (o.Values == nil) || !slices.Equal(r.Values, o.Values) {
		return false
	}
	if r.fields == nil && o.fields == nil {
		return (r.Cells == nil) == (o.Cells == nil) && maps.Equal(r.Cells, o.Cells)
	}
	n := 0
	for _, f := range Fields {
		a, aok := r.lookup(f)
		b, bok := o.lookup(f)
		if aok != bok || a != b {
			return false
		}
		if aok {
			n++
		}
	}
	// A row by field maps fields of Fields only; one with a map may have
	// others.
	return (r.fields != nil || len(r.Cells) == n) && (o.fields != nil || len(o.Cells) == n)
}

// Get returns the cell of field f; a column absent from the file gives a
// zero Cell placed on the row, so problems still name the row.
func (r Row) Get(f Field) Cell {
	if c, ok := r.lookup(f); ok {
		return c
	}
	return Cell{Row: r.Number}
}

// Column is one recognised column of the header row.
type Column struct {
	Field  Field  `json:"field"`
	Header string `json:"header"` // as written
	Index  int    `json:"index"`  // 1-based column number
}

// Input describes the file that was read, as the report shows it.
type Input struct {
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	Format    string `json:"format"` // xlsx, xlsm, csv
	Sheet     string `json:"sheet,omitempty"`
	HeaderRow int    `json:"header_row"`
	Encoding  string `json:"encoding,omitempty"`  // CSV only: utf-8, utf-8-bom, windows-1252
	Separator string `json:"separator,omitempty"` // CSV only
}

// Table is a staff list once read: its header, its people rows in file
// order, and the problems found while reading (repairs, hidden rows).
type Table struct {
	Input    Input
	Columns  []Column   // the recognised columns of the header row
	Head     [][]string // rows 1 to Input.HeaderRow as read (titles, then the header)
	Rows     []Row
	Problems []Problem
	// Checklists are the establishments' checklists of the sheet
	// « Établissements » or « Prérequis », by FINESS; nil without one.
	Checklists map[string]Checklist
}
