package provision

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Byte-order marks.
var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// csvSeparators are the separators detected, in order of preference on a
// tie: French Excel writes ";", others ",", "Texte (séparateur:
// tabulation)" a tab.
var csvSeparators = []rune{';', ',', '\t'}

// ReadCSV reads a staff list in CSV or tab-separated text from r, name
// being the file name shown in messages and the report. The encoding
// (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252) and the
// separator (";", "," or tab) are detected.
func ReadCSV(r io.Reader, name string, cfg *Config) (*Table, error) {
	lim := limitsOf(cfg)
	data, err := io.ReadAll(io.LimitReader(r, lim.FileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(data)) > lim.FileBytes {
		return nil, inputErrorf("%s is larger than %d bytes, the limit", name, lim.FileBytes)
	}
	sum := sha256.Sum256(data)
	src, err := openCSV(context.Background(), data, name, hex.EncodeToString(sum[:]), cfg)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return src.table(context.Background())
}

// openCSV decodes data, detects its separator and opens the list.
func openCSV(ctx context.Context, data []byte, name, digest string, cfg *Config) (*source, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, inputErrorf("decoding %s", name)
	}
	// Excel's "sep=;" first line names the separator; it is line 1.
	skip := 0
	var sep rune
	if first, _, _ := strings.Cut(text, "\n"); strings.HasPrefix(strings.ToLower(first), "sep=") {
		if r, n := utf8.DecodeRuneInString(strings.TrimRight(first[4:], "\r")); n > 0 {
			sep = r
		}
		skip = 1
		text = text[len(first):]
		text = strings.TrimPrefix(text, "\n")
	}
	if sep == 0 {
		sep = detectSeparator(text, cfg)
	}
	in := Input{File: name, SHA256: digest, Format: string(formatCSV), Encoding: enc, Separator: separatorName(sep)}
	rows := func() iter.Seq2[gridRow, error] { return prefetch(csvRows(text, sep, skip)) }
	return newSource(rows(), rows, in, cfg)
}

// ownedString returns b as a string without copying it: a list of a
// million rows is 100 MB of text, which must not be held twice. b must be
// owned by the caller and never written again (the file's bytes, read for
// this list alone).
func ownedString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// decodeText returns data as UTF-8 text and the name of its encoding. The
// text may share data's memory: data is not to be written afterwards.
func decodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		return ownedString(bytes.ToValidUTF8(data[len(utf8BOM):], []byte("\uFFFD"))), "utf-8-bom", nil
	case bytes.HasPrefix(data, utf16LEBOM):
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(b), "utf-16le", err
	case bytes.HasPrefix(data, utf16BEBOM):
		b, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(b), "utf-16be", err
	case utf8.Valid(data):
		return ownedString(data), "utf-8", nil
	}
	// Not UTF-8: what French Excel writes for "CSV (séparateur: point-virgule)".
	b, err := charmap.Windows1252.NewDecoder().Bytes(data)
	return string(b), "windows-1252", err
}

func separatorName(r rune) string {
	if r == '\t' {
		return "tab"
	}
	return string(r)
}

// detectSeparator picks the separator that makes a header row recognisable,
// else the one that splits the first lines into the most consistent number
// of fields.
func detectSeparator(text string, cfg *Config) rune {
	best, bestScore := csvSeparators[0], -1
	for _, sep := range csvSeparators {
		r := newCSVReader(strings.NewReader(text), sep)
		header, counts := 0, map[int]int{}
		for range headerWindow {
			rec, err := r.Read()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				continue
			}
			if len(rec) > 1 {
				counts[len(rec)]++
			}
			header = max(header, headerScore(MapColumns(rec, cfg.Columns)))
		}
		consistent := 0
		for n, c := range counts {
			consistent = max(consistent, c*min(n, 100))
		}
		if score := header*100_000 + consistent; score > bestScore {
			best, bestScore = sep, score
		}
	}
	return best
}

func newCSVReader(r io.Reader, sep rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = sep
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	return cr
}

// csvRows yields the records of text with the physical line each starts
// on (a quoted field may span lines), skip lines being already consumed.
func csvRows(text string, sep rune, skip int) iter.Seq2[gridRow, error] {
	return func(yield func(gridRow, error) bool) {
		r := newCSVReader(strings.NewReader(text), sep)
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var pe *csv.ParseError
				line := 0
				if errors.As(err, &pe) {
					line = pe.StartLine + skip
				}
				yield(gridRow{}, inputErrorf("line %d is not valid CSV", line))
				return
			}
			line, _ := r.FieldPos(0)
			g := gridRow{Number: line + skip, Cells: make([]gridCell, len(rec))}
			for i, v := range rec {
				g.Cells[i] = gridCell{Value: v, Raw: v}
			}
			if !yield(g, nil) {
				return
			}
		}
	}
}
