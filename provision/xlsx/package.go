package xlsx

import (
	"archive/zip"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// parts are the parts of a package by name. A part is named by its zip
// entry with backslashes turned into slashes and no leading slash (tools
// on Windows write "xl\workbook.xml"; excelize reads them too), and is
// found whatever the case of its name: part names compare as
// case-insensitive ASCII (ECMA-376 Part 2, §9.1.1.1.2), and excelize finds
// [content_types].xml and xl/sharedstrings.xml in any case.
type parts struct {
	exact  map[string]*zip.File
	folded map[string]*zip.File // by lower-case name
}

func newParts(files []*zip.File) parts {
	p := parts{exact: make(map[string]*zip.File, len(files)), folded: make(map[string]*zip.File, len(files))}
	for _, f := range files {
		name := partName(f.Name)
		// The first of two entries of one name wins, as in excelize.
		if _, dup := p.exact[name]; !dup {
			p.exact[name] = f
		}
		if low := strings.ToLower(name); p.folded[low] == nil {
			p.folded[low] = f
		}
	}
	return p
}

// partName is the part name of the zip entry name.
func partName(name string) string {
	return strings.TrimLeft(strings.ReplaceAll(name, "\\", "/"), "/")
}

// file returns the part name, nil when there is none. A name a
// relationship gives percent-encoded ("sheet%201.xml") also finds an entry
// stored unencoded.
func (p parts) file(name string) *zip.File {
	if f := p.exact[name]; f != nil {
		return f
	}
	if f := p.folded[strings.ToLower(name)]; f != nil {
		return f
	}
	if strings.Contains(name, "%") {
		if u, err := url.PathUnescape(name); err == nil && u != name {
			return p.file(u)
		}
	}
	return nil
}

// contentTypes is what [Content_Types].xml declares: the content type of
// each part named (Override) and of each extension (Default), lower-cased
// (MIME types compare case-insensitively, and some writers lower-case
// them).
type contentTypes struct {
	overrides []override // in document order
	defaults  map[string]string
}

type override struct{ part, contentType string }

// The content types this package looks for, lower-cased.
const (
	ctSharedStrings = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedstrings+xml"
	ctStyles        = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
)

// of returns the content type of part, "" when none is declared.
func (c contentTypes) of(part string) string {
	for _, o := range c.overrides {
		if strings.EqualFold(o.part, part) {
			return o.contentType
		}
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(part)), ".")
	return c.defaults[ext]
}

// findType returns the first part declared with content type ct that the
// package holds, "" for none.
func (b *Book) findType(ct string) string {
	for _, o := range b.types.overrides {
		if o.contentType == ct && b.files.file(o.part) != nil {
			return o.part
		}
	}
	return ""
}

// firstPart returns the first of names the package holds, "" for none.
func (b *Book) firstPart(names ...string) string {
	for _, n := range names {
		if n != "" && b.files.file(n) != nil {
			return n
		}
	}
	return ""
}

// readContentTypes reads [Content_Types].xml. A package without it, or
// with one that is not XML, declares nothing: excelize opens it, reading
// its content types only to write them.
func (b *Book) readContentTypes() error {
	const name = "[Content_Types].xml"
	if b.files.file(name) == nil {
		return nil
	}
	var t struct {
		Defaults []struct {
			Extension   string `xml:"Extension,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Default"`
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if err := b.decode(name, &t); err != nil {
		if errors.Is(err, ErrLimit) {
			return err
		}
		return nil
	}
	b.types.defaults = make(map[string]string, len(t.Defaults))
	for _, d := range t.Defaults {
		b.types.defaults[strings.ToLower(strings.TrimPrefix(d.Extension, "."))] = normType(d.ContentType)
	}
	for _, o := range t.Overrides {
		b.types.overrides = append(b.types.overrides, override{resolve("", "/"+partName(o.PartName)), normType(o.ContentType)})
	}
	return nil
}

func normType(ct string) string {
	ct, _, _ = strings.Cut(ct, ";") // parameters
	return strings.ToLower(strings.TrimSpace(ct))
}

// isMainType reports whether ct is the content type of the main part of
// a package: a workbook (.xlsx, .xlsm, .xltx, .xlsb …), a document or a
// presentation.
func isMainType(ct string) bool {
	return strings.HasSuffix(ct, ".main+xml") || strings.HasSuffix(ct, ".main")
}

// mainPart finds the main part: the target of the package relationship of
// type officeDocument, else the part the content types declare with a main
// content type, else xl/workbook.xml; "" when the package holds none.
func (b *Book) mainPart() (string, error) {
	rels, err := b.readRels("_rels/.rels")
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/officeDocument") && !strings.EqualFold(r.TargetMode, "External") {
			if name := resolve("", r.Target); b.files.file(name) != nil {
				return name, nil
			}
		}
	}
	for _, o := range b.types.overrides {
		if isMainType(o.contentType) && b.files.file(o.part) != nil {
			return o.part, nil
		}
	}
	if b.files.file("xl/workbook.xml") != nil {
		return "xl/workbook.xml", nil
	}
	return "", nil
}

// sniffLimits bound what [MainPart] reads.
var sniffLimits = Limits{UnzipBytes: 16 << 20, XMLPartBytes: 4 << 20}

// MainPart returns the name of the main part of the Office Open XML
// package zr (for a workbook, its workbook part) and the content type the
// package declares for it, lower-cased, "" when it declares none. It finds
// the part as [Open] does: through the package relationships, else the
// content types, else at xl/workbook.xml; name is "" when there is none.
// Entry names may use backslashes and any case. A package whose
// relationships or content types are malformed or too large is
// [ErrDamaged] or [ErrLimit].
func MainPart(zr *zip.Reader) (name, contentType string, err error) {
	b := &Book{files: newParts(zr.File), lim: sniffLimits.withDefaults()}
	b.left = b.lim.UnzipBytes
	if err := b.readContentTypes(); err != nil {
		return "", "", err
	}
	if name, err = b.mainPart(); err != nil || name == "" {
		return "", "", err
	}
	return name, b.types.of(name), nil
}

// errNoWorkbook is the error of a package with no workbook part.
var errNoWorkbook = fmt.Errorf("%w: no workbook part", ErrNotWorkbook)
