package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// tokKind is the kind of a token of the XML scanner.
type tokKind uint8

const (
	tokEOF   tokKind = iota
	tokStart         // a start tag, or an empty-element tag when scanner.empty
	tokEnd           // an end tag
	tokText          // character data (raw, with its entities)
	tokCDATA         // the content of a CDATA section
)

// errSyntax is the cause of ErrDamaged for XML the scanner cannot read.
var errSyntax = errors.New("malformed xml")

// scanner is a minimal, non-validating XML tokenizer over a stream, for the
// parts whose size rules out encoding/xml (worksheets, shared strings). It
// checks what encoding/xml would reject where it could change a value:
// tag nesting, attribute syntax, entities and the characters of text it
// decodes. The slices it returns point into its buffer and are valid until
// the next call to next.
type scanner struct {
	r   io.Reader
	buf []byte
	pos int // start of the unread bytes of buf
	end int // end of the bytes of buf read so far
	max int // the most bytes one token may take
	eof bool
	err error // sticky: a read error, or the scanner's own

	kind  tokKind
	name  []byte // the qualified name of a tag
	local []byte // name without its prefix
	attrs []byte // the raw attributes of a start tag
	empty bool   // the start tag closes itself (<c/>)
	text  []byte // tokText, tokCDATA: the raw bytes

	// stack holds the qualified names of the open elements, each one
	// after the other in names.
	names []byte
	stack []int
}

func newScanner(r io.Reader, max int) *scanner {
	return &scanner{r: r, buf: make([]byte, min(64<<10, max)), max: max}
}

// fill reads more input, keeping buf[pos:end]; it reports false at the end
// of the input or on an error (then s.err is set).
func (s *scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.max {
			s.err = fmt.Errorf("%w: an XML token is longer than %d bytes (4×CellBytes, at least 64 KiB)", ErrLimit, s.max)
			return false
		}
		nb := make([]byte, min(2*len(s.buf), s.max))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
			return n > 0
		}
		if err != nil {
			s.err = err
			return false
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// next reads the next token; it returns false at the end of the input, or
// on an error, which s.err then holds (nil at a clean end).
func (s *scanner) next() bool {
	for {
		if s.err != nil {
			return false
		}
		if s.pos == s.end && !s.fill() {
			if s.err == nil && len(s.stack) > 0 {
				s.err = fmt.Errorf("%w: unexpected end of part", errSyntax)
			}
			s.kind = tokEOF
			return false
		}
		if s.buf[s.pos] != '<' {
			if s.scanText() {
				return true
			}
			continue
		}
		ok, again := s.scanMarkup()
		if ok {
			return true
		}
		if !again {
			return false
		}
	}
}

// scanText scans character data up to the next '<' (or the end).
func (s *scanner) scanText() bool {
	from := 0
	for {
		i := bytes.IndexByte(s.buf[s.pos+from:s.end], '<')
		if i >= 0 {
			s.kind, s.text = tokText, s.buf[s.pos:s.pos+from+i]
			s.pos += from + i
			return true
		}
		from = s.end - s.pos
		if !s.fill() {
			if s.err != nil {
				return false
			}
			s.kind, s.text = tokText, s.buf[s.pos:s.end]
			s.pos = s.end
			return true
		}
	}
}

// scanMarkup scans a tag, comment, processing instruction or CDATA section
// at s.pos. It reports ok for a token; again when it skipped something and
// the caller should go on.
func (s *scanner) scanMarkup() (ok, again bool) {
	for {
		n, kind := s.markupLen()
		if n < 0 {
			if !s.fill() {
				if s.err == nil {
					s.err = fmt.Errorf("%w: unexpected end of part", errSyntax)
				}
				return false, false
			}
			continue
		}
		b := s.buf[s.pos : s.pos+n]
		s.pos += n
		switch kind {
		case 0: // comment, PI, doctype
			return false, true
		case 1:
			s.kind, s.text = tokCDATA, b[len("<![CDATA["):len(b)-len("]]>")]
			return true, false
		case 2:
			return s.endTag(b[2 : len(b)-1])
		default:
			return s.startTag(b[1 : len(b)-1])
		}
	}
}

// markupLen returns the length of the markup at s.pos and its kind (0
// skipped, 1 CDATA, 2 end tag, 3 start tag), or -1 when the buffer does not
// hold all of it yet.
func (s *scanner) markupLen() (int, int) {
	b := s.buf[s.pos:s.end]
	if len(b) < 2 {
		return -1, 0
	}
	switch b[1] {
	case '?':
		if i := bytes.Index(b[2:], []byte("?>")); i >= 0 {
			return i + 4, 0
		}
		return -1, 0
	case '!':
		if len(b) < 9 {
			if bytes.HasPrefix([]byte("<![CDATA["), b) || bytes.HasPrefix([]byte("<!--"), b) {
				return -1, 0
			}
		}
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			if i := bytes.Index(b[4:], []byte("-->")); i >= 0 {
				return i + 7, 0
			}
			return -1, 0
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			if i := bytes.Index(b[9:], []byte("]]>")); i >= 0 {
				return i + 12, 1
			}
			return -1, 0
		}
		// A declaration (<!DOCTYPE …>), possibly with an internal subset.
		depth, quote := 0, byte(0)
		for i := 2; i < len(b); i++ {
			c := b[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '[':
				depth++
			case c == ']':
				depth--
			case c == '>' && depth <= 0:
				return i + 1, 0
			}
		}
		return -1, 0
	}
	kind := 3
	if b[1] == '/' {
		kind = 2
	}
	// Fast path: the first '>' ends the tag unless it is inside a quoted
	// attribute value, which an odd count of quotes before it tells.
	if j := bytes.IndexByte(b, '>'); j >= 0 {
		if bytes.IndexByte(b[:j], '\'') < 0 && bytes.Count(b[:j], []byte{'"'})%2 == 0 {
			return j + 1, kind
		}
	} else {
		return -1, 0
	}
	quote := byte(0)
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1, kind
		}
	}
	return -1, 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// splitName returns the local part of a qualified name, as encoding/xml
