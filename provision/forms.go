package provision

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"go.yaml.in/yaml/v3"
)

// Form is one signature form: the habilitation requests of one
// establishment that need its director's signature and are on no pending or
// signed form yet. It is what [WriteFormPDF] renders, and plain data
// (JSON-able) so tests can compare it as text.
type Form struct {
	// Ref is the form's unique reference, printed on every page and used as
	// the file name: F-<FINESS>-<YYYYMMDD>-<first 6 hex of Digest>, with
	// "-2", "-3"… added in the unlikely case it was issued before.
	Ref           string        `json:"ref"`
	Establishment Establishment `json:"establishment"`
	Date          string        `json:"date"` // YYYY-MM-DD, from Config.Date
	// Digest is the first 12 hex digits of the SHA-256 of the sorted
	// canonical request lines "uid|FINESS|CODE\n" (see [FormDigest]); a
	// returned form is matched by it.
	Digest   string     `json:"digest"`
	Requests int        `json:"requests"` // number of habilitation requests
	Lines    []FormLine `json:"lines"`    // one per person, sorted by name
}

// FormLine is one person of a [Form] with the habilitations asked for them.
type FormLine struct {
	UID           string  `json:"uid"`
	Key           string  `json:"-"` // [Person.Key], for the store
	BirthName     string  `json:"birth_name"`
	FirstName     string  `json:"first_name"`
	Profession    string  `json:"profession"`
	NationalID    string  `json:"national_id"` // "RPPS 19999900004", "ADELI 751234567" or ""
	Habilitations []Coded `json:"habilitations"`
}

// Key identifies the establishment in forms and in the store: its FINESS,
// or "nom:" and its name when the list gave no FINESS.
func (e Establishment) Key() string {
	if e.FINESS != "" {
		return e.FINESS
	}
	return "nom:" + e.Name
}

// refFINESS is the FINESS part of a form reference: "SANSFINESS" for an
// establishment known by name only (the digest then tells forms apart).
func refFINESS(e Establishment) string {
	if e.FINESS != "" {
		return e.FINESS
	}
	return "SANSFINESS"
}

