package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"testing"
)

// stored rewrites a package with every part stored uncompressed and
// without a CRC (archive/zip then checks none), so that the fuzzer's
// mutations reach the XML instead of breaking the deflate streams.
func stored(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		body, err := io.ReadAll(rc)
		must(t, err)
		rc.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: f.Name, Method: zip.Store,
			CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body)),
		})
		must(t, err)
		_, err = w.Write(body)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

// transitionalIDs reports whether every <sheet> of data's workbook part
// (xl/workbook.xml) gives its relationship id in the relationships
// namespace of transitional OOXML, the only one excelize reads; this
// package takes the id in any namespace (strict OOXML has its own).
func transitionalIDs(data []byte) bool {
	const rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name != "xl/workbook.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false
		}
		defer rc.Close()
		d := xml.NewDecoder(io.LimitReader(rc, 8<<20))
		for {
			tok, err := d.Token()
			if err != nil {
				return err == io.EOF
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "sheet" {
				for _, a := range se.Attr {
					if a.Name.Local == "id" && a.Name.Space != "" && a.Name.Space != rels {
						return false
					}
				}
			}
		}
	}
	return true
}

// wellFormed reports whether encoding/xml reads the part name of data
// through: excelize stops silently where it does not, so the readers are
// compared only on well-formed parts.
func wellFormed(data []byte, names ...string) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		keep := false
		for _, n := range names {
			keep = keep || f.Name == n
		}
		if !keep {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false
		}
		d := xml.NewDecoder(io.LimitReader(rc, 8<<20))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				return false
			}
		}
		rc.Close()
	}
	return true
}

func FuzzRows(f *testing.F) {
	for _, name := range workbookFiles(f) {
		data := mustRead(f, name)
		f.Add(data)
	}
	for _, build := range []func(testing.TB) []byte{apiWorkbook, streamWorkbook, date1904Workbook, layoutWorkbook} {
		data := build(f)
		f.Add(data)
		f.Add(stored(f, data))
	}
	for _, data := range handWritten(f) {
		f.Add(stored(f, data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{UnzipBytes: 64 << 20, XMLPartBytes: 16 << 20, CellBytes: 64 << 10}
		b, err := Open(bytes.NewReader(data), int64(len(data)), lim)
		if err != nil {
			return
		}
		_, ours, err := readOurs(data)
		if err != nil {
			return
		}
		if b.sstPart != "" && b.sstPart != "xl/sharedStrings.xml" {
			return // excelize reads only that part
		}
		for _, sh := range ours {
			for _, r := range sh.Rows {
				if r.Number > 5000 || len(r.Values) > 500 || len(r.Shown) > 500 {
					return // excelize would yield every row up to it: too slow
				}
			}
		}
		parts := []string{"xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml"}
		for i := range b.sheets {
			parts = append(parts, b.parts[i])
		}
		if !wellFormed(data, parts...) || !transitionalIDs(data) {
			return
		}
		_, theirs, err := readExcelize(data)
		if err != nil {
			return
		}
		// Values only: Shown differs where a format is not rendered.
		for _, d := range [][]sheetDump{ours, theirs} {
			for i := range d {
				for j := range d[i].Rows {
					d[i].Rows[j].Shown = nil
				}
				d[i].Rows = dropBlank(d[i].Rows)
			}
		}
		if d := diffBooks(ours, theirs, false); d != "" {
			t.Errorf("xlsx and excelize disagree:\n%s", d)
		}
	})
}

// dropBlank drops the rows left without values.
func dropBlank(rows []gotRow) []gotRow {
	var out []gotRow
	for _, r := range rows {
		if r.Values != nil {
			out = append(out, r)
		}
	}
	return out
}

// FuzzDefaultNumber checks the fast path of defaultNumber against
// excelize's way.
func FuzzDefaultNumber(f *testing.F) {
	for _, s := range []string{"0", "-1", "0.5", "1.50", "1e3", "123456789012345678", "0.1", "007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(defaultNumber([]byte(s))), defaultNumberSlow(s); got != want {
			t.Errorf("defaultNumber(%q) = %q; want %q", s, got, want)
		}
	})
}
