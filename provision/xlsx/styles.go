package xlsx

import (
	"fmt"
	"strconv"
	"strings"
)

// styles is what the reader needs of styles.xml: the number format of each
// cell style, and the custom formats.
type styles struct {
	xfs    []int          // numFmtId of each cellXfs entry (0 when absent)
	custom map[int]string // custom format codes by id
	fmts   []*numFmt      // the compiled format of each cellXfs entry, nil for none
}

func (b *Book) readStyles(name string) (styles, error) {
	var ss struct {
		NumFmts []struct {
			ID     string `xml:"numFmtId,attr"`
			Code   string `xml:"formatCode,attr"`
			Code16 string `xml:"http://schemas.microsoft.com/office/spreadsheetml/2015/02/main formatCode16,attr"`
		} `xml:"numFmts>numFmt"`
		CellXfs *struct {
			Xf []struct {
				NumFmtID *string `xml:"numFmtId,attr"`
			} `xml:"xf"`
		} `xml:"cellXfs"`
	}
	if err := b.decode(name, &ss); err != nil {
		return styles{}, err
	}
	st := styles{custom: make(map[int]string)}
	for _, f := range ss.NumFmts {
		id, err := strconv.Atoi(strings.TrimSpace(f.ID))
		if err != nil {
			return styles{}, fmt.Errorf("%w: bad numFmtId in styles", ErrDamaged)
		}
		if _, dup := st.custom[id]; dup {
			continue // excelize takes the first
		}
		code := f.Code
		if f.Code16 != "" {
			code = f.Code16
		}
		st.custom[id] = code
	}
	if ss.CellXfs != nil {
		st.xfs = make([]int, len(ss.CellXfs.Xf))
		for i, xf := range ss.CellXfs.Xf {
			if xf.NumFmtID == nil {
				continue
			}
			id, err := strconv.Atoi(strings.TrimSpace(*xf.NumFmtID))
			if err != nil {
				return styles{}, fmt.Errorf("%w: bad numFmtId in styles", ErrDamaged)
			}
			st.xfs[i] = id
		}
	}
	// Compile each distinct format once, now, so that the Book stays
	// read-only (safe for concurrent Rows) afterwards.
	st.fmts = make([]*numFmt, len(st.xfs))
	byCode := make(map[string]*numFmt)
	for i, id := range st.xfs {
		if i == 0 {
			continue // style 0 shows the value as stored
		}
		code, ok := st.custom[id]
		if !ok {
			code, ok = builtInNumFmt[id]
		}
		if !ok {
			continue
		}
		f, seen := byCode[code]
		if !seen {
			f = compileNumFmt(code)
			byCode[code] = f
		}
		st.fmts[i] = f
	}
	return st, nil
}

// format returns the compiled number format of cell style s; nil when the
// value shows as it is stored.
func (st *styles) format(s int) *numFmt {
	if s <= 0 || s >= len(st.fmts) {
		return nil
	}
	return st.fmts[s]
}
