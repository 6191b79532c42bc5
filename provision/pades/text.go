package pades

import (
	"bytes"
	"encoding/hex"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/dccprov/dccprov/provision/pdfconf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// ErrNoText is returned by [PageTexts] for a PDF whose text cannot be read.
var ErrNoText = errors.New("the PDF's text cannot be read")

// PageTexts returns the text of each page of a PDF, for a document that
// a signing service rewrote: the strings its content streams show, decoded
// through their fonts' ToUnicode maps (fpdf embeds its fonts as Type0,
// Identity-H, with one), one line per text object. It is no layout
// engine: it is enough to find the lines dccprov printed.
func PageTexts(data []byte) (texts []string, err error) {
	defer func() {
		// pdfcpu may panic on a damaged file.
		if r := recover(); r != nil {
			texts, err = nil, ErrNoText
		}
	}()
	conf := pdfconf.Config()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		return nil, ErrNoText
	}
	if err := ctx.EnsurePageCount(); err != nil {
		return nil, ErrNoText
	}
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, inh, err := ctx.PageDict(p, true)
		if err != nil || d == nil {
			return nil, ErrNoText
		}
		content, err := ctx.PageContent(d, p)
		if err != nil {
			return nil, ErrNoText
		}
		var res types.Dict
		if inh != nil && inh.Resources != nil {
			res = inh.Resources
		} else if o, ok := d.Find("Resources"); ok {
			res, _ = ctx.DereferenceDict(o)
		}
		texts = append(texts, showText(content, pageFonts(ctx, res)))
	}
	return texts, nil
}

// font is how a font's string bytes map to text.
type font struct {
	twoByte bool
	cmap    map[int]string // from its ToUnicode; nil: the code is the character
	ranges  []cmapRange
}

type cmapRange struct {
	lo, hi int
	start  []rune
}

func (f *font) decode(s []byte) string {
	var b strings.Builder
	step := 1
	if f.twoByte {
		step = 2
	}
	for i := 0; i+step <= len(s); i += step {
		code := int(s[i])
		if step == 2 {
			code = code<<8 | int(s[i+1])
		}
		if t, ok := f.cmap[code]; ok {
			b.WriteString(t)
			continue
		}
		found := false
		for _, r := range f.ranges {
			if code >= r.lo && code <= r.hi && len(r.start) > 0 {
				rs := append([]rune{}, r.start...)
				rs[len(rs)-1] += rune(code - r.lo)
				b.WriteString(string(rs))
				found = true
				break
			}
		}
		if !found {
			b.WriteRune(rune(code))
		}
	}
	return b.String()
}

func pageFonts(ctx *model.Context, res types.Dict) map[string]*font {
	fonts := map[string]*font{}
	if res == nil {
		return fonts
	}
	o, ok := res.Find("Font")
	if !ok {
		return fonts
	}
	fd, err := ctx.DereferenceDict(o)
	if err != nil || fd == nil {
		return fonts
	}
	for name, o := range fd {
		d, err := ctx.DereferenceDict(o)
		if err != nil || d == nil {
			continue
		}
		f := &font{}
		if st := d.NameEntry("Subtype"); st != nil && *st == "Type0" {
			f.twoByte = true
		}
		if tu, ok := d.Find("ToUnicode"); ok {
			if sd, _, err := ctx.DereferenceStreamDict(tu); err == nil && sd != nil {
				if err := sd.Decode(); err == nil {
					f.cmap, f.ranges = parseCMap(sd.Content)
				}
			}
		}
		fonts[name] = f
	}
	return fonts
}