// PlanForms decides the status of every habilitation request of the
// accepted people and returns the new signature forms, one per
// establishment that has requests needing one, sorted by FINESS.
//
// A request without signature is active. A request needing a signature
// keeps the status and form the store gives it when it is on a form already
// (pending, signed, or rejected: a refusal is not asked again while the
// list keeps asking); otherwise it goes on the establishment's new form and
// is pending-signature. It sets [Request.Status] and [Request.Form] in
// people. UIDs must have been assigned ([AssignUIDs]). st may be nil.
func PlanForms(people []Person, st *State, cfg *Config) []Form {
	if st == nil {
		st = &State{}
	}
	order := map[string]int{}
	for i, d := range cfg.Habilitations {
		order[d.Code] = i
	}
	type pending struct {
		est   Establishment
		lines map[string]*FormLine // by person key
		codes map[RequestKey]bool
	}
	byFINESS := map[string]*pending{}
	for i := range people {
		p := &people[i]
		if p.Status != StatusAccepted {
			continue
		}
		fin := p.Establishment.Key()
		for j := range p.Habilitations {
			r := &p.Habilitations[j]
			r.Status, r.Form = RequestActive, ""
			if !r.Signature {
				continue
			}
			key := RequestKey{Person: p.Key(), FINESS: fin, Code: r.Code}
			if s, ok := st.Requests[key]; ok && s.Form != "" {
				r.Status, r.Form = s.Status, s.Form
				continue
			}
			r.Status = RequestPendingSignature
			pf := byFINESS[fin]
			if pf == nil {
				pf = &pending{est: Establishment{FINESS: p.Establishment.FINESS, Name: p.Establishment.Name}, lines: map[string]*FormLine{}, codes: map[RequestKey]bool{}}
				byFINESS[fin] = pf
			}
			if pf.codes[key] {
				continue // the same request on two rows
			}
			pf.codes[key] = true
			l := pf.lines[key.Person]
			if l == nil {
				l = &FormLine{UID: p.UID, Key: key.Person, BirthName: p.BirthName, FirstName: p.FirstName,
					Profession: professionText(p), NationalID: nationalIDText(p.ID)}
				pf.lines[key.Person] = l
			}
			l.Habilitations = append(l.Habilitations, Coded{Code: r.Code, Label: r.Label})
		}
	}

	date := cfg.Date.Format("20060102")
	var forms []Form
	for _, fin := range slices.Sorted(maps.Keys(byFINESS)) {
		pf := byFINESS[fin]
		f := Form{Establishment: pf.est, Date: cfg.Date.Format(time.DateOnly), Requests: len(pf.codes)}
		for _, l := range pf.lines {
			slices.SortFunc(l.Habilitations, func(a, b Coded) int {
				return cmp.Or(cmp.Compare(rank(order, a.Code), rank(order, b.Code)), strings.Compare(a.Code, b.Code))
			})
			f.Lines = append(f.Lines, *l)
		}
		slices.SortFunc(f.Lines, func(a, b FormLine) int {
			// Alphabetical for a reader: accents and case do not count.
			return cmp.Or(strings.Compare(loginPart(a.BirthName), loginPart(b.BirthName)),
				strings.Compare(loginPart(a.FirstName), loginPart(b.FirstName)), strings.Compare(a.UID, b.UID))
		})
		f.Digest = FormDigest(f)
		base := "F-" + refFINESS(pf.est) + "-" + date + "-" + f.Digest[:6]
		f.Ref = base
		for n := 2; st.Refs[f.Ref]; n++ {
			f.Ref = base + "-" + strconv.Itoa(n)
		}
		for i := range people {
			p := &people[i]
			if p.Status != StatusAccepted || p.Establishment.Key() != fin {
				continue
			}
			for j := range p.Habilitations {
				r := &p.Habilitations[j]
				if pf.codes[RequestKey{Person: p.Key(), FINESS: fin, Code: r.Code}] {
					r.Form = f.Ref
				}
			}
		}
		forms = append(forms, f)
	}
	return forms
}

func rank(order map[string]int, code string) int {
	if i, ok := order[code]; ok {
		return i
	}
	return len(order)
}

// FormDigest returns the digest of the requests listed on f: the first 12
// hex digits of the SHA-256 of the sorted lines "uid|FINESS|CODE\n".
func FormDigest(f Form) string {
	var lines []string
	for _, l := range f.Lines {
		for _, h := range l.Habilitations {
			lines = append(lines, l.UID+"|"+f.Establishment.Key()+"|"+h.Code+"\n")
		}
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "")))
	return hex.EncodeToString(sum[:])[:12]
}

func professionText(p *Person) string {
	s := p.Profession.Label
	if p.Specialty != nil && p.Specialty.Label != "" {
		s += " (" + p.Specialty.Label + ")"
	}
	return s
}

func nationalIDText(id NationalID) string {
	if id.IsZero() {
		return ""
	}
	return string(id.Kind) + " " + id.Value
}

// FormText is the editable French text of the form,
// templates/form-text.yaml. Placeholders {etablissement}, {finess}, {ref},
// {date} and {nombre} are replaced when printing; {page} and {pages} in
// Page.
type FormText struct {
	Title         string `yaml:"title"`
	Subtitle      string `yaml:"subtitle"`
	Authorisation string `yaml:"authorisation"`
	Instructions  string `yaml:"instructions"`
	Columns       struct {
		BirthName     string `yaml:"birth_name"`
		FirstName     string `yaml:"first_name"`
		Profession    string `yaml:"profession"`
		NationalID    string `yaml:"national_id"`
		Habilitations string `yaml:"habilitations"`
	} `yaml:"columns"`
	Signature struct {
		Heading   string `yaml:"heading"`
		Signer    string `yaml:"signer"`
		Date      string `yaml:"date"`
		Signature string `yaml:"signature"`
		Stamp     string `yaml:"stamp"`
	} `yaml:"signature"`
	Reference string `yaml:"reference"`
	Digest    string `yaml:"digest"`
	Page      string `yaml:"page"`
}

