package provision

import (
	"encoding/binary"
	"iter"
)

// checkSpool keeps what pass 1 found of the rows with a problem (the
// row's person and problems, [rowCheck]) in a private temporary file, as
// the row spool keeps the rows, so that pass 2 reads it back instead of
// checking those rows again: on a list where most rows have problems,
// checking them twice was a fifth of `check`'s work. Only rows whose check
// does not depend on the whole list are kept (not those naming their
// establishment without FINESS, [rowCheck.estListed]); the others are
// checked again. The file is unlinked as soon as it is made (it holds
// personal data); any failure (a full disk) only drops it, and pass 2
// then checks every row again, as without it.
//
// A record is a uvarint length, then the row's index in pass 1, the
// person and the problems ([appendCheck]).
type checkSpool struct {
	*spoolFile
	buf []byte
}

// checkSpoolDir is where check spools are made: "", the system's
// temporary folder (a test points it elsewhere).
var checkSpoolDir = ""

// newCheckSpool returns an empty spool, or nil when none can be made.
func newCheckSpool() *checkSpool {
	f := newSpoolFile(checkSpoolDir, "dccprov-checks-", 64<<10)
	if f == nil {
		return nil
	}
	return &checkSpool{spoolFile: f}
}

// add appends what pass 1 found of row index; after an error it does
// nothing.
func (s *checkSpool) add(index int, p *Person, problems []Problem) {
	s.buf = appendCheck(s.buf[:0], index, p, problems)
	s.spoolFile.add(s.buf)
}

// checked is one record of the spool.
type checked struct {
	index    int
	person   Person
	problems []Problem
}

// checks returns the records added, in order.
func (s *checkSpool) checks() iter.Seq2[checked, error] {
	// Pass 2 keeps no problem past its row, and asks for a record once done
	// with the one before: the records share one array of problems.
	var problems []Problem
	return decodedRecords(s.spoolFile, "checked rows", "a record is damaged", func(rec []byte) (checked, bool) {
		c, ok := decodeCheckInto(rec, problems)
		if cap(c.problems) > cap(problems) {
			problems = c.problems
		}
		return c, ok
	})
}

// appendCheck appends the record of row index, its person p and its
// problems, to b (without its length). Every field of a [Person] and a
// [Problem] is written: TestCheckRecordRoundTrip fills every one.
func appendCheck(b []byte, index int, p *Person, problems []Problem) []byte {
	e := checkEncoder{b: b}
	e.uint(index)
	start := len(e.b)
	e.uint(p.Row)
	e.str(string(p.Status))
	e.str(p.UID)
	e.str(p.BirthName)
	e.str(p.UsageName)
	e.str(p.FirstName)
	e.str(p.Email)
	e.str(p.Mobile)
	e.str(p.Profession.System)
	e.str(p.Profession.Code)
	e.str(p.Profession.Label)
	e.bool(p.Profession.Health)
	e.coded(p.Profession.Role)
	e.coded(p.Specialty)
	e.str(string(p.ID.Kind))
	e.str(p.ID.Value)
	e.str(p.Establishment.FINESS)
	e.str(p.Establishment.Name)
	e.str(p.Establishment.Logo)
	e.str(string(p.LoginMode))
	if p.Habilitations == nil {
		e.uint(0)
	} else {
		e.uint(len(p.Habilitations) + 1)
	}
	for _, r := range p.Habilitations {
		e.str(r.Code)
		e.str(r.Label)
		e.bool(r.Signature)
		e.str(r.Status)
		e.str(r.Form)
		if r.Refusal == nil {
			e.bool(false)
		} else {
			e.bool(true)
			e.uint(r.Refusal.Line)
			e.str(r.Refusal.Date)
			e.str(r.Refusal.Reason)
		}
	}
	e.uint(p.DuplicateOf)
	// The person's length goes before it: read back, its strings are a
	// copy of their own, not of the whole record (a run keeps the person,
	// not the problems' texts).
	n := len(e.b) - start
	var l [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(l[:], uint64(n))
	e.b = append(e.b, l[:k]...)
	copy(e.b[start+k:], e.b[start:start+n])
	copy(e.b[start:], l[:k])
	e.uint(len(problems))
	for _, pr := range problems {
		e.str(pr.Sheet)
		e.uint(pr.Row)
		e.str(pr.Column)
		e.str(pr.Cell)
		e.str(string(pr.Severity))
		e.str(string(pr.Code))
		e.str(pr.Message)
		e.str(pr.Value)
		e.str(pr.Suggestion)
	}
	return e.b
}

type checkEncoder struct{ b []byte }

func (e *checkEncoder) uint(n int) { e.b = binary.AppendUvarint(e.b, uint64(n)) }

func (e *checkEncoder) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *checkEncoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *checkEncoder) coded(c *Coded) {
	if c == nil {
		e.bool(false)
		return
	}
	e.bool(true)
	e.str(c.Code)
	e.str(c.Label)
}

