package provision

import (
	"encoding/csv"
	"fmt"
	"io/fs"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Validate turns each row of t into a [Person] and returns the problems
// found, sorted by row and column. It builds its lookup tables from
// cfg.Templates; those are embedded in the binary, so failing to load them
// is a build defect and panics. Callers that load templates from elsewhere
// use [NewValidator], which returns the error instead.
func Validate(t *Table, cfg *Config) ([]Person, []Problem) {
	v, err := NewValidator(cfg)
	if err != nil {
		panic(fmt.Sprintf("provision: %v", err))
	}
	return v.Validate(t)
}

// Validator checks rows against the nomenclatures and the habilitation
// catalogue, loaded once by [NewValidator].
//
// A Validator remembers what it computed per distinct cell value (see
// [memo]), so it is not safe for concurrent use: give each goroutine its
// own.
type Validator struct {
	nom  *Nomenclature
	habs *habilitationCatalogue
	est  *establishments

	professions  memo[professionLookup]
	specialties  memo[specialtyLookup]
	habCells     memo[[]habilitationName]
	domains      memo[domainLookup]
	asciiDomains memo[asciiDomain]
	logins       memo[loginLookup]
	folded       memo[string]
	phoneBlocks  map[string]phoneBlock // see [Validator.parsePhone]
}

// professionLookup is what a profession cell's text means.
type professionLookup struct {
	profession Profession
	specialty  *Coded
	ok         bool
	nearest    string // the closest labels, for PROFESSION_UNKNOWN
}

type specialtyLookup struct {
	specialty Coded
	ok        bool
}

// domainLookup is what an email domain is: a likely typo (with its fix)
// or a personal webmail.
type domainLookup struct {
	typo    string
	webmail bool
}

type loginLookup struct {
	mode LoginMode
	ok   bool
}

// NewValidator loads what validation needs from cfg: the nomenclatures of
// cfg.Templates and the habilitation catalogue (cfg.Habilitations, or the
// embedded default when nil).
func NewValidator(cfg *Config) (*Validator, error) {
	if cfg.Templates == nil {
		return nil, fmt.Errorf("loading nomenclatures: no templates configured")
	}
	nom, err := LoadNomenclature(cfg.Templates)
	if err != nil {
		return nil, err
	}
	defs := cfg.Habilitations
	if defs == nil {
		if defs, err = DefaultHabilitations(cfg.Templates); err != nil {
			return nil, err
		}
	}
	if err := CheckHabilitations(defs); err != nil {
		return nil, err
	}
	return &Validator{
		nom:  nom,
		habs: newHabilitationCatalogue(defs),
		est:  newEstablishments(cfg.Establishments),
	}, nil
}

// Validate turns each row of t into a [Person] (one per row, in file
// order) and returns the problems found, sorted. A person with a problem of
// severity error is [StatusRejected]. It makes the two passes of a
// [checker] over the rows held in t.
func (v *Validator) Validate(t *Table) ([]Person, []Problem) {
	read := problemsByRow(t.Problems)
	c := newChecker(v)
	for _, r := range t.Rows {
		c.first(r, read[r.Number])
	}
	c.resolve()
	people := make([]Person, 0, len(t.Rows))
	var problems []Problem
	for _, r := range t.Rows {
		p, ps := c.second(r, read[r.Number])
		people = append(people, p)
		problems = append(problems, ps...)
	}
	SortProblems(problems)
	return people, problems
}

// problemsByRow groups problems by row number.
func problemsByRow(ps []Problem) map[int][]Problem {
	m := map[int][]Problem{}
	for _, p := range ps {
		m[p.Row] = append(m[p.Row], p)
	}
	return m
}

// rowCheck is one row being validated: the person built so far, the
// problems found, and what the cross-row checks need.
type rowCheck struct {
	row      Row
	person   Person
	problems []Problem
	// emailGeneric records EMAIL_GENERIC and emailPersonal the webmail
	// domain of EMAIL_PERSONAL, which login checks need.
	emailGeneric  bool
	emailPersonal string
	// idGiven is true when the ID cell held something, valid or not.
	idGiven bool
	// estListed is the folded establishment name when the row names its
	// establishment by a name alone that the list decides (see
	// [Validator.checkEstablishment]).
	estListed string
}

func (rc *rowCheck) add(code Code, c Cell, msg, sugg string) {
	if rc.problems == nil {
		rc.problems = make([]Problem, 0, 4) // a row with one problem often has more
	}
	rc.problems = append(rc.problems, NewProblem(code, c, msg, sugg))
}

// has reports whether the row already has a problem with code.
func (rc *rowCheck) has(code Code) bool {
	for _, p := range rc.problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// checkRow validates the cells of one row; the order matters, as the login
// mode and the habilitations depend on the profession, identifier, phone
// and email. listed is what the whole list says about establishment names.
func (v *Validator) checkRow(r Row, listed listedNames) rowCheck {
	return v.checkRowInto(r, listed, nil)
}

// checkRowInto is checkRow appending the row's problems to problems[:0],
// for a caller that keeps none of them past the row.
func (v *Validator) checkRowInto(r Row, listed listedNames, problems []Problem) rowCheck {
	rc := rowCheck{row: r, person: Person{Row: r.Number, Habilitations: []Request{}}, problems: problems[:0]}
	checkNames(&rc)
	v.checkEmail(&rc)
	v.checkProfession(&rc)
	checkID(&rc)
	v.checkEstablishment(&rc, listed)
	mobile := v.checkPhone(&rc)
	v.checkLogin(&rc, mobile)
	v.checkHabilitations(&rc)
	return rc
}

// fold returns s lower-case, without accents, with every run of
// punctuation or spaces turned into one space and trimmed: the form under
// which labels, codes and variants are compared.
//
// It is called for most cells of every row, so ASCII text (most of a list)
// takes a path that allocates only the result; other text is decomposed
// (NFD), stripped of its combining marks and recomposed (NFC) with the
// norm package's own forms, without a transformer chain per call.
func fold(s string) string {
	if !asciiOnly(s) {
		s = norm.NFC.String(stripMarks(norm.NFD.String(s)))
	}
	b := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		switch {
		case r < 0x80:
			c := byte(r)
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			default:
				space = true
				continue
			}
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c)
		default:
			lr := unicode.ToLower(r)
			switch {
			// œ and æ are spelt out where they stand, without closing a
			// run of spaces (as fold always did).
			case lr == 'œ':
				b = append(b, "oe"...)
			case lr == 'æ':
				b = append(b, "ae"...)
			case unicode.IsLetter(lr) || unicode.IsDigit(lr):
				if space && len(b) > 0 {
					b = append(b, ' ')
				}
				space = false
				b = utf8.AppendRune(b, lr)
			default:
				space = true
			}
		}
	}
	return string(b)
}

