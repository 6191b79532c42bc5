// Package annuaire reads the public extract of the Annuaire Santé, the
// national directory of health professionals (the file
// PS_LibreAcces_Personne_activite_YYYYMMDDhhmm.txt of the ANS open data,
// about two million lines, one per activity of a professional).
//
// The extract is one header line then one line per activity, fields
// separated by "|", each line ending with a "|" too, without quoting. It
// is UTF-8 since 2024; older files are Latin-1 (Windows-1252), which the
// reader detects on the header line. Columns are found by their name in
// the header, compared without case, accents or punctuation, so the older
// 52-column layout ([Columns52]) and the 2024+ 56-column layout
// ([Columns56]) read alike. A .zip of the extract (as published, possibly
// with the other files of the same export) is read directly.
//
// The reader streams: [File.Scan] looks only at the identifier of each
// line (the third field: no split, no allocation) and decodes the whole
// line only when the caller wants that identifier, so that memory does not
// depend on the size of the extract.
package annuaire

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Limits of what is read: a longer line, a bigger file or more lines is an
// error (the real extract has lines of about 300 bytes, some 2 million of
// them, under 1 GiB).
const (
	MaxLineBytes = 64 << 10
	MaxBytes     = 16 << 30
	MaxLines     = 50_000_000
)

// Encodings of [Info.Encoding].
const (
	UTF8   = "utf-8"
	Latin1 = "windows-1252" // what older extracts call Latin-1
)

// Info says which extract was read.
type Info struct {
	File     string `json:"file"`            // base name of the file given
	Entry    string `json:"entry,omitempty"` // the member read, for a .zip
	Date     string `json:"date,omitempty"`  // YYYY-MM-DD, from the name (…_YYYYMMDDhhmm.txt)
	Lines    int    `json:"lines"`           // data lines, the header excluded
	Columns  int    `json:"columns"`         // of the header: 52 or 56 for the published layouts
	Encoding string `json:"encoding"`        // UTF8 or Latin1
}

// Line is one activity line of the extract, for an identifier the caller
// asked for (see [File.Scan]). Values are as written, decoded to UTF-8 and
// trimmed.
type Line struct {
	// Key is the identifier in its idNatPs form ("Identification nationale
	// PP": "8" + RPPS, "0" + ADELI), or the type then the identifier when
	// that column is empty.
	Key                  string
	IDType, ID           string // "Type d'identifiant PP" (8 RPPS, 0 ADELI), "Identifiant PP"
	LastName, FirstName  string // "Nom d'exercice", "Prénom d'exercice"
	Profession           string // "Code profession" (TRE_G15)
	ProfessionLabel      string // "Libellé profession"
	SIRET, FINESS, Legal string // "Numéro SIRET site", "Numéro FINESS site", "Numéro FINESS établissement juridique"
	Site                 string // "Raison sociale site", else "Enseigne commerciale site"
}

// columns are the indexes of the columns the reader uses; -1 when absent.
type columns struct {
	idNat, idType, id, last, first, prof, profLabel, siret, finess, legal, site, sign int
}

// headerKeys are the columns' names as [headerKey] gives them.
var headerKeys = map[string]func(*columns) *int{
	"identificationnationalepp":          func(c *columns) *int { return &c.idNat },
	"typedidentifiantpp":                 func(c *columns) *int { return &c.idType },
	"identifiantpp":                      func(c *columns) *int { return &c.id },
	"nomdexercice":                       func(c *columns) *int { return &c.last },
	"prenomdexercice":                    func(c *columns) *int { return &c.first },
	"codeprofession":                     func(c *columns) *int { return &c.prof },
	"libelleprofession":                  func(c *columns) *int { return &c.profLabel },
	"numerosiretsite":                    func(c *columns) *int { return &c.siret },
	"numerofinesssite":                   func(c *columns) *int { return &c.finess },
	"numerofinessetablissementjuridique": func(c *columns) *int { return &c.legal },
	"raisonsocialesite":                  func(c *columns) *int { return &c.site },
	"enseignecommercialesite":            func(c *columns) *int { return &c.sign },
}

// headerKey is a header's name without case, accents, spaces or
// punctuation: "Prénom d'exercice" is "prenomdexercice".
func headerKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// FormatError says that a file is not an extract the reader can use.
type FormatError struct {
	File   string
	Reason string // English, lowercase
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("annuaire %s: %s; give the PS_LibreAcces_Personne_activite extract of the Annuaire Santé as published (.txt or .zip)", e.File, e.Reason)
}

