package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// opener opens a part whose inflated bytes come from r.
type opener func() io.Reader

func (o opener) Open() (io.ReadCloser, error) { return io.NopCloser(o()), nil }

// TestPartHolds checks the search that spares tokenising a sheet without
// merged cells: a match found wherever the reads split it, none where
// there is none, and a read error kept.
func TestPartHolds(t *testing.T) {
	t.Parallel()
	pat := []byte("mergeCell")
	b := &Book{left: 1 << 30}
	for _, at := range []int{0, 1, 256<<10 - 4, 256<<10 - 9, 256 << 10, 256<<10 + 1, 600 << 10} {
		data := bytes.Repeat([]byte{'x'}, at)
		data = append(append(data, "<x:mergeCells>"...), strings.Repeat("y", 1000)...)
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"whole": func(r io.Reader) io.Reader { return r },
			"byte":  iotest.OneByteReader,
			"half":  iotest.HalfReader,
		} {
			got, _, err := b.partHolds(opener(func() io.Reader { return wrap(bytes.NewReader(data)) }), pat, b.left)
			if err != nil || !got {
				t.Errorf("at %d, %s reads: holds = %v, %v; want true", at, name, got, err)
			}
		}
	}
	none := bytes.Repeat([]byte("mergeCel<c/>"), 50_000)
	if got, _, err := b.partHolds(opener(func() io.Reader { return iotest.HalfReader(bytes.NewReader(none)) }), pat, b.left); err != nil || got {
		t.Errorf("no match: holds = %v, %v; want false", got, err)
	}
	broken := opener(func() io.Reader { return iotest.TimeoutReader(bytes.NewReader(none)) })
	if _, _, err := b.partHolds(broken, pat, b.left); !errors.Is(err, ErrDamaged) {
		t.Errorf("read error: err = %v; want ErrDamaged", err)
	}
	small := &Book{left: 1000}
	if _, _, err := small.partHolds(opener(func() io.Reader { return bytes.NewReader(none) }), pat, small.left); !errors.Is(err, ErrLimit) {
		t.Errorf("past UnzipBytes: err = %v; want ErrLimit", err)
	}
}

// TestMergedRangesEarly checks the search Open starts for the biggest
// sheet against the search made after Open: the same ranges, none, and the
// same ErrLimit when the sheet passes what Open left of UnzipBytes.
func TestMergedRangesEarly(t *testing.T) {
	t.Parallel()
	var rows strings.Builder
	for i := 1; rows.Len() < earlyMinBytes+1000; i++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="A%d" t="s"><v>0</v></c><c r="B%d"><v>%d</v></c></row>`, i, i, i, i)
	}
	merged := `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + sheetNS + `><sheetData>` + rows.String() +
		`</sheetData><mergeCells count="2"><mergeCell ref="A3:B4"/><mergeCell ref="C5"/></mergeCells></worksheet>`
	sst := sstXML(`<si><t>` + strings.Repeat("x", 5000) + `</t></si>`)
	for _, tt := range []struct {
		name  string
		sheet string
		want  []Range
	}{
		{"merged", merged, []Range{{1, 3, 2, 4}, {3, 5, 3, 5}}},
		{"none", sheetXML(rows.String()), nil},
	} {
		data := pkg{sheets: []string{sheetXML(`<row r="1"/>`), tt.sheet}, sst: sst}.build(t)
		b, err := Open(bytes.NewReader(data), int64(len(data)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if b.early == nil || b.early.part != b.files.file(b.parts[1]) {
			t.Fatalf("%s: Open started no search for the big sheet", tt.name)
		}
		got, err := b.MergedRanges("Sheet2")
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: MergedRanges = %v, %v; want %v", tt.name, got, err, tt.want)
		}
		b.early = nil // the search after Open
		if again, err := b.MergedRanges("Sheet2"); err != nil || !slices.Equal(again, got) {
			t.Errorf("%s: after Open, MergedRanges = %v, %v; early gave %v", tt.name, again, err, got)
		}
		if small, err := b.MergedRanges("Sheet1"); err != nil || small != nil {
			t.Errorf("%s: the small sheet: %v, %v", tt.name, small, err)
		}
		// Within UnzipBytes with the shared strings, not once Open has
		// counted them: both searches refuse it.
		lim := Limits{UnzipBytes: int64(len(tt.sheet)) + 3000}
		b, err = Open(bytes.NewReader(data), int64(len(data)), lim)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.MergedRanges("Sheet2"); !errors.Is(err, ErrLimit) {
			t.Errorf("%s, within the limit but for the shared strings: early search err = %v; want ErrLimit", tt.name, err)
		}
		b.early = nil
		if _, err := b.MergedRanges("Sheet2"); !errors.Is(err, ErrLimit) {
			t.Errorf("%s, within the limit but for the shared strings: err = %v; want ErrLimit", tt.name, err)
		}
	}
}