// stripMarks removes the nonspacing marks (accents, once decomposed) of s.
func stripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}

// clean trims s and collapses its inner white space (including
// non-breaking spaces) to single spaces.
func clean(s string) string {
	// Most cells are printable ASCII with single inner spaces, or text
	// with accents and single inner spaces: already clean, returned as
	// they are rather than split and joined again.
	if plainASCII(s) || cleanAlready(s) {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, cleanSpace), " ")
}

// cleanSpace reports whether clean collapses r: white space, no-break
// and narrow no-break spaces included (unicode.IsSpace has both).
func cleanSpace(r rune) bool { return unicode.IsSpace(r) }

// cleanAlready reports whether clean would return s unchanged: no white
// space at either end, and each run of it inside a single ASCII space.
func cleanAlready(s string) bool {
	space := true // a space here would lead the text
	for _, r := range s {
		if !cleanSpace(r) {
			space = false
			continue
		}
		if r != ' ' || space {
			return false
		}
		space = true
	}
	return !space || s == ""
}

// distance is the optimal string alignment distance between a and b
// (Levenshtein plus adjacent transpositions, so "gmial" is 1 from "gmail").
//
// It keeps three rows of the matrix (the transposition looks two rows up),
// not the whole matrix.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n := len(rb) + 1
	buf := make([]int, 3*n)
	prev2, prev, cur := buf[:n], buf[n:2*n], buf[2*n:]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j < n; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[n-1]
}

// readReferenceCSV reads a reference table of fsys (UTF-8, comma-separated, header
// on line 1) as records keyed by the header's column names.
func readReferenceCSV(fsys fs.FS, name string) ([]map[string]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading nomenclature %s: %w", name, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading nomenclature %s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("reading nomenclature %s: empty file", name)
	}
	head := recs[0]
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(head))
		for i, h := range head {
			if i < len(rec) {
				m[h] = strings.TrimSpace(rec[i])
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// readList reads a one-entry-a-line list of fsys, skipping blank lines and
// lines starting with "#".
func readList(fsys fs.FS, name string) ([]string, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("reading list %s: %w", name, err)
	}
	var out []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, nil
}

// quote puts a value between French quotation marks for a message.
func quote(s string) string { return "« " + s + " »" }
