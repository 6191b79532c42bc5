package provision

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// Byte-order marks.
var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
	utf32LEBOM = []byte{0xFF, 0xFE, 0x00, 0x00}
	utf32BEBOM = []byte{0x00, 0x00, 0xFE, 0xFF}
)

// csvSeparators are the separators detected, in order of preference on a
// tie: French Excel writes ";", others ",", "Texte (séparateur:
// tabulation)" a tab.
var csvSeparators = []rune{';', ',', '\t'}

// ReadCSV reads a staff list in CSV or tab-separated text from r, name
// being the file name shown in messages and the report. The encoding
// (UTF-8 with or without BOM, UTF-16 or UTF-32 with or without BOM, else
// Windows-1252) and the separator (";", "," or tab) are detected.
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
	sep, start := csvLayout(text, cfg)
	text = text[start:]
	return newCSVSource(func() io.Reader { return strings.NewReader(text) }, sep, start > 0, enc, name, digest, cfg)
}

// csvLayout returns the separator of text and where its records start:
// after Excel's "sep=;" first line, which names the separator (and is line
// 1), else at 0. The separator is otherwise detected on the first records.
func csvLayout(text string, cfg *Config) (rune, int) {
	var sep rune
	start := 0
	if first, _, _ := strings.Cut(text, "\n"); strings.HasPrefix(strings.ToLower(first), "sep=") {
		if r, n := utf8.DecodeRuneInString(strings.TrimRight(first[4:], "\r")); n > 0 {
			sep = r
		}
		start = len(first)
		if start < len(text) {
			start++ // the "\n"
		}
	}
	if sep == 0 {
		sep = detectSeparator(text[start:], cfg)
	}
	return sep, start
}

// newCSVSource opens a CSV list whose records text gives, from their start,
// for each pass; sepLine is whether a "sep=" line came before them. Excel
// does not show that line: the first record is still row 1.
func newCSVSource(text func() io.Reader, sep rune, sepLine bool, enc, name, digest string, cfg *Config) (*source, error) {
	skip := 0
	if sepLine {
		skip = 1
	}
	in := Input{File: name, SHA256: digest, Format: string(formatCSV), Encoding: enc, Separator: separatorName(sep)}
	rows := func() iter.Seq2[gridRow, error] { return prefetch(csvRows(text(), sep, skip)) }
	return newSource(rows(), rows, in, cfg)
}

// csvSample is how much of a CSV file the separator is detected on.
const csvSample = 256 << 10