// LoadFormText reads form-text.yaml from templates, strictly: an unknown
// key is an error.
func LoadFormText(templates fs.FS) (*FormText, error) {
	if templates == nil {
		return nil, errors.New("reading form text: no templates")
	}
	data, err := fs.ReadFile(templates, "form-text.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading form text: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var t FormText
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decoding form-text.yaml: %w", err)
	}
	return &t, nil
}

// Fonts of the form, from templates/fonts.
const (
	fontFamily  = "DejaVu"
	fontRegular = "fonts/DejaVuSans.ttf"
	fontBold    = "fonts/DejaVuSans-Bold.ttf"
)

// Page geometry of the form, in millimetres (A4 portrait).
const (
	pageMargin   = 15.0
	headerBottom = 32.0 // where the body starts, under the logo and reference
	footerHeight = 18.0 // reserved at the bottom for the footer
	lineHeight   = 4.6
	signatureH   = 62.0 // height of the signature block
)

// formColumns are the table's relative column widths (sum 180 mm).
var formColumns = [5]float64{33, 30, 40, 27, 50}

// WriteFormPDF renders f as an A4 PDF on w: logo or establishment name,
// reference on every page, the authorisation text of
// templates/form-text.yaml, the table of requests (its header repeated on
// each page), the signature block, "page x/y" and the digest. The logo is
// <cfg.LogosDir>/<FINESS>.png, .jpg or .jpeg when present. The output
// depends only on f (its Date is the document date), the templates and the
// logo: two renders give the same bytes, so a pending form printed again by
// a later run is the form first printed.
func WriteFormPDF(w io.Writer, f Form, cfg *Config) error {
	text, err := LoadFormText(cfg.Templates)
	if err != nil {
		return err
	}
	regular, err := fs.ReadFile(cfg.Templates, fontRegular)
	if err != nil {
		return fmt.Errorf("reading form font: %w", err)
	}
	bold, err := fs.ReadFile(cfg.Templates, fontBold)
	if err != nil {
		return fmt.Errorf("reading form font: %w", err)
	}
	logo, logoName, err := findLogo(cfg.LogosDir, f.Establishment.FINESS)
	if err != nil {
		return err
	}
	r := &formRenderer{f: f, t: text, regular: regular, bold: bold, logo: logo, logoName: logoName}
	// The first pass counts the pages for "page x/y"; the layout does not
	// depend on the footer, so the second pass has as many.
	pdf, err := r.render(0)
	if err != nil {
		return err
	}
	pdf, err = r.render(pdf.PageNo())
	if err != nil {
		return err
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("writing form %s: %w", f.Ref, err)
	}
	return nil
}

// findLogo returns the logo of the establishment finess in dir, if any,
// and its file name.
// The lookup stays inside dir (os.Root), whatever the FINESS holds.
func findLogo(dir, finess string) ([]byte, string, error) {
	if dir == "" || finess == "" {
		return nil, "", nil
	}
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("opening logos folder: %w", err)
	}
	defer root.Close()
	for _, ext := range []string{".png", ".jpg", ".jpeg"} {
		data, err := root.ReadFile(finess + ext)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("reading logo %s%s: %w", finess, ext, err)
		}
		return data, finess + ext, nil
	}
	return nil, "", nil
}

type formRenderer struct {
	f             Form
	t             *FormText
	regular, bold []byte
	logo          []byte
	logoName      string // FINESS.png, .jpg or .jpeg
}

func (r *formRenderer) logoType() string {
	if strings.HasSuffix(r.logoName, ".png") {
		return "PNG"
	}
	return "JPG"
}

func (r *formRenderer) fill(s string) string {
	d := "—"
	if t, err := time.Parse(time.DateOnly, r.f.Date); err == nil {
		d = t.Format("02/01/2006")
	}
	return strings.NewReplacer(
		"{etablissement}", r.f.Establishment.Name,
		"{finess}", r.f.Establishment.FINESS,
		"{ref}", r.f.Ref,
		"{date}", d,
		"{nombre}", strconv.Itoa(r.f.Requests),
	).Replace(s)
}