// File is an extract opened and its header read, ready for one
// [File.Scan].
type File struct {
	info   Info
	cols   columns
	latin1 bool
	br     *bufio.Reader
	closer io.Closer
	long   []byte // a line longer than the buffer, assembled
	key    []byte
	read   int64 // bytes read
}

// Open opens the extract at path, a .txt (or any other name) or a .zip
// holding it, and reads its header line.
func Open(path string) (*File, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("annuaire %s: %w", name, errors.Unwrap(err))
	}
	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("annuaire %s: %w", name, err)
	}
	if n == 4 && string(magic[:]) == "PK\x03\x04" {
		f.Close()
		return openZip(path, name)
	}
	af, err := NewReader(f, name)
	if err != nil {
		f.Close()
		return nil, err
	}
	af.closer = f
	return af, nil
}

// openZip opens the extract inside the archive at path: the member named
// PS_LibreAcces_Personne_activite…, or the archive's only member.
func openZip(path, name string) (*File, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, &FormatError{name, "not a readable .zip archive (" + err.Error() + ")"}
	}
	var pick *zip.File
	var names []string
	files := 0
	for _, m := range zr.File {
		if m.FileInfo().IsDir() {
			continue
		}
		files++
		names = append(names, m.Name)
		if strings.HasPrefix(strings.ToLower(filepath.Base(m.Name)), "ps_libreacces_personne_activite") && pick == nil {
			pick = m
		}
	}
	if pick == nil && files == 1 {
		for _, m := range zr.File {
			if !m.FileInfo().IsDir() {
				pick = m
			}
		}
	}
	if pick == nil {
		zr.Close()
		if len(names) > 5 {
			names = append(names[:5], "…")
		}
		return nil, &FormatError{name, "the archive holds no PS_LibreAcces_Personne_activite file (it holds " + strings.Join(names, ", ") + ")"}
	}
	if pick.UncompressedSize64 > MaxBytes {
		zr.Close()
		return nil, &FormatError{name, fmt.Sprintf("%s is over %d GiB uncompressed", pick.Name, MaxBytes>>30)}
	}
	rc, err := pick.Open()
	if err != nil {
		zr.Close()
		return nil, &FormatError{name, "cannot read " + pick.Name + " in the archive (" + err.Error() + ")"}
	}
	af, err := NewReader(rc, name)
	if err != nil {
		rc.Close()
		zr.Close()
		return nil, err
	}
	af.info.Entry = pick.Name
	if d := dateOf(pick.Name); d != "" {
		af.info.Date = d
	}
	af.closer = closers{rc, zr}
	return af, nil
}

type closers []io.Closer

func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// datePattern finds the export's date in a published name:
// PS_LibreAcces_Personne_activite_202112150830.txt.
var datePattern = regexp.MustCompile(`(?:^|[^0-9])(20[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])(?:[0-9]{4,6})?(?:[^0-9]|$)`)

// dateOf returns the date in a file name, YYYY-MM-DD, or "".
func dateOf(name string) string {
	m := datePattern.FindStringSubmatch(filepath.Base(name))
	if m == nil {
		return ""
	}
	return m[1] + "-" + m[2] + "-" + m[3]
}

// NewReader reads the header line of the extract r, named name (for
// messages and [Info]). The caller closes r.
func NewReader(r io.Reader, name string) (*File, error) {
	f := &File{
		info: Info{File: name, Date: dateOf(name), Encoding: UTF8},
		br:   bufio.NewReaderSize(r, 1<<20),
	}
	head, err := f.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("annuaire %s: %w", name, err)
	}
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, &FormatError{name, "the file is empty"}
	}
	text := string(head)
	if !utf8.Valid(head) {
		f.latin1 = true
		f.info.Encoding = Latin1
		text = decodeLatin1(head)
	}
	names := strings.Split(text, "|")
	if len(names) > 1 && strings.TrimSpace(names[len(names)-1]) == "" {
		names = names[:len(names)-1] // the trailing "|"
	}
	if len(names) < 2 {
		return nil, &FormatError{name, "the first line is not a header of fields separated by |"}
	}
	f.info.Columns = len(names)
	f.cols = columns{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
	for i, h := range names {
		if set, ok := headerKeys[headerKey(h)]; ok && *set(&f.cols) < 0 {
			*set(&f.cols) = i
		}
	}
	var missing []string
	if f.cols.idNat < 0 && (f.cols.idType < 0 || f.cols.id < 0) {
		missing = append(missing, `"Identification nationale PP"`)
	}
	if f.cols.last < 0 {
		missing = append(missing, `"Nom d'exercice"`)
	}
	if f.cols.prof < 0 {
		missing = append(missing, `"Code profession"`)
	}
	if len(missing) > 0 {
		found := names
		if len(found) > 6 {
			found = append(found[:6:6], "…")
		}
		return nil, &FormatError{name, "no column " + strings.Join(missing, ", ") + " in the header line (found: " + strings.Join(found, " | ") + ")"}
	}
	return f, nil
}