// openCSVStream opens the text list f, whose first bytes are head, for
// passes that decode it from f, so that its text (170 MB for a million
// rows) is never held: UTF-8 with or without a byte-order mark, and
// Windows-1252. One streaming read gives the digest, the size (within
// limits) and whether the bytes are valid UTF-8. A file in another encoding,
// or with a mark and invalid UTF-8, is decoded in memory ([openCSV]). Each
// pass reads f through a section reader of its own: the same file, even if
// another replaces it.
func openCSVStream(ctx context.Context, f *os.File, head []byte, name string, lim Limits, cfg *Config) (*source, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	h := sha256.New()
	var v utf8Stream
	size, err := io.Copy(io.MultiWriter(h, &v), io.LimitReader(f, lim.FileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if size > lim.FileBytes {
		return nil, inputErrorf("%s is larger than %d bytes, the limit", name, lim.FileBytes)
	}
	digest := hex.EncodeToString(h.Sum(nil))
	enc := textEncoding(head, v.valid)
	var offset int
	var decode func(io.Reader) io.Reader
	switch {
	case unicodeDecoder(enc) != nil, enc == "utf-8-bom" && !v.valid():
		data, err := io.ReadAll(io.NewSectionReader(f, 0, size))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		return openCSV(ctx, data, name, digest, cfg)
	case enc == "utf-8-bom":
		offset = len(utf8BOM)
	case enc == "windows-1252":
		decode = func(r io.Reader) io.Reader { return charmap.Windows1252.NewDecoder().Reader(r) }
	}
	sample := head[offset:]
	first := string(sample)
	if decode != nil {
		b, err := charmap.Windows1252.NewDecoder().Bytes(sample)
		if err != nil {
			return nil, inputErrorf("decoding %s", name)
		}
		first = string(b)
	}
	sep, start := csvLayout(first, cfg)
	// The "sep=" line is ASCII: its length is the same in bytes of the file.
	from := int64(offset + start)
	text := func() io.Reader {
		r := io.Reader(io.NewSectionReader(f, from, size-from))
		if decode != nil {
			r = decode(r)
		}
		return r
	}
	return newCSVSource(text, sep, start > 0, enc, name, digest, cfg)
}

// ownedString returns b as a string without copying it: a list of a
// million rows is 100 MB of text, which must not be held twice. b must be
// owned by the caller and never written again (the file's bytes, read for
// this list alone).
func ownedString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// decodeText returns data as UTF-8 text and the name of its encoding. The
// text may share data's memory: data is not to be written afterwards.
func decodeText(data []byte) (string, string, error) {
	switch enc := textEncoding(data, func() bool { return utf8.Valid(data) }); enc {
	case "utf-8-bom":
		return ownedString(bytes.ToValidUTF8(data[len(utf8BOM):], []byte("\uFFFD"))), enc, nil
	case "utf-8":
		return ownedString(data), enc, nil
	case "windows-1252":
		b, err := charmap.Windows1252.NewDecoder().Bytes(data)
		return string(b), enc, err
	default:
		b, err := unicodeDecoder(enc).Bytes(data)
		return string(b), enc, err
	}
}

// unicodeDecoder returns the decoder of a UTF-16 or UTF-32 encoding named
// by [textEncoding], nil for another. It drops a byte-order mark.
func unicodeDecoder(enc string) *encoding.Decoder {
	switch enc {
	case "utf-16le":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
	case "utf-16be":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewDecoder()
	case "utf-32be":
		return utf32.UTF32(utf32.BigEndian, utf32.UseBOM).NewDecoder()
	}
	return nil
}

// textEncoding names the encoding of a text list from its first bytes:
// a UTF-8 byte-order mark, else UTF-16 or UTF-32 ([unicodeForm]), else UTF-8
// when every byte is valid UTF-8 (valid is asked only then), else
// Windows-1252, what French Excel writes for "CSV (séparateur:
// point-virgule)".
func textEncoding(head []byte, valid func() bool) string {
	if bytes.HasPrefix(head, utf8BOM) {
		return "utf-8-bom"
	}
	if form := unicodeForm(head); form != "" {
		return form
	}
	if valid() {
		return "utf-8"
	}
	return "windows-1252"
}

// unicodeForm names the UTF-16 or UTF-32 form of text from its first
// bytes, "" for neither: by its byte-order mark, else by where its zero
// bytes fall. Excel's « Texte Unicode » has a mark; other programs write
// none, and Latin text in UTF-16LE has a zero in every odd byte, in
// UTF-32LE in the two high bytes of each character. The text the guess
// decodes to must be plausible: no NUL, hardly any control character.
func unicodeForm(head []byte) string {
	switch {
	case bytes.HasPrefix(head, utf32LEBOM):
		return "utf-32le"
	case bytes.HasPrefix(head, utf32BEBOM):
		return "utf-32be"
	case bytes.HasPrefix(head, utf16LEBOM):
		return "utf-16le"
	case bytes.HasPrefix(head, utf16BEBOM):
		return "utf-16be"
	}
	head = head[:min(len(head), 4096)]
	if bytes.IndexByte(head, 0) < 0 {
		return ""
	}
	var z [4]int // zero bytes at each position modulo 4
	for i, c := range head[:len(head)&^3] {
		if c == 0 {
			z[i&3]++
		}
	}
	q := len(head) / 4
	form := ""
	switch even, odd, half := z[0]+z[2], z[1]+z[3], 2*q; {
	case q == 0:
	case z[3] == q && 10*z[2] >= 9*q && 10*z[0] <= q:
		form = "utf-32le"
	case z[0] == q && 10*z[1] >= 9*q && 10*z[3] <= q:
		form = "utf-32be"
	case 2*odd >= half && 10*even <= half:
		form = "utf-16le"
	case 2*even >= half && 10*odd <= half:
		form = "utf-16be"
	}
	// Whole characters only: the end of head may cut one.
	if form == "" || !plausibleText(decodeUnicode(head[:len(head)&^3], form)) {
		return ""
	}
	return form
}

// decodeUnicode decodes b, text in the UTF-16 or UTF-32 form named,
// replacing what is invalid (a character cut by the end of b).
func decodeUnicode(b []byte, form string) string {
	out, err := unicodeDecoder(form).Bytes(b)
	if err != nil {
		return ""
	}
	return string(out)
}

// plausibleText reports whether s reads as text: no NUL, and control or
// invalid characters (but tab, line breaks and form feed) at most one in a
// hundred, a last one aside (a surrogate pair cut in two).
func plausibleText(s string) bool {
	n, bad := 0, 0
	s = strings.TrimSuffix(s, string(utf8.RuneError))
	for _, r := range s {
		n++
		switch {
		case r == 0:
			return false
		case r == '\t', r == '\n', r == '\r', r == '\f', r == '\v':
		case r < 0x20, r >= 0x7f && r < 0xa0, r == utf8.RuneError:
			bad++
		}
	}
	return n > 0 && bad <= n/100
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

// utf8Stream tells, as bytes are written to it, whether they are valid
// UTF-8, a character cut between two writes included.
type utf8Stream struct {
	carry   []byte
	invalid bool
}

func (u *utf8Stream) Write(p []byte) (int, error) {
	n := len(p)
	if u.invalid {
		return n, nil
	}
	if len(u.carry) > 0 {
		// Complete the cut character with the first bytes of p.
		need := min(len(p), utf8.UTFMax-len(u.carry))
		b := append(u.carry, p[:need]...)
		r, size := utf8.DecodeRune(b)
		if !utf8.FullRune(b) {
			u.carry = b
			return n, nil
		}
		if r == utf8.RuneError && size <= 1 {
			u.invalid = true
			return n, nil
		}
		p = p[size-len(u.carry):]
		u.carry = u.carry[:0]
	}
	// Keep the bytes of a last character cut by the end of p.
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		u.invalid = true
		return n, nil
	}
	u.carry = append(u.carry[:0], p[cut:]...)
	return n, nil
}

// valid reports whether every byte written was valid UTF-8.
func (u *utf8Stream) valid() bool { return !u.invalid && len(u.carry) == 0 }

// csvRows yields the records of text numbered as Excel shows them: one
// row per record, a blank line being an empty row, a quoted cell's line
// breaks kept inside its row. skip lines (a "sep=" line, which Excel does
// not show) come before text: an error names the line of the file.
func csvRows(text io.Reader, sep rune, skip int) iter.Seq2[gridRow, error] {
	return func(yield func(gridRow, error) bool) {
		r := newCSVReader(bufio.NewReaderSize(text, 64<<10), sep)
		inside := 0 // line breaks inside the quoted cells of the records read
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
			g := gridRow{Number: line - inside, Cells: make([]gridCell, len(rec))}
			for i, v := range rec {
				g.Cells[i] = gridCell{Value: v, Raw: v}
			}
			// The record ends on the line its last cell starts on, plus
			// the line breaks in that cell (the reader turns a quoted
			// "\r\n" into "\n").
			last, _ := r.FieldPos(len(rec) - 1)
			inside += last - line + strings.Count(rec[len(rec)-1], "\n")
			if !yield(g, nil) {
				return
			}
		}
	}
}