// render lays the form out; total is the page count printed in footers (0
// in the counting pass).
func (r *formRenderer) render(total int) (*fpdf.Fpdf, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	// The form's own date, not the run's: a pending form printed again by a
	// later run gives the same bytes as its first print. Never the clock:
	// fpdf would use time.Now.
	date, err := time.Parse(time.DateOnly, r.f.Date)
	if err != nil {
		date = time.Unix(0, 0).UTC()
	}
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.SetTitle(r.t.Title+" — "+r.f.Ref, true)
	pdf.SetSubject(r.f.Establishment.Name+" (FINESS "+r.f.Establishment.FINESS+")", true)
	pdf.SetCreator("dccprov", true)
	pdf.SetProducer("dccprov", true)
	pdf.SetLang("fr-FR")
	pdf.AddUTF8FontFromBytes(fontFamily, "", r.regular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", r.bold)
	pdf.SetMargins(pageMargin, headerBottom, pageMargin)
	pdf.SetAutoPageBreak(false, footerHeight)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("preparing form %s: %w", r.f.Ref, err)
	}
	if r.logo != nil {
		pdf.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: r.logoType()}, bytes.NewReader(r.logo))
		if err := pdf.Error(); err != nil {
			return nil, fmt.Errorf("logo %s: %w; save it as PNG or JPEG", r.logoName, err)
		}
	}
	pageW, pageH := pdf.GetPageSize()
	bodyW := pageW - 2*pageMargin

	pdf.SetHeaderFunc(func() { r.header(pdf, bodyW) })
	pdf.SetFooterFunc(func() { r.footer(pdf, pageH, bodyW, total) })
	pdf.AddPage()

	// Title block.
	pdf.SetFont(fontFamily, "B", 14)
	r.paragraph(pdf, r.fill(r.t.Title), bodyW, 6.5)
	pdf.SetFont(fontFamily, "", 9)
	r.paragraph(pdf, r.fill(r.t.Subtitle), bodyW, lineHeight)
	pdf.Ln(3)
	pdf.SetFont(fontFamily, "B", 11)
	r.paragraph(pdf, r.f.Establishment.Name, bodyW, 5.5)
	pdf.SetFont(fontFamily, "", 10)
	sub := r.fill("{date}")
	if r.f.Establishment.FINESS != "" {
		sub = "FINESS " + r.f.Establishment.FINESS + " — " + sub
	}
	r.paragraph(pdf, sub, bodyW, 5)
	pdf.Ln(3)
	pdf.SetFont(fontFamily, "", 10)
	r.paragraph(pdf, r.fill(r.t.Authorisation), bodyW, 5)
	pdf.Ln(2)
	pdf.SetFont(fontFamily, "", 9)
	r.paragraph(pdf, r.fill(r.t.Instructions), bodyW, lineHeight)
	pdf.Ln(4)

	// Table of requests, its header repeated on every page it flows over.
	bottom := pageH - footerHeight
	r.tableHeader(pdf)
	pdf.SetFont(fontFamily, "", 9)
	for _, l := range r.f.Lines {
		var labels []string
		for _, h := range l.Habilitations {
			labels = append(labels, h.Label)
		}
		cells, h := wrapRow(pdf, [5]string{l.BirthName, l.FirstName, l.Profession, l.NationalID, strings.Join(labels, "\n")})
		if pdf.GetY()+h > bottom {
			pdf.AddPage()
			r.tableHeader(pdf)
			pdf.SetFont(fontFamily, "", 9)
		}
		drawRow(pdf, cells, h, "D")
	}

	// Signature block, kept whole on one page.
	pdf.Ln(6)
	if pdf.GetY()+signatureH > bottom {
		pdf.AddPage()
	}
	r.signature(pdf, bodyW)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("rendering form %s: %w", r.f.Ref, err)
	}
	return pdf, nil
}