// splits it: at the first colon, unless it starts or ends the name.
func splitName(name []byte) []byte {
	if i := bytes.IndexByte(name, ':'); i >= 1 && i < len(name)-1 {
		return name[i+1:]
	}
	return name
}

func (s *scanner) startTag(b []byte) (ok, again bool) {
	empty := false
	if len(b) > 0 && b[len(b)-1] == '/' {
		empty, b = true, b[:len(b)-1]
	}
	i := 0
	for i < len(b) && !isSpace(b[i]) {
		i++
	}
	if i == 0 {
		s.err = fmt.Errorf("%w: tag without a name", errSyntax)
		return false, false
	}
	s.kind, s.name, s.attrs, s.empty = tokStart, b[:i], b[i:], empty
	s.local = splitName(s.name)
	if !empty {
		s.stack = append(s.stack, len(s.names))
		s.names = append(s.names, s.name...)
	}
	return true, false
}

func (s *scanner) endTag(b []byte) (ok, again bool) {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	if len(s.stack) == 0 {
		s.err = fmt.Errorf("%w: unexpected end tag", errSyntax)
		return false, false
	}
	top := s.stack[len(s.stack)-1]
	if !bytes.Equal(s.names[top:], b) {
		s.err = fmt.Errorf("%w: end tag does not match its start tag", errSyntax)
		return false, false
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.names = s.names[:top]
	s.kind, s.name, s.empty = tokEnd, b, false
	s.local = splitName(b)
	return true, false
}

// simpleCell reads, when the buffer holds it, the rest of a <c> element
// whose start tag was just read in the shape nearly every writer gives a
// cell with a value: <v>TEXT</v></c>, unprefixed, TEXT printable ASCII
// without entities (a shared string's index, a number). It returns TEXT
// (valid until the next call to next) and reports whether it did; else
// nothing is read and the caller reads the cell token by token. It does
// what those tokens would: the cell's element is closed.
func (s *scanner) simpleCell() ([]byte, bool) { return s.simple("c", "v", false) }

// simpleItem is [scanner.simpleCell] for a shared string item,
// <si><t>TEXT</t></si>, whose TEXT may also hold characters other than
// ASCII (valid UTF-8 that XML allows).
func (s *scanner) simpleItem() ([]byte, bool) { return s.simple("si", "t", true) }

// simple reads <inner>TEXT</inner></outer> after the start tag of outer
// (see simpleCell).
func (s *scanner) simple(outer, inner string, other bool) ([]byte, bool) {
	if s.kind != tokStart || s.empty || string(s.name) != outer {
		return nil, false
	}
	b := s.buf[s.pos:s.end]
	open := len(inner) + 2
	if len(b) < 2*open+1+len(outer)+3 || b[0] != '<' || string(b[1:open-1]) != inner || b[open-1] != '>' {
		return nil, false
	}
	i := open
	for i < len(b) {
		c := b[i]
		if c >= 0x20 && c < 0x7f && c != '<' && c != '&' {
			i++
			continue
		}
		if c < utf8.RuneSelf || !other {
			break
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			return nil, false // the token-by-token path says why
		}
		i += n
	}
	// </inner></outer>
	rest := b[i:]
	if len(rest) < open+1+len(outer)+3 || rest[0] != '<' || rest[1] != '/' || string(rest[2:2+len(inner)]) != inner ||
		rest[open] != '>' || rest[open+1] != '<' || rest[open+2] != '/' ||
		string(rest[open+3:open+3+len(outer)]) != outer || rest[open+3+len(outer)] != '>' {
		return nil, false
	}
	top := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.names = s.names[:top]
	s.pos += i + open + 1 + len(outer) + 3
	s.kind, s.empty = tokEnd, false
	return b[open:i], true
}

// depth is the number of open elements.
func (s *scanner) depth() int { return len(s.stack) }

// skip reads up to the end of the element whose start tag was just read.
func (s *scanner) skip() bool {
	if s.kind != tokStart || s.empty {
		return true
	}
	d := len(s.stack)
	for s.next() {
		if s.kind == tokEnd && len(s.stack) < d {
			return true
		}
	}
	return false
}

// nextShortAttr is nextAttr for attributes mostly written ` n="v"`, with a
// one-letter name (a cell's r, s and t): that shape is split at once,
// anything else by nextAttr.
func nextShortAttr(b []byte) (name, val, rest []byte, ok bool, err error) {
	if len(b) >= 5 && b[0] == ' ' && b[2] == '=' && b[3] == '"' && !isSpace(b[1]) && b[1] != '=' {
		if k := bytes.IndexByte(b[4:], '"'); k >= 0 && (len(b) == 5+k || isSpace(b[5+k])) {
			return b[1:2], b[4 : 4+k], b[5+k:], true, nil
		}
	}
	return nextAttr(b)
}

// nextAttr splits the first attribute off b: its qualified name, its raw
// value, and the rest of b. ok is false at the end of b; err reports
// malformed attributes.
func nextAttr(b []byte) (name, val, rest []byte, ok bool, err error) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return nil, nil, nil, false, nil
	}
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != '=' {
		j++
	}
	name = b[i:j]
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if j == len(b) || b[j] != '=' || len(name) == 0 {
		return nil, nil, nil, false, fmt.Errorf("%w: attribute without a value", errSyntax)
	}
	j++
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if j == len(b) || (b[j] != '"' && b[j] != '\'') {
		return nil, nil, nil, false, fmt.Errorf("%w: unquoted attribute", errSyntax)
	}
	q := b[j]
	k := bytes.IndexByte(b[j+1:], q)
	if k < 0 {
		return nil, nil, nil, false, fmt.Errorf("%w: unterminated attribute", errSyntax)
	}
	val = b[j+1 : j+1+k]
	rest = b[j+2+k:]
	if len(rest) > 0 && !isSpace(rest[0]) {
		return nil, nil, nil, false, fmt.Errorf("%w: attributes not separated", errSyntax)
	}
	return name, val, rest, true, nil
}

