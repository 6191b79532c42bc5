package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readAll opens data and reads every row of every sheet, returning the
// first error.
func readAll(data []byte, lim Limits) error {
	b, err := Open(bytes.NewReader(data), int64(len(data)), lim)
	if err != nil {
		return err
	}
	for _, s := range b.Sheets() {
		rows, err := b.Rows(s.Name)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		if _, err := b.MergedRanges(s.Name); err != nil {
			return err
		}
	}
	return nil
}

func simpleBook(t testing.TB, rows string, sst ...string) []byte {
	p := pkg{sheets: []string{sheetXML(rows)}}
	if len(sst) > 0 {
		p.sst = sstXML(sst...)
	}
	return p.build(t)
}

func TestErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 200)
	good := simpleBook(t, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, `<si><t>`+long+`</t></si>`)
	notWorkbook := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("hello.txt")
		w.Write([]byte("hello"))
		zw.Close()
		return buf.Bytes()
	}()
	corrupt := func() []byte {
		// Flip bytes inside the deflated shared strings.
		d := bytes.Clone(good)
		i := bytes.Index(d, []byte("xl/sharedStrings.xml"))
		for j := i + 40; j < i+60 && j < len(d); j++ {
			d[j] ^= 0x55
		}
		return d
	}()
	var tests = []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"good", good, Limits{}, nil},
		{"empty", nil, Limits{}, ErrNotWorkbook},
		{"text", []byte("Nom;Prénom\nDupont;Jean\n"), Limits{}, ErrNotWorkbook},
		{"zip without workbook", notWorkbook, Limits{}, ErrNotWorkbook},
		{"truncated", good[:len(good)/2], Limits{}, ErrDamaged},
		{"truncated end", good[:len(good)-10], Limits{}, ErrDamaged},
		{"corrupt deflate", corrupt, Limits{}, ErrDamaged},
		{"part over XMLPartBytes", good, Limits{XMLPartBytes: 100}, ErrLimit},
		{"over UnzipBytes", good, Limits{UnzipBytes: 500}, ErrLimit},
		{"shared string over CellBytes", good, Limits{CellBytes: 100}, ErrLimit},
		{"cell over CellBytes", simpleBook(t, `<row r="1"><c r="A1" t="inlineStr"><is><t>`+long+`</t></is></c></row>`), Limits{CellBytes: 100}, ErrLimit},
		{"value over CellBytes", simpleBook(t, `<row r="1"><c r="A1"><v>`+strings.Repeat("1", 200)+`</v></c></row>`), Limits{CellBytes: 100}, ErrLimit},
		{"malformed sheet", simpleBook(t, `<row r="1"><c r="A1"><v>1</c></row>`), Limits{}, ErrDamaged},
		{"unclosed sheet", pkg{sheets: []string{`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c>`}}.build(t), Limits{}, ErrDamaged},
		{"bad entity", simpleBook(t, `<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>`), Limits{}, ErrDamaged},
		{"bad character", simpleBook(t, "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\x01</t></is></c></row>"), Limits{}, ErrDamaged},
		{"bad utf-8", simpleBook(t, "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\xff</t></is></c></row>"), Limits{}, ErrDamaged},
		{"bad shared string index", simpleBook(t, `<row r="1"><c r="A1" t="s"><v>3</v></c></row>`, `<si><t>a</t></si>`), Limits{}, ErrDamaged},
		{"rows out of order", simpleBook(t, `<row r="2"/><row r="1"/>`), Limits{}, ErrDamaged},
		{"cells out of order", simpleBook(t, `<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>`), Limits{}, ErrDamaged},
		{"bad cell reference", simpleBook(t, `<row r="1"><c r="1A"><v>1</v></c></row>`), Limits{}, ErrDamaged},
		// Attributes nextShortAttr must leave to nextAttr, which refuses them
		// as encoding/xml does.
		{"attribute without a name", simpleBook(t, `<row r="1"><c r="A1" =="1"><v>1</v></c></row>`), Limits{}, ErrDamaged},
		{"attribute without a value", simpleBook(t, `<row r="1"><c r="A1" t><v>1</v></c></row>`), Limits{}, ErrDamaged},
		{"attributes not separated", simpleBook(t, `<row r="1"><c r="A1"t="s"><v>0</v></c></row>`, `<si><t>a</t></si>`), Limits{}, ErrDamaged},
		{"unterminated attribute", simpleBook(t, `<row r="1"><c r="A1 t="s><v>0</v></c></row>`, `<si><t>a</t></si>`), Limits{}, ErrDamaged},
		{"row number too big", simpleBook(t, `<row r="1048577"/>`), Limits{}, ErrDamaged},
		{"bad merged range", simpleBook(t, `</sheetData><mergeCells><mergeCell ref="A0:B2"/></mergeCells><sheetData>`), Limits{}, ErrDamaged},
	}
	for _, tt := range tests {
		err := readAll(tt.data, tt.lim)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: reading = %v; want %v", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), long) {
			t.Errorf("%s: error %q holds cell text", tt.name, err)
		}
	}
}

func TestRowsRestart(t *testing.T) {
	t.Parallel()
	data := apiWorkbook(t)
	b, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	read := func() []Row {
		rows, err := b.Rows("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []Row
		for rows.Next() {
			r := rows.Row()
			r.Cells = append([]Cell(nil), r.Cells...)
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first, second := read(), read()
	if len(first) == 0 || len(first) != len(second) {
		t.Fatalf("Rows read %d then %d rows", len(first), len(second))
	}
	for i := range first {
		if first[i].Number != second[i].Number || len(first[i].Cells) != len(second[i].Cells) {
			t.Fatalf("row %d differs between passes", i)
		}
	}
	if _, err := b.Rows("no such sheet"); err == nil {
		t.Errorf(`Rows("no such sheet") = nil error`)
	}
}

// TestRowsShape checks what excelize cannot tell: the rows yielded (only
// those in the XML) and the hidden flag of a first row that is not row 1.
func TestRowsShape(t *testing.T) {
	t.Parallel()
	data := simpleBook(t, `<row r="3" hidden="1"><c r="B3"><v>1</v></c><c r="D3"/></row><row r="5"/>`+
		`<row><c><v>2</v></c><c t="inlineStr"><is><t>x</t></is></c></row>`)
	b, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := b.Rows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []Row
	for rows.Next() {
		r := rows.Row()
		r.Cells = append([]Cell(nil), r.Cells...)
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Number: 3, Hidden: true, Cells: []Cell{{}, {Value: "1", Shown: "1"}}},
		{Number: 5},
		{Number: 6, Cells: []Cell{{Value: "2", Shown: "2"}, {Value: "x", Shown: "x"}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
}