// Header geometry, in millimetres: the reference is right-aligned on the
// first line, the logo or the establishment's name takes the width left of
// it, on at most headerNameLines lines, above the rule at headerBottom-4.
const (
	headerTop       = 10.0
	headerNameLine  = 5.5
	headerNameLines = 3 // 3 × 5.5 mm fit above the rule
	headerGap       = 4.0
)

// headerLayout returns the text of the reference, its width, and the lines
// of the establishment's name in the width left of it: wrapped, at most
// headerNameLines, the last one cut with "…" when the name is longer. It
// sets the fonts it measures with.
func (r *formRenderer) headerLayout(pdf *fpdf.Fpdf, bodyW float64) (ref string, refW float64, name []string) {
	ref = r.t.Reference + "\u202f: " + r.f.Ref
	pdf.SetFont(fontFamily, "B", 10)
	refW = min(pdf.GetStringWidth(ref)+2, bodyW*0.6)
	pdf.SetFont(fontFamily, "B", 12)
	nameW := bodyW - refW - headerGap
	name = wrap(pdf, r.f.Establishment.Name, nameW)
	if len(name) > headerNameLines {
		name = name[:headerNameLines]
		last := []rune(name[headerNameLines-1])
		for len(last) > 0 && pdf.GetStringWidth(string(last)+"…") > nameW {
			last = last[:len(last)-1]
		}
		name[headerNameLines-1] = strings.TrimRight(string(last), " ") + "…"
	}
	return ref, refW, name
}

func (r *formRenderer) header(pdf *fpdf.Fpdf, bodyW float64) {
	ref, refW, name := r.headerLayout(pdf, bodyW)
	if r.logo != nil {
		info := pdf.GetImageInfo("logo")
		w, h := 45.0, 45.0*info.Height()/info.Width()
		if h > 18 {
			w, h = 18*info.Width()/info.Height(), 18
		}
		pdf.ImageOptions("logo", pageMargin, headerTop, w, h, false, fpdf.ImageOptions{ImageType: r.logoType()}, 0, "")
	} else {
		pdf.SetFont(fontFamily, "B", 12)
		for i, line := range name {
			pdf.SetXY(pageMargin, headerTop+float64(i)*headerNameLine)
			pdf.CellFormat(bodyW-refW-headerGap, headerNameLine, line, "", 0, "L", false, 0, "")
		}
	}
	x := pageMargin + bodyW - refW
	pdf.SetFont(fontFamily, "B", 10)
	pdf.SetXY(x, headerTop)
	pdf.CellFormat(refW, 5, ref, "", 2, "R", false, 0, "")
	if r.f.Establishment.FINESS != "" {
		pdf.SetFont(fontFamily, "", 8)
		pdf.SetX(x)
		pdf.CellFormat(refW, 4, "FINESS "+r.f.Establishment.FINESS, "", 2, "R", false, 0, "")
	}
	pdf.SetDrawColor(120, 120, 120)
	pdf.Line(pageMargin, headerBottom-4, pageMargin+bodyW, headerBottom-4)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetXY(pageMargin, headerBottom)
}

func (r *formRenderer) footer(pdf *fpdf.Fpdf, pageH, bodyW float64, total int) {
	y := pageH - footerHeight + 6
	pdf.SetDrawColor(120, 120, 120)
	pdf.Line(pageMargin, y-2, pageMargin+bodyW, y-2)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetFont(fontFamily, "", 8)
	pdf.SetXY(pageMargin, y)
	pdf.CellFormat(bodyW*0.75, 4, r.t.Reference+"\u202f: "+r.f.Ref+" — "+r.t.Digest+"\u202f: "+r.f.Digest, "", 0, "L", false, 0, "")
	page := strings.NewReplacer("{page}", strconv.Itoa(pdf.PageNo()), "{pages}", strconv.Itoa(total)).Replace(r.t.Page)
	pdf.CellFormat(bodyW*0.25, 4, page, "", 0, "R", false, 0, "")
}

func (r *formRenderer) tableHeader(pdf *fpdf.Fpdf) {
	pdf.SetFont(fontFamily, "B", 9)
	pdf.SetFillColor(225, 225, 225)
	c := r.t.Columns
	cells, h := wrapRow(pdf, [5]string{c.BirthName, c.FirstName, c.Profession, c.NationalID, c.Habilitations})
	drawRow(pdf, cells, h, "FD")
}