// appendText appends raw character data to dst as encoding/xml decodes it:
// entities and character references replaced, line ends normalised to
// "\n", and characters XML forbids rejected.
func appendText(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		i := 0
		for i < len(raw) {
			c := raw[i]
			if c == '&' || c == '\r' || c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n') {
				break
			}
			i++
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if len(raw) == 0 {
			break
		}
		switch c := raw[0]; {
		case c == '\r':
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
		case c == '&':
			semi := bytes.IndexByte(raw, ';')
			if semi < 0 {
				return dst, fmt.Errorf("%w: unterminated entity", errSyntax)
			}
			r, ok := entity(raw[1:semi])
			if !ok {
				return dst, fmt.Errorf("%w: invalid entity", errSyntax)
			}
			dst = utf8.AppendRune(dst, r)
			raw = raw[semi+1:]
		case c >= 0x80:
			r, n := utf8.DecodeRune(raw)
			if r == utf8.RuneError && n == 1 || !xmlChar(r) {
				return dst, fmt.Errorf("%w: invalid character", errSyntax)
			}
			dst = append(dst, raw[:n]...)
			raw = raw[n:]
		default:
			return dst, fmt.Errorf("%w: invalid character", errSyntax)
		}
	}
	return dst, nil
}

// appendCDATA appends the content of a CDATA section, whose line ends
// encoding/xml also normalises.
func appendCDATA(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\r')
		if i < 0 {
			i = len(raw)
		}
		if !validChars(raw[:i]) {
			return dst, fmt.Errorf("%w: invalid character", errSyntax)
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if len(raw) > 0 {
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
		}
	}
	return dst, nil
}

func validChars(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			return false
		}
		i += n
	}
	return true
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// entity decodes the name of an entity or character reference (between
// '&' and ';').
func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	digits, base := name[1:], rune(10)
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, false
	}
	var r rune
	for _, c := range digits {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r*base + d
	}
	if !xmlChar(r) {
		return 0, false
	}
	return r, true
}

// attrText decodes an attribute value into dst (reset first).
func attrText(dst, raw []byte) ([]byte, error) {
	dst = dst[:0]
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 && ascii(raw) {
		return append(dst, raw...), nil
	}
	return appendText(dst, raw)
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
	}
	return true
}