var (
	hexTok   = regexp.MustCompile(`<([0-9A-Fa-f\s]*)>`)
	bfchar   = regexp.MustCompile(`(?s)beginbfchar(.*?)endbfchar`)
	bfrange  = regexp.MustCompile(`(?s)beginbfrange(.*?)endbfrange`)
	rangeRow = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])`)
)

// parseCMap reads the bfchar and bfrange sections of a ToUnicode CMap.
func parseCMap(b []byte) (map[int]string, []cmapRange) {
	m := map[int]string{}
	var ranges []cmapRange
	for _, sec := range bfchar.FindAllSubmatch(b, -1) {
		toks := hexTok.FindAllSubmatch(sec[1], -1)
		for i := 0; i+1 < len(toks); i += 2 {
			m[hexInt(toks[i][1])] = utf16Hex(toks[i+1][1])
		}
	}
	for _, sec := range bfrange.FindAllSubmatch(b, -1) {
		for _, row := range rangeRow.FindAllSubmatch(sec[1], -1) {
			lo, hi := hexInt(row[1]), hexInt(row[2])
			dst := row[3]
			if dst[0] == '[' {
				for i, t := range hexTok.FindAllSubmatch(dst, -1) {
					m[lo+i] = utf16Hex(t[1])
				}
				continue
			}
			ranges = append(ranges, cmapRange{lo: lo, hi: hi, start: []rune(utf16Hex(dst[1 : len(dst)-1]))})
		}
	}
	return m, ranges
}

func hexInt(h []byte) int {
	n, _ := strconv.ParseInt(string(h), 16, 32)
	return int(n)
}

func utf16Hex(h []byte) string {
	b, err := unhex(h)
	if err != nil {
		return ""
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return string(utf16.Decode(u))
}

// showText reads a content stream: the strings of Tj, TJ, ' and " in the
// current font, a line break at each text object's end and each line
// move.
func showText(content []byte, fonts map[string]*font) string {
	var out strings.Builder
	var cur *font
	plain := &font{}
	var operands [][]byte // strings since the last operator
	var lastName string
	for i := 0; i < len(content); {
		c := content[i]
		switch {
		case c == '%':
			for i < len(content) && content[i] != '\n' && content[i] != '\r' {
				i++
			}
		case c == '(':
			s, n := Literal(content[i+1:])
			operands = append(operands, s)
			i += n + 1
		case c == '<' && i+1 < len(content) && content[i+1] == '<':
			i += 2
		case c == '<':
			j := bytes.IndexByte(content[i:], '>')
			if j < 0 {
				return out.String()
			}
			b, _ := unhex(content[i+1 : i+j])
			operands = append(operands, b)
			i += j + 1
		case c == '/':
			j := i + 1
			for j < len(content) && !isDelim(content[j]) {
				j++
			}
			lastName = string(content[i+1 : j])
			i = j
		case isDelim(c):
			i++
		default:
			j := i
			for j < len(content) && !isDelim(content[j]) {
				j++
			}
			op := string(content[i:j])
			switch op {
			case "Tf":
				cur = fonts[lastName]
			case "Tj", "TJ", "'", "\"":
				f := cur
				if f == nil {
					f = plain
				}
				if op == "'" || op == "\"" {
					out.WriteByte('\n')
				}
				for _, s := range operands {
					out.WriteString(f.decode(s))
				}
			case "ET", "Td", "TD", "T*":
				out.WriteByte('\n')
			}
			if op != "" && (op[0] < '0' || op[0] > '9') && op[0] != '-' && op[0] != '+' && op[0] != '.' {
				operands = operands[:0]
			}
			i = j
		}
	}
	return out.String()
}

// unhex decodes the digits of a PDF hex string, which may be split by
// white space.
func unhex(h []byte) ([]byte, error) {
	return hex.DecodeString(string(bytes.Join(bytes.Fields(h), nil)))
}

func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', 0, '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// Literal reads a PDF literal string from just after its opening
// parenthesis: escapes resolved, up to its closing parenthesis. It returns
// the string and how many bytes of b it took, that parenthesis included.
func Literal(b []byte) ([]byte, int) {
	var out []byte
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\\':
			if i++; i == len(b) {
				return out, i
			}
			switch c := b[i]; c {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r', '\n':
				// a line continuation
			default:
				if c >= '0' && c <= '7' {
					v := 0
					for j := 0; j < 3 && i < len(b) && b[i] >= '0' && b[i] <= '7'; j++ {
						v = v*8 + int(b[i]-'0')
						i++
					}
					i--
					out = append(out, byte(v))
				} else {
					out = append(out, c)
				}
			}
		case '(':
			depth++
			out = append(out, c)
		case ')':
			if depth == 0 {
				return out, i + 1
			}
			depth--
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out, len(b)
}