// checkDecoder reads a record, section by section: the strings of a
// section share one copy of it. After an error (a damaged record) every
// read gives the zero value and bad is set.
type checkDecoder struct {
	rec []byte
	str string // the current section, rec[off:end], as a string
	off int
	end int
	pos int
	bad bool
}

// section makes the next n bytes the current section.
func (d *checkDecoder) section(n int) {
	if d.bad || n > len(d.rec)-d.pos {
		d.bad = true
		return
	}
	d.off, d.end = d.pos, d.pos+n
	d.str = string(d.rec[d.off:d.end])
}

func (d *checkDecoder) uint() int {
	if d.bad {
		return 0
	}
	v, k := binary.Uvarint(d.rec[d.pos:d.end])
	// A number is written in as few bytes as it takes: one written longer
	// (a last byte of 0 after others) is not the encoder's, a damaged record.
	if k <= 0 || v > 1<<31 || k > 1 && d.rec[d.pos+k-1] == 0 {
		d.bad = true
		return 0
	}
	d.pos += k
	return int(v)
}

func (d *checkDecoder) text() string {
	n := d.uint()
	if d.bad || n > d.end-d.pos {
		d.bad = true
		return ""
	}
	s := d.str[d.pos-d.off : d.pos-d.off+n]
	d.pos += n
	return s
}

func (d *checkDecoder) bool() bool {
	if d.bad || d.pos >= d.end || d.rec[d.pos] > 1 {
		d.bad = true
		return false
	}
	d.pos++
	return d.rec[d.pos-1] == 1
}

func (d *checkDecoder) coded() *Coded {
	if !d.bool() {
		return nil
	}
	return &Coded{Code: d.text(), Label: d.text()}
}

// decodeCheck decodes one record written by [appendCheck].
func decodeCheck(rec []byte) (checked, bool) { return decodeCheckInto(rec, nil) }

// decodeCheckInto is decodeCheck decoding the problems into problems[:0].
func decodeCheckInto(rec []byte, problems []Problem) (checked, bool) {
	d := checkDecoder{rec: rec, end: len(rec)}
	var c checked
	c.index = d.uint()
	d.section(d.uint()) // the person
	p := &c.person
	p.Row = d.uint()
	p.Status = Status(d.text())
	p.UID = d.text()
	p.BirthName = d.text()
	p.UsageName = d.text()
	p.FirstName = d.text()
	p.Email = d.text()
	p.Mobile = d.text()
	p.Profession.System = d.text()
	p.Profession.Code = d.text()
	p.Profession.Label = d.text()
	p.Profession.Health = d.bool()
	p.Profession.Role = d.coded()
	p.Specialty = d.coded()
	p.ID.Kind = IDKind(d.text())
	p.ID.Value = d.text()
	p.Establishment.FINESS = d.text()
	p.Establishment.Name = d.text()
	p.Establishment.Logo = d.text()
	p.LoginMode = LoginMode(d.text())
	if n := d.uint(); n > 0 && !d.bad {
		if n-1 > d.end-d.pos {
			return c, false
		}
		p.Habilitations = make([]Request, n-1)
		for i := range p.Habilitations {
			r := &p.Habilitations[i]
			r.Code = d.text()
			r.Label = d.text()
			r.Signature = d.bool()
			r.Status = d.text()
			r.Form = d.text()
			if d.bool() {
				r.Refusal = &Refusal{Line: d.uint(), Date: d.text(), Reason: d.text()}
			}
		}
	}
	p.DuplicateOf = d.uint()
	if d.bad || d.pos != d.end {
		return c, false
	}
	d.section(len(rec) - d.pos) // the problems
	if n := d.uint(); n > 0 && !d.bad {
		if n > len(rec)-d.pos {
			return c, false
		}
		if cap(problems) < n {
			problems = make([]Problem, n, n+2) // room for the findings across rows
		}
		c.problems = problems[:n]
		for i := range c.problems {
			pr := &c.problems[i]
			pr.Sheet = d.text()
			pr.Row = d.uint()
			pr.Column = d.text()
			pr.Cell = d.text()
			pr.Severity = Severity(d.text())
			pr.Code = Code(d.text())
			pr.Message = d.text()
			pr.Value = d.text()
			pr.Suggestion = d.text()
		}
	}
	return c, !d.bad && d.pos == len(rec)
}

// closerFunc is an [io.Closer] that calls itself.
type closerFunc func()

func (f closerFunc) Close() error {
	f()
	return nil
}
