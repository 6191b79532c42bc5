package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// This file makes workbooks as other programs lay them out, from the
// samples and fixtures: each is one of them re-zipped with backslashes in
// its entry names, with its parts moved, or with lower-cased content types.
// excelize opens them all; so must this package, reading the same cells.

// rezip rewrites the package data entry by entry through edit, which gets
// and returns an entry's name and body; a name "" drops the entry.
func rezip(t testing.TB, data []byte, edit func(name string, body []byte) (string, []byte)) []byte {
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
		name, body := edit(f.Name, body)
		if name == "" {
			continue
		}
		// CreateHeader keeps the name as given: Create would too, but
		// says nothing about backslashes.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		must(t, err)
		_, err = w.Write(body)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

// backslashed names every entry with backslashes, as some Windows tools
// write them: xl\worksheets\sheet1.xml.
func backslashed(t testing.TB, data []byte) []byte {
	return rezip(t, data, func(name string, body []byte) (string, []byte) {
		return strings.ReplaceAll(name, "/", `\`), body
	})
}

// lowerTypes lower-cases the content types part's name and every content
// type in it, and the shared strings part's name (excelize finds both
// whatever their case).
func lowerTypes(t testing.TB, data []byte) []byte {
	return rezip(t, data, func(name string, body []byte) (string, []byte) {
		switch name {
		case "[Content_Types].xml":
			return "[content_types].xml", lowerAttr(body, "ContentType")
		case "xl/sharedStrings.xml":
			return "xl/sharedstrings.xml", body
		}
		return name, body
	})
}

// lowerAttr lower-cases the value of every attribute attr="…" of body.
func lowerAttr(body []byte, attr string) []byte {
	var out bytes.Buffer
	key := []byte(" " + attr + `="`)
	for {
		i := bytes.Index(body, key)
		if i < 0 {
			out.Write(body)
			return out.Bytes()
		}
		i += len(key)
		j := bytes.IndexByte(body[i:], '"')
		out.Write(body[:i])
		out.Write(bytes.ToLower(body[i : i+j]))
		body = body[i+j:]
	}
}

// moveOpts say how [moved] lays a package out.
type moveOpts struct {
	// noPackageRels drops _rels/.rels: the workbook is then found through
	// the content types alone.
	noPackageRels bool
	// noPartRels drops the workbook's relationships to its shared
	// strings and styles: they are then found through the content types.
	noPartRels bool
}

// movedName is where [moved] puts part name: the workbook, shared strings
// and styles under names no reader guesses, the other parts of xl/
// flattened into donnees/.
func movedName(name string) string {
	switch name {
	case "xl/workbook.xml":
		return "donnees/classeur.xml"
	case "xl/sharedStrings.xml":
		return "donnees/textes/chaines.xml"
	case "xl/styles.xml":
		return "donnees/mise-en-forme.xml"
	}
	if rest, ok := strings.CutPrefix(name, "xl/"); ok {
		return "donnees/" + strings.ReplaceAll(rest, "/", "-")
	}
	return name
}

type relsXML struct {
	XMLName xml.Name `xml:"http://schemas.openxmlformats.org/package/2006/relationships Relationships"`
	Rels    []struct {
		ID         string `xml:"Id,attr"`
		Type       string `xml:"Type,attr"`
		Target     string `xml:"Target,attr"`
		TargetMode string `xml:"TargetMode,attr,omitempty"`
	} `xml:"Relationship"`
}

type typesXML struct {
	XMLName  xml.Name `xml:"http://schemas.openxmlformats.org/package/2006/content-types Types"`
	Defaults []struct {
		Extension   string `xml:"Extension,attr"`
		ContentType string `xml:"ContentType,attr"`
	} `xml:"Default"`
	Overrides []struct {
		PartName    string `xml:"PartName,attr"`
		ContentType string `xml:"ContentType,attr"`
	} `xml:"Override"`
}

// moved moves every part of xl/ elsewhere ([movedName]), rewriting the
// relationships (as absolute targets, next to their moved source part)
// and the content types to match.
func moved(t testing.TB, data []byte, o moveOpts) []byte {
	t.Helper()
	return rezip(t, data, func(name string, body []byte) (string, []byte) {
		switch {
		case name == "[Content_Types].xml":
			var ct typesXML
			must(t, xml.Unmarshal(body, &ct))
			for i, ov := range ct.Overrides {
				ct.Overrides[i].PartName = "/" + movedName(strings.TrimPrefix(ov.PartName, "/"))
			}
			out, err := xml.Marshal(ct)
			must(t, err)
			return name, out
		case strings.HasSuffix(name, ".rels"):
			dir, base := path.Split(name)
			src := strings.TrimSuffix(dir, "_rels/") + strings.TrimSuffix(base, ".rels") // "" for _rels/.rels
			if src == "" && o.noPackageRels {
				return "", nil
			}
			var rels relsXML
			must(t, xml.Unmarshal(body, &rels))
			kept := rels.Rels[:0]
			for _, r := range rels.Rels {
				if src == "xl/workbook.xml" && o.noPartRels && (strings.HasSuffix(r.Type, "/sharedStrings") || strings.HasSuffix(r.Type, "/styles")) {
					continue
				}
				if r.TargetMode != "External" {
					r.Target = "/" + movedName(resolve(path.Dir(src), r.Target))
				}
				kept = append(kept, r)
			}
			rels.Rels = kept
			out, err := xml.Marshal(rels)
			must(t, err)
			if src == "" {
				return name, out
			}
			m := movedName(src)
			return path.Join(path.Dir(m), "_rels", path.Base(m)+".rels"), out
		}
		return movedName(name), body
	})
}

// oddVariants are the odd layouts of a workbook: whether excelize reads
// the variant itself the same as the original (it reads shared strings
// and styles only at their usual place), and how to make it.
var oddVariants = []struct {
	name          string
	excelizeReads bool
	make          func(testing.TB, []byte) []byte
}{
	{"backslashes", true, backslashed},
	{"lower-case-types", true, lowerTypes},
	{"moved", false, func(t testing.TB, d []byte) []byte { return moved(t, d, moveOpts{}) }},
	{"moved-no-package-rels", false, func(t testing.TB, d []byte) []byte { return moved(t, d, moveOpts{noPackageRels: true}) }},
	{"moved-no-part-rels", false, func(t testing.TB, d []byte) []byte { return moved(t, d, moveOpts{noPartRels: true}) }},
	{"moved-backslashed-lower", false, func(t testing.TB, d []byte) []byte {
		return lowerTypes(t, backslashed(t, moved(t, d, moveOpts{noPackageRels: true, noPartRels: true})))
	}},
}

// TestReadOddPackages reads each sample and fixture laid out as other
// programs do, and compares with what excelize reads from the original
// (and from the variant, where excelize reads it right).
func TestReadOddPackages(t *testing.T) {
	t.Parallel()
	files := workbookFiles(t)
	if len(files) == 0 {
		t.Fatal("no workbook found")
	}
	for _, name := range files {
		orig := mustRead(t, name)
		xHasFmt, theirs, err := readExcelize(orig)
		if err != nil {
			t.Fatalf("reading %s with excelize: %v", name, err)
		}
		for _, v := range oddVariants {
			t.Run(filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name)+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				data := v.make(t, orig)
				hasFmt, ours, err := readOurs(data)
				if err != nil {
					t.Fatalf("Open(%s %s): %v", filepath.Base(name), v.name, err)
				}
				if d := diffBooks(ours, theirs, true); d != "" {
					t.Errorf("%s %s differs from excelize's reading of the original:\n%s", filepath.Base(name), v.name, d)
				}
				if hasFmt != xHasFmt {
					t.Errorf("%s %s: HasNumberFormats() = %v; excelize styles of the original say %v", filepath.Base(name), v.name, hasFmt, xHasFmt)
				}
				if !v.excelizeReads {
					return
				}
				_, theirsToo, err := readExcelize(data)
				if err != nil {
					t.Fatalf("excelize cannot read %s %s: %v", filepath.Base(name), v.name, err)
				}
				if d := diffBooks(ours, theirsToo, true); d != "" {
					t.Errorf("%s %s differs from excelize's reading of it:\n%s", filepath.Base(name), v.name, d)
				}
			})
		}
	}
}

// TestReadMainPart checks that MainPart finds the workbook of each layout,
// and its content type.
func TestReadMainPart(t *testing.T) {
	t.Parallel()
	const sheetMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	sample := mustRead(t, "../../samples/liste-personnels.xlsx")
	tests := []struct {
		name     string
		data     []byte
		part, ct string
	}{
		{"original", sample, "xl/workbook.xml", sheetMain},
		{"backslashes", backslashed(t, sample), "xl/workbook.xml", sheetMain},
		{"lower-case-types", lowerTypes(t, sample), "xl/workbook.xml", sheetMain},
		{"moved", moved(t, sample, moveOpts{}), "donnees/classeur.xml", sheetMain},
		{"moved-no-package-rels", moved(t, sample, moveOpts{noPackageRels: true}), "donnees/classeur.xml", sheetMain},
		{"upper-case-names", rezip(t, sample, func(n string, b []byte) (string, []byte) { return strings.ToUpper(n), b }), "xl/workbook.xml", sheetMain},
		{"no-types-no-rels", rezip(t, sample, func(n string, b []byte) (string, []byte) {
			if n == "[Content_Types].xml" || n == "_rels/.rels" {
				return "", nil
			}
			return n, b
		}), "xl/workbook.xml", ""},
		{"macro-enabled", rezip(t, sample, func(n string, b []byte) (string, []byte) {
			if n == "[Content_Types].xml" {
				b = bytes.ReplaceAll(b, []byte(sheetMain), []byte("application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
			}
			return n, b
		}), "xl/workbook.xml", "application/vnd.ms-excel.sheet.macroenabled.main+xml"},
		{"binary", mustZipFiles(t, map[string]string{
			"[Content_Types].xml": `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>`,
			"_rels/.rels":         `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>`,
			"xl/workbook.bin":     "\x83\x01\x00",
		}), "xl/workbook.bin", "application/vnd.ms-excel.sheet.binary.macroenabled.main"},
		{"none", mustZipFiles(t, map[string]string{"photo.jpg": "x"}), "", ""},
	}
	for _, tt := range tests {
		zr, err := zip.NewReader(bytes.NewReader(tt.data), int64(len(tt.data)))
		must(t, err)
		part, ct, err := MainPart(zr)
		if err != nil || part != tt.part || ct != tt.ct {
			t.Errorf("MainPart(%s) = %q, %q, %v; want %q, %q", tt.name, part, ct, err, tt.part, tt.ct)
		}
	}
}

func mustZipFiles(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		must(t, err)
		_, err = io.WriteString(w, body)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}
