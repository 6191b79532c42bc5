package provision

import (
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFieldIndex holds fieldIndex, fieldCount and Fields together: a field
// added to Fields and not to fieldIndex would be lost by the passes.
func TestFieldIndex(t *testing.T) {
	if len(Fields) != fieldCount {
		t.Fatalf("len(Fields) = %d, fieldCount = %d", len(Fields), fieldCount)
	}
	for i, f := range Fields {
		if got := fieldIndex(f); got != i {
			t.Errorf("fieldIndex(%q) = %d, want %d", f, got, i)
		}
	}
	if got := fieldIndex("autre"); got != -1 {
		t.Errorf("fieldIndex of a field not in Fields = %d, want -1", got)
	}
}

// TestRowByField checks that a row holding its cells by field reads, and
// compares, as the same row holding them in Cells.
func TestRowByField(t *testing.T) {
	cells := map[Field]Cell{
		FieldBirthName: {Row: 7, Col: 1, Header: "Nom", Value: "Martin", Raw: "MARTIN "},
		FieldLoginMode: {Row: 7, Col: 12, Header: "Mode", Value: "CPS", Raw: "CPS"},
	}
	held := Row{Number: 7, Cells: cells, Values: []string{"Martin"}}
	byField := Row{Number: 7, Values: []string{"Martin"}, fields: new(fieldCells)}
	for f, c := range cells {
		byField.set(f, c)
	}
	if byField.Cells != nil {
		t.Fatalf("a row by field got a Cells map: %v", byField.Cells)
	}
	for _, f := range append(Fields, "autre") {
		if got, want := byField.Get(f), held.Get(f); got != want {
			t.Errorf("Get(%q) = %+v, want %+v", f, got, want)
		}
	}
	if diff := cmp.Diff(held, byField); diff != "" {
		t.Errorf("rows differ (-held +by field):\n%s", diff)
	}
	other := Row{Number: 7, Values: []string{"Martin"}, fields: new(fieldCells)}
	other.set(FieldBirthName, cells[FieldBirthName])
	if held.Equal(other) || other.Equal(held) {
		t.Error("a row missing a cell compares equal")
	}
	withExtra := Row{Number: 7, Cells: map[Field]Cell{"autre": {Row: 7}}, Values: []string{"Martin"}}
	maps.Copy(withExtra.Cells, cells)
	if withExtra.Equal(byField) || byField.Equal(withExtra) {
		t.Error("a row with a cell of another field compares equal")
	}
	if held.Equal(Row{Number: 7, Cells: cells}) {
		t.Error("a row without values compares equal")
	}
	// A field outside Fields turns the row back to a map, keeping its cells.
	byField.set("autre", Cell{Row: 7, Value: "x"})
	if byField.fields != nil || len(byField.Cells) != 3 || byField.Get(FieldLoginMode) != cells[FieldLoginMode] || byField.Get("autre").Value != "x" {
		t.Errorf("after a field outside Fields: fields %v, cells %v", byField.fields, byField.Cells)
	}
}