func decodeLatin1(b []byte) string {
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return string(b)
	}
	return string(s)
}

// Info returns what was read of the extract: its name, date, layout and
// encoding, and after [File.Scan] its number of lines.
func (f *File) Info() Info { return f.info }

// Close closes the file.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	err := f.closer.Close()
	f.closer = nil
	return err
}

// readLine returns the next line without its line ending; it is valid
// until the next call. At the end it returns the last line (possibly
// empty) and io.EOF.
func (f *File) readLine() ([]byte, error) {
	line, err := f.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		f.long = append(f.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = f.br.ReadSlice('\n')
			f.long = append(f.long, line...)
			if len(f.long) > MaxLineBytes {
				return nil, fmt.Errorf("a line is longer than %d KiB: not an extract of the Annuaire Santé", MaxLineBytes>>10)
			}
		}
		line = f.long
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if f.read += int64(len(line)); f.read > MaxBytes {
		return nil, fmt.Errorf("the file is over %d GiB: not an extract of the Annuaire Santé", MaxBytes>>30)
	}
	if len(line) > MaxLineBytes {
		return nil, fmt.Errorf("a line is longer than %d KiB: not an extract of the Annuaire Santé", MaxLineBytes>>10)
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return line, err
}

// field returns field i of line, or nil.
func field(line []byte, i int) []byte {
	for ; i > 0; i-- {
		j := bytes.IndexByte(line, '|')
		if j < 0 {
			return nil
		}
		line = line[j+1:]
	}
	if before, _, ok := bytes.Cut(line, []byte{'|'}); ok {
		return before
	}
	return line
}

// Scan reads every line of the extract once. For each, keep is given the
// line's identifier in its idNatPs form (valid only during the call); when
// it returns true, the line is decoded and given to fn. Scan stops at the
// first error of fn, or when ctx is done. Lines are counted in [Info].
func (f *File) Scan(ctx context.Context, keep func(key []byte) bool, fn func(*Line) error) error {
	name := f.info.File
	n := 0
	for {
		line, err := f.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("annuaire %s: line %d: %w", name, n+2, err)
		}
		if len(line) > 0 {
			n++
			if n > MaxLines {
				return &FormatError{name, fmt.Sprintf("more than %d lines", MaxLines)}
			}
			if n&0xffff == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if key := f.lineKey(line); len(key) > 0 && keep(key) {
				if err := fn(f.decode(line, string(key))); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	f.info.Lines = n
	return nil
}

// lineKey returns the identifier of a line, idNatPs form.
func (f *File) lineKey(line []byte) []byte {
	if f.cols.idNat >= 0 {
		if k := bytes.TrimSpace(field(line, f.cols.idNat)); len(k) > 0 {
			return k
		}
	}
	if f.cols.idType < 0 || f.cols.id < 0 {
		return nil
	}
	t, id := bytes.TrimSpace(field(line, f.cols.idType)), bytes.TrimSpace(field(line, f.cols.id))
	if len(id) == 0 {
		return nil
	}
	f.key = append(append(f.key[:0], t...), id...)
	return f.key
}

// decode splits a kept line into its fields.
func (f *File) decode(line []byte, key string) *Line {
	text := ""
	switch {
	case f.latin1 || !utf8.Valid(line):
		// A stray Latin-1 byte in a UTF-8 file is read as Latin-1 too.
		text = decodeLatin1(line)
	default:
		text = string(line)
	}
	fields := strings.Split(text, "|")
	get := func(i int) string {
		if i < 0 || i >= len(fields) {
			return ""
		}
		return strings.TrimSpace(fields[i])
	}
	l := &Line{
		Key:             key,
		IDType:          get(f.cols.idType),
		ID:              get(f.cols.id),
		LastName:        get(f.cols.last),
		FirstName:       get(f.cols.first),
		Profession:      get(f.cols.prof),
		ProfessionLabel: get(f.cols.profLabel),
		SIRET:           get(f.cols.siret),
		FINESS:          get(f.cols.finess),
		Legal:           get(f.cols.legal),
		Site:            get(f.cols.site),
	}
	if l.Site == "" {
		l.Site = get(f.cols.sign)
	}
	return l
}