// wrapRow wraps the texts of one table row to their columns and returns
// the lines of each cell and the row's height.
func wrapRow(pdf *fpdf.Fpdf, texts [5]string) ([5][]string, float64) {
	var cells [5][]string
	n := 1
	for i, v := range texts {
		cells[i] = wrap(pdf, v, formColumns[i]-2)
		n = max(n, len(cells[i]))
	}
	return cells, float64(n)*lineHeight + 2
}

// drawRow draws one table row at the cursor, each cell framed (and filled
// when style is "FD"), then puts the cursor at the start of the next row.
func drawRow(pdf *fpdf.Fpdf, cells [5][]string, h float64, style string) {
	x, y := pdf.GetX(), pdf.GetY()
	for i, lines := range cells {
		pdf.Rect(x, y, formColumns[i], h, style)
		for k, line := range lines {
			pdf.SetXY(x+1, y+1+float64(k)*lineHeight)
			pdf.CellFormat(formColumns[i]-2, lineHeight, line, "", 0, "L", false, 0, "")
		}
		x += formColumns[i]
	}
	pdf.SetXY(pageMargin, y+h)
}

func (r *formRenderer) signature(pdf *fpdf.Fpdf, bodyW float64) {
	s := r.t.Signature
	pdf.SetFont(fontFamily, "B", 11)
	r.paragraph(pdf, s.Heading, bodyW, 6)
	pdf.Ln(2)
	pdf.SetFont(fontFamily, "", 9)
	y := pdf.GetY()
	half := (bodyW - 6) / 2
	pdf.Rect(pageMargin, y, bodyW*0.7, 14, "D")
	pdf.SetXY(pageMargin+1, y+1)
	pdf.CellFormat(bodyW*0.7-2, lineHeight, s.Signer, "", 0, "L", false, 0, "")
	pdf.Rect(pageMargin+bodyW*0.7+3, y, bodyW*0.3-3, 14, "D")
	pdf.SetXY(pageMargin+bodyW*0.7+4, y+1)
	pdf.CellFormat(bodyW*0.3-5, lineHeight, s.Date, "", 0, "L", false, 0, "")
	y += 18
	pdf.Rect(pageMargin, y, half, 36, "D")
	pdf.SetXY(pageMargin+1, y+1)
	pdf.CellFormat(half-2, lineHeight, s.Signature, "", 0, "L", false, 0, "")
	pdf.Rect(pageMargin+half+6, y, half, 36, "D")
	pdf.SetXY(pageMargin+half+7, y+1)
	pdf.CellFormat(half-2, lineHeight, s.Stamp, "", 0, "L", false, 0, "")
	pdf.SetXY(pageMargin, y+38)
}

// paragraph writes s wrapped to width w, one line of height h per line.
func (r *formRenderer) paragraph(pdf *fpdf.Fpdf, s string, w, h float64) {
	for _, line := range wrap(pdf, s, w) {
		pdf.SetX(pageMargin)
		pdf.CellFormat(w, h, line, "", 1, "L", false, 0, "")
	}
}

// wrap breaks s into lines no wider than w in the current font: at ASCII
// spaces, at "\n", and inside a word only when the word alone is too wide.
// No-break spaces (U+00A0, U+202F before « » : ;) never break a line.
func wrap(pdf *fpdf.Fpdf, s string, w float64) []string {
	var lines []string
	for para := range strings.SplitSeq(s, "\n") {
		line := ""
		for word := range strings.SplitSeq(para, " ") {
			if word == "" {
				continue
			}
			try := word
			if line != "" {
				try = line + " " + word
			}
			if pdf.GetStringWidth(try) <= w {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			line = ""
			for _, c := range word {
				if pdf.GetStringWidth(line+string(c)) > w && line != "" {
					lines = append(lines, line)
					line = ""
				}
				line += string(c)
			}
		}
		lines = append(lines, line)
	}
	return lines
}
