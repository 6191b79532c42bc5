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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
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
	// Sender and ReturnAddress are who sends the form and where it goes
	// back ([Config.Sender], [Config.ReturnAddress]), as first printed.
	Sender        string `json:"sender,omitempty"`
	ReturnAddress string `json:"return_address,omitempty"`
	// Grants say what each habilitation on the form grants, in catalogue
	// order (from [HabilitationDef.Description]; those without one are
	// left out).
	Grants []Grant `json:"grants,omitempty"`
}

// Grant is what one habilitation listed on a [Form] grants.
type Grant struct {
	Code        string `json:"code"`
	Label       string `json:"label"`
	Description string `json:"description"`
}

// FormRequest is one numbered request line of a [Form]: a person and one
// habilitation. The director may refuse it by its number.
type FormRequest struct {
	Line      int    `json:"line"`
	UID       string `json:"uid"`
	BirthName string `json:"birth_name"`
	FirstName string `json:"first_name"`
	Code      string `json:"code"`
	Label     string `json:"label"`
}

// RequestLines numbers the requests of f from 1, as the form prints them:
// people in the order of [Form.Lines], each one's habilitations in order.
// The numbers depend only on f, so a form recorded before they were
// printed is numbered the same way.
func (f Form) RequestLines() []FormRequest {
	var out []FormRequest
	for _, l := range f.Lines {
		for _, h := range l.Habilitations {
			out = append(out, FormRequest{Line: len(out) + 1, UID: l.UID, BirthName: l.BirthName, FirstName: l.FirstName, Code: h.Code, Label: h.Label})
		}
	}
	return out
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
		// on are the requests of the people that go on the form (a
		// request listed on two rows is on it once, and both rows name
		// it), to be given its reference.
		on []*Request
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
			r.Status, r.Form, r.Refusal = RequestActive, "", nil
			if !r.Signature {
				continue
			}
			key := RequestKey{Person: p.Key(), FINESS: fin, Code: r.Code}
			if s, ok := st.Requests[key]; ok && s.Form != "" {
				r.Status, r.Form = s.Status, s.Form
				if s.Status == RequestRejected {
					r.Refusal = &Refusal{Line: s.Line, Date: s.DecidedOn, Reason: s.Reason}
				}
				continue
			}
			r.Status = RequestPendingSignature
			pf := byFINESS[fin]
			if pf == nil {
				pf = &pending{est: Establishment{FINESS: p.Establishment.FINESS, Name: p.Establishment.Name}, lines: map[string]*FormLine{}, codes: map[RequestKey]bool{}}
				byFINESS[fin] = pf
			}
			pf.on = append(pf.on, r)
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
		// Lines in alphabetical order for a reader: accents and case do
		// not count. Each line's sort key is folded once, not at each of
		// the sort's comparisons (n log n folds were most of the
		// planning of a national list).
		type sortedLine struct {
			birth, first string
			line         *FormLine
		}
		sorted := make([]sortedLine, 0, len(pf.lines))
		for _, l := range pf.lines {
			slices.SortFunc(l.Habilitations, func(a, b Coded) int {
				return cmp.Or(cmp.Compare(rank(order, a.Code), rank(order, b.Code)), strings.Compare(a.Code, b.Code))
			})
			sorted = append(sorted, sortedLine{loginPart(l.BirthName), loginPart(l.FirstName), l})
		}
		slices.SortFunc(sorted, func(a, b sortedLine) int {
			return cmp.Or(strings.Compare(a.birth, b.birth), strings.Compare(a.first, b.first), strings.Compare(a.line.UID, b.line.UID))
		})
		for _, sl := range sorted {
			f.Lines = append(f.Lines, *sl.line)
		}
		f.Digest = FormDigest(f)
		f.Sender, f.ReturnAddress = cfg.Sender, cfg.ReturnAddress
		f.Grants = formGrants(f, cfg.Habilitations)
		base := "F-" + refFINESS(pf.est) + "-" + date + "-" + f.Digest[:6]
		f.Ref = base
		for n := 2; st.Refs[f.Ref]; n++ {
			f.Ref = base + "-" + strconv.Itoa(n)
		}
		// Found while the requests were read: going over every person
		// again for each form cost the list's rows times its
		// establishments.
		for _, r := range pf.on {
			r.Form = f.Ref
		}
		forms = append(forms, f)
	}
	return forms
}

// formGrants returns what each habilitation listed on f grants, in
// catalogue order.
func formGrants(f Form, defs []HabilitationDef) []Grant {
	listed := map[string]bool{}
	for _, l := range f.Lines {
		for _, h := range l.Habilitations {
			listed[h.Code] = true
		}
	}
	var out []Grant
	for _, d := range defs {
		if listed[d.Code] && d.Description != "" {
			out = append(out, Grant{Code: d.Code, Label: d.Label, Description: d.Description})
		}
	}
	return out
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
// templates/form-text.yaml, or the config's form_text: file. Placeholders
// {etablissement}, {finess}, {ref}, {date} and {nombre} are replaced when
// printing; {page} and {pages} in Page.
type FormText struct {
	Title         string `yaml:"title"`
	Subtitle      string `yaml:"subtitle"`
	Authorisation string `yaml:"authorisation"`
	Instructions  string `yaml:"instructions"`
	Sender        string `yaml:"sender"`         // label of the sender line
	ReturnAddress string `yaml:"return_address"` // label of the return address line
	Grants        string `yaml:"grants"`         // heading of what the habilitations grant
	Columns       struct {
		Number        string `yaml:"number"`
		BirthName     string `yaml:"birth_name"`
		FirstName     string `yaml:"first_name"`
		Profession    string `yaml:"profession"`
		NationalID    string `yaml:"national_id"`
		Habilitations string `yaml:"habilitations"`
		Refused       string `yaml:"refused"`
	} `yaml:"columns"`
	Signature struct {
		Heading   string `yaml:"heading"`
		Granted   string `yaml:"granted"` // says that the lines not ticked are granted
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
	t, err := ParseFormText(data, nil)
	if err != nil {
		return nil, fmt.Errorf("embedded form-text.yaml: %w", err)
	}
	return t, nil
}

// ParseFormText decodes a form text (YAML shaped like
// templates/form-text.yaml) over a copy of base: keys data leaves out keep
// base's text (base may be nil). Decoding is strict: an unknown key, a
// second document or a text left empty is an error.
func ParseFormText(data []byte, base *FormText) (*FormText, error) {
	var t FormText
	if base != nil {
		t = *base
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decoding form text: %w", err)
	}
	var more any
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, errors.New("decoding form text: more than one YAML document (a --- line); keep one")
	}
	for _, f := range t.fields() {
		if strings.TrimSpace(*f.text) == "" {
			return nil, fmt.Errorf("form text: %s is empty", f.key)
		}
	}
	return &t, nil
}

// fields lists the texts of t by their YAML key.
func (t *FormText) fields() []struct {
	key  string
	text *string
} {
	type field = struct {
		key  string
		text *string
	}
	return []field{
		{"title", &t.Title}, {"subtitle", &t.Subtitle}, {"authorisation", &t.Authorisation},
		{"instructions", &t.Instructions}, {"sender", &t.Sender}, {"return_address", &t.ReturnAddress},
		{"grants", &t.Grants},
		{"columns.number", &t.Columns.Number}, {"columns.birth_name", &t.Columns.BirthName},
		{"columns.first_name", &t.Columns.FirstName}, {"columns.profession", &t.Columns.Profession},
		{"columns.national_id", &t.Columns.NationalID}, {"columns.habilitations", &t.Columns.Habilitations},
		{"columns.refused", &t.Columns.Refused},
		{"signature.heading", &t.Signature.Heading}, {"signature.granted", &t.Signature.Granted},
		{"signature.signer", &t.Signature.Signer}, {"signature.date", &t.Signature.Date},
		{"signature.signature", &t.Signature.Signature}, {"signature.stamp", &t.Signature.Stamp},
		{"reference", &t.Reference}, {"digest", &t.Digest}, {"page", &t.Page},
	}
}

// FormCode is what the QR code on every page of a form reads:
// DCCPROV1:REF:PAGE/PAGES:DIGEST. A returned scan is matched by it.
type FormCode struct {
	Ref    string
	Page   int
	Pages  int
	Digest string // [Form.Digest]
}

// formCodePrefix names the format of a [FormCode], so that a later one can
// be told apart.
const formCodePrefix = "DCCPROV1"

// String returns the canonical text of c, which [ParseFormCode] reads.
func (c FormCode) String() string {
	return formCodePrefix + ":" + c.Ref + ":" + strconv.Itoa(c.Page) + "/" + strconv.Itoa(c.Pages) + ":" + c.Digest
}

// formRefSyntax is what [PlanForms] makes of a reference.
var formRefSyntax = regexp.MustCompile(`^F-[0-9A-Za-z]+-[0-9]{8}-[0-9a-f]{6}(-[1-9][0-9]*)?$`)

// formDigestPattern is a [Form.Digest].
var formDigestPattern = regexp.MustCompile(`^[0-9a-f]{12}$`)

// ErrNotFormCode is returned by [ParseFormCode] for a text that is not the
// QR code of a dccprov form.
var ErrNotFormCode = errors.New("not the code of a dccprov form")

// ParseFormCode parses the text of a form's QR code. Anything but a
// canonical code ([FormCode.String]) wraps [ErrNotFormCode].
func ParseFormCode(s string) (FormCode, error) {
	bad := func(why string) (FormCode, error) {
		return FormCode{}, fmt.Errorf("%w: %s", ErrNotFormCode, why)
	}
	parts := strings.Split(s, ":")
	if len(parts) != 4 || parts[0] != formCodePrefix {
		return bad("it does not start with " + formCodePrefix + " or has not four parts")
	}
	c := FormCode{Ref: parts[1], Digest: parts[3]}
	if !formRefSyntax.MatchString(c.Ref) {
		return bad("no form reference")
	}
	if !formDigestPattern.MatchString(c.Digest) {
		return bad("no digest")
	}
	page, pages, ok := strings.Cut(parts[2], "/")
	var err1, err2 error
	c.Page, err1 = strconv.Atoi(page)
	c.Pages, err2 = strconv.Atoi(pages)
	if !ok || err1 != nil || err2 != nil || c.Page < 1 || c.Page > c.Pages || c.Pages > maxFormPages ||
		strconv.Itoa(c.Page) != page || strconv.Itoa(c.Pages) != pages {
		return bad("no page number")
	}
	return c, nil
}

// maxFormPages bounds the pages a code may claim: a form of a whole
// region's staff has a few hundred.
const maxFormPages = 9999

// Fonts of the form, from templates/fonts.
const (
	fontFamily  = "DejaVu"
	fontRegular = "fonts/DejaVuSans.ttf"
	fontBold    = "fonts/DejaVuSans-Bold.ttf"
)

// Page geometry of the form, in millimetres (A4 portrait).
const (
	pageMargin   = 15.0
	headerBottom = 45.0 // where the body starts, under the header and its QR code
	footerHeight = 18.0 // reserved at the bottom for the footer
	lineHeight   = 4.6
	signatureH   = 74.0 // height of the signature block
	refusedBox   = 5.0  // side of a « refusé » box
)

// The QR code of every page, top right: qrSize mm for the modules (some
// 0.8 mm each for a 37-module code, 5 pixels in a 150 dpi scan) with a
// quiet zone of qrQuiet mm around them that nothing else is drawn on.
// Error correction Q (25 %) leaves room for a stamp's edge or a fold.
const (
	qrSize  = 30.0
	qrQuiet = 4.0
	qrTop   = 8.0
)

// Table columns, in millimetres (sum 180): number, birth name, first name,
// profession, national identifier, habilitation, « refusé » box. The last
// three are split in one sub-row per request of the person.
var formColumns = [7]float64{10, 29, 25, 30, 30, 41, 15}

// WriteFormPDF renders f as an A4 PDF on w: logo or establishment name,
// reference and a QR code ([FormCode]) on every page, the authorisation
// text (cfg.FormText, else templates/form-text.yaml), the sender and
// return address, what each habilitation grants, the table of numbered
// requests each with a « refusé » box (its header repeated on each page),
// the signature block, "page x/y" and the digest. The logo is
// <cfg.LogosDir>/<FINESS>.png, .jpg or .jpeg when present. The output
// depends only on f (its Date is the document date), the text, the
// templates and the logo: two renders give the same bytes, so a pending
// form printed again by a later run is the form first printed.
func WriteFormPDF(w io.Writer, f Form, cfg *Config) error {
	text := cfg.FormText
	if text == nil {
		var err error
		if text, err = LoadFormText(cfg.Templates); err != nil {
			return err
		}
	}
	fonts, err := readFonts(cfg.Templates)
	if err != nil {
		return err
	}
	logo, logoName, err := findLogo(cfg.LogosDir, f.Establishment.FINESS)
	if err != nil {
		return err
	}
	r := &formRenderer{f: f, t: text, fonts: fonts, logo: logo, logoName: logoName}
	// The first pass counts the pages for "page x/y" and the QR codes; the
	// layout depends on neither, so the second pass has as many.
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

// pdfFonts are the faces of the PDFs dccprov writes (the forms and the
// readiness sheets), as read from templates/fonts.
type pdfFonts struct {
	regular, bold []byte
}

// readFonts reads the regular and bold faces from fsys.
func readFonts(fsys fs.FS) (pdfFonts, error) {
	regular, err := fs.ReadFile(fsys, fontRegular)
	if err != nil {
		return pdfFonts{}, fmt.Errorf("reading form font: %w", err)
	}
	bold, err := fs.ReadFile(fsys, fontBold)
	if err != nil {
		return pdfFonts{}, fmt.Errorf("reading form font: %w", err)
	}
	return pdfFonts{regular, bold}, nil
}

// newPDF starts an A4 portrait document in mm with the settings every PDF
// of dccprov shares: date as its creation and modification date (never
// the clock: fpdf would use time.Now), a sorted catalogue and compression
// so that two renders give the same bytes, its title and subject, French
// as its language, and fonts under [fontFamily]. Errors are left in the
// document ([fpdf.Fpdf.Error]).
func newPDF(fonts pdfFonts, date time.Time, title, subject string) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.SetTitle(title, true)
	pdf.SetSubject(subject, true)
	pdf.SetCreator("dccprov", true)
	pdf.SetProducer("dccprov", true)
	pdf.SetLang("fr-FR")
	pdf.AddUTF8FontFromBytes(fontFamily, "", fonts.regular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", fonts.bold)
	return pdf
}

type formRenderer struct {
	f        Form
	t        *FormText
	fonts    pdfFonts
	logo     []byte
	logoName string // FINESS.png, .jpg or .jpeg
}

func (r *formRenderer) logoType() string {
	if strings.HasSuffix(r.logoName, ".png") {
		return "PNG"
	}
	return "JPG"
}

// registerLogo registers r's logo, if any, as the image "logo" of pdf.
func (r *formRenderer) registerLogo(pdf *fpdf.Fpdf) error {
	if r.logo == nil {
		return nil
	}
	pdf.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: r.logoType()}, bytes.NewReader(r.logo))
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("logo %s: %w; save it as PNG or JPEG", r.logoName, err)
	}
	return nil
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

// render lays the form out; total is the page count printed in footers
// and QR codes (0 in the counting pass, which draws no QR code).
func (r *formRenderer) render(total int) (*fpdf.Fpdf, error) {
	// The form's own date, not the run's: a pending form printed again by a
	// later run gives the same bytes as its first print.
	date, err := time.Parse(time.DateOnly, r.f.Date)
	if err != nil {
		date = time.Unix(0, 0).UTC()
	}
	pdf := newPDF(r.fonts, date, r.t.Title+" — "+r.f.Ref, r.f.Establishment.Name+" (FINESS "+r.f.Establishment.FINESS+")")
	pdf.SetMargins(pageMargin, headerBottom, pageMargin)
	pdf.SetAutoPageBreak(false, footerHeight)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("preparing form %s: %w", r.f.Ref, err)
	}
	if err := r.registerLogo(pdf); err != nil {
		return nil, err
	}
	pageW, pageH := pdf.GetPageSize()
	bodyW := pageW - 2*pageMargin

	var qrErr error
	pdf.SetHeaderFunc(func() {
		r.header(pdf, bodyW)
		if total > 0 && qrErr == nil {
			qrErr = r.qrCode(pdf, pageW, FormCode{Ref: r.f.Ref, Page: pdf.PageNo(), Pages: total, Digest: r.f.Digest})
		}
	})
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
	pdf.SetFont(fontFamily, "", 9)
	if r.f.Sender != "" {
		r.paragraph(pdf, r.t.Sender+"\u202f: "+r.f.Sender, bodyW, lineHeight)
	}
	if r.f.ReturnAddress != "" {
		pdf.SetFont(fontFamily, "B", 9)
		r.paragraph(pdf, r.t.ReturnAddress+"\u202f: "+r.f.ReturnAddress, bodyW, lineHeight)
	}
	pdf.Ln(3)
	pdf.SetFont(fontFamily, "", 10)
	r.paragraph(pdf, r.fill(r.t.Authorisation), bodyW, 5)
	pdf.Ln(2)
	pdf.SetFont(fontFamily, "", 9)
	r.paragraph(pdf, r.fill(r.t.Instructions), bodyW, lineHeight)
	pdf.Ln(3)

	// What each habilitation grants, before the director reads the lines.
	bottom := pageH - footerHeight
	if len(r.f.Grants) > 0 {
		pdf.SetFont(fontFamily, "B", 9)
		r.paragraph(pdf, r.t.Grants, bodyW, lineHeight+0.4)
		for _, g := range r.f.Grants {
			pdf.SetFont(fontFamily, "", 8.5)
			lines := wrap(pdf, g.Label+"\u202f: "+g.Description, bodyW-4)
			if pdf.GetY()+float64(len(lines))*4.2 > bottom {
				pdf.AddPage()
			}
			for i, line := range lines {
				pdf.SetX(pageMargin)
				bullet := ""
				if i == 0 {
					bullet = "•"
				}
				pdf.CellFormat(4, 4.2, bullet, "", 0, "L", false, 0, "")
				pdf.CellFormat(bodyW-4, 4.2, line, "", 1, "L", false, 0, "")
			}
		}
		pdf.Ln(3)
	}

	// Table of numbered requests, its header repeated on every page it
	// flows over; a person's requests are never split across pages.
	r.tableHeader(pdf)
	n := 0
	for _, l := range r.f.Lines {
		block := r.personBlock(pdf, l, n)
		if pdf.GetY()+block.height > bottom {
			pdf.AddPage()
			r.tableHeader(pdf)
		}
		r.drawPerson(pdf, block)
		n += len(l.Habilitations)
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
	if qrErr != nil {
		return nil, fmt.Errorf("rendering the QR code of form %s: %w", r.f.Ref, qrErr)
	}
	return pdf, nil
}

// qrCode draws the QR code of c at the top right of the page, as vector
// squares (one rectangle per run of dark modules in a row, a hair taller so
// rows never show a seam when rasterised).
func (r *formRenderer) qrCode(pdf *fpdf.Fpdf, pageW float64, c FormCode) error {
	q, err := qrcode.New(c.String(), qrcode.High)
	if err != nil {
		return err
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	m := qrSize / float64(len(bm))
	x0, y0 := pageW-pageMargin-qrSize, qrTop
	pdf.SetFillColor(0, 0, 0)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			end := x
			for end < len(row) && row[end] {
				end++
			}
			pdf.Rect(x0+float64(x)*m, y0+float64(y)*m, float64(end-x)*m+0.02, m+0.02, "F")
			x = end
		}
	}
	return nil
}

// Header geometry, in millimetres: the reference is right-aligned on the
// first line left of the QR code, the logo or the establishment's name
// takes the width left of it, on at most headerNameLines lines, above the
// rule at headerBottom-4.
const (
	headerTop       = 10.0
	headerNameLine  = 5.5
	headerNameLines = 3 // 3 × 5.5 mm fit above the rule
	headerGap       = 4.0
	headerRefFont   = 9.0 // the reference's font size: its longest fits left of the QR code
)

// headerTextW is the width of the header left of the QR code and its quiet
// zone, out of the body width bodyW.
func headerTextW(bodyW float64) float64 { return bodyW - qrSize - qrQuiet }

// headerLayout returns the text of the reference, its width, and the lines
// of the establishment's name in the width left of it, out of the header
// width w: wrapped, at most headerNameLines, the last one cut with "…"
// when the name is longer. It sets the fonts it measures with.
func (r *formRenderer) headerLayout(pdf *fpdf.Fpdf, w float64) (ref string, refW float64, name []string) {
	ref = r.t.Reference + "\u202f: " + r.f.Ref
	pdf.SetFont(fontFamily, "B", headerRefFont)
	refW = min(pdf.GetStringWidth(ref)+2, w*0.6)
	pdf.SetFont(fontFamily, "B", 12)
	nameW := w - refW - headerGap
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
	w := headerTextW(bodyW)
	ref, refW, name := r.headerLayout(pdf, w)
	if r.logo != nil {
		info := pdf.GetImageInfo("logo")
		lw, lh := 45.0, 45.0*info.Height()/info.Width()
		if lh > 18 {
			lw, lh = 18*info.Width()/info.Height(), 18
		}
		pdf.ImageOptions("logo", pageMargin, headerTop, lw, lh, false, fpdf.ImageOptions{ImageType: r.logoType()}, 0, "")
	} else {
		pdf.SetFont(fontFamily, "B", 12)
		for i, line := range name {
			pdf.SetXY(pageMargin, headerTop+float64(i)*headerNameLine)
			pdf.CellFormat(w-refW-headerGap, headerNameLine, line, "", 0, "L", false, 0, "")
		}
	}
	x := pageMargin + w - refW
	pdf.SetFont(fontFamily, "B", headerRefFont)
	pdf.SetXY(x, headerTop)
	pdf.CellFormat(refW, 5, ref, "", 2, "R", false, 0, "")
	if r.f.Establishment.FINESS != "" {
		pdf.SetFont(fontFamily, "", 8)
		pdf.SetX(x)
		pdf.CellFormat(refW, 4, "FINESS "+r.f.Establishment.FINESS, "", 2, "R", false, 0, "")
	}
	pdf.SetDrawColor(120, 120, 120)
	pdf.Line(pageMargin, headerBottom-4, pageMargin+w, headerBottom-4)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetXY(pageMargin, headerBottom)
}

func (r *formRenderer) footer(pdf *fpdf.Fpdf, pageH, bodyW float64, total int) {
	y := pageH - footerHeight + 4
	pdf.SetDrawColor(120, 120, 120)
	pdf.Line(pageMargin, y-2, pageMargin+bodyW, y-2)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetFont(fontFamily, "", 8)
	pdf.SetXY(pageMargin, y)
	pdf.CellFormat(bodyW*0.75, 4, r.t.Reference+"\u202f: "+r.f.Ref+" — "+r.t.Digest+"\u202f: "+r.f.Digest, "", 0, "L", false, 0, "")
	page := strings.NewReplacer("{page}", strconv.Itoa(pdf.PageNo()), "{pages}", strconv.Itoa(total)).Replace(r.t.Page)
	pdf.CellFormat(bodyW*0.25, 4, page, "", 0, "R", false, 0, "")
	// Pages get separated: each says where it goes back.
	var who []string
	if r.f.Sender != "" {
		who = append(who, r.t.Sender+"\u202f: "+r.f.Sender)
	}
	if r.f.ReturnAddress != "" {
		who = append(who, r.t.ReturnAddress+"\u202f: "+r.f.ReturnAddress)
	}
	if len(who) > 0 {
		pdf.SetFont(fontFamily, "", 7.5)
		pdf.SetXY(pageMargin, y+4)
		pdf.CellFormat(bodyW, 4, fitText(pdf, strings.Join(who, " — "), bodyW), "", 0, "L", false, 0, "")
	}
}

// fitText returns s, cut with "…" to fit width w in the current font.
func fitText(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && pdf.GetStringWidth(string(rs)+"…") > w {
		rs = rs[:len(rs)-1]
	}
	return strings.TrimRight(string(rs), " ") + "…"
}

func (r *formRenderer) tableHeader(pdf *fpdf.Fpdf) {
	pdf.SetFont(fontFamily, "B", 8.5)
	pdf.SetFillColor(225, 225, 225)
	c := r.t.Columns
	texts := [7]string{c.Number, c.BirthName, c.FirstName, c.Profession, c.NationalID, c.Habilitations, c.Refused}
	var cells [7][]string
	n := 1
	for i, v := range texts {
		cells[i] = wrap(pdf, v, formColumns[i]-2)
		n = max(n, len(cells[i]))
	}
	h := float64(n)*lineHeight + 2
	x, y := pageMargin, pdf.GetY()
	for i, lines := range cells {
		pdf.Rect(x, y, formColumns[i], h, "FD")
		drawLines(pdf, x, y, formColumns[i], lines)
		x += formColumns[i]
	}
	pdf.SetXY(pageMargin, y+h)
	pdf.SetFont(fontFamily, "", 9)
}

// personRows is the layout of one person of the table: their cells, and
// one sub-row per request (number, habilitation, box).
type personRows struct {
	person [4][]string // birth name, first name, profession, identifier
	rows   []requestRow
	height float64
}

type requestRow struct {
	number string
	label  []string
	height float64
}

// personBlock lays out the person l, whose first request is number after
// n. The sub-rows share the person's height; the last one takes what the
// person's cells need beyond them.
func (r *formRenderer) personBlock(pdf *fpdf.Fpdf, l FormLine, n int) personRows {
	pdf.SetFont(fontFamily, "", 9)
	var b personRows
	need := 1
	for i, v := range [4]string{l.BirthName, l.FirstName, l.Profession, l.NationalID} {
		b.person[i] = wrap(pdf, v, formColumns[i+1]-2)
		need = max(need, len(b.person[i]))
	}
	personH := float64(need)*lineHeight + 2
	for k, h := range l.Habilitations {
		label := wrap(pdf, h.Label, formColumns[5]-2)
		rh := max(float64(len(label))*lineHeight+2, refusedBox+3)
		b.rows = append(b.rows, requestRow{number: strconv.Itoa(n + k + 1), label: label, height: rh})
		b.height += rh
	}
	if personH > b.height && len(b.rows) > 0 {
		b.rows[len(b.rows)-1].height += personH - b.height
		b.height = personH
	}
	return b
}

// drawPerson draws b at the cursor and puts the cursor under it.
func (r *formRenderer) drawPerson(pdf *fpdf.Fpdf, b personRows) {
	pdf.SetFont(fontFamily, "", 9)
	y := pdf.GetY()
	x := pageMargin + formColumns[0]
	for i, lines := range b.person {
		pdf.Rect(x, y, formColumns[i+1], b.height, "D")
		drawLines(pdf, x, y, formColumns[i+1], lines)
		x += formColumns[i+1]
	}
	ry := y
	for _, row := range b.rows {
		pdf.Rect(pageMargin, ry, formColumns[0], row.height, "D")
		pdf.SetFont(fontFamily, "B", 9)
		pdf.SetXY(pageMargin, ry+1)
		pdf.CellFormat(formColumns[0], lineHeight, row.number, "", 0, "C", false, 0, "")
		pdf.SetFont(fontFamily, "", 9)
		hx := pageMargin + formColumns[0] + formColumns[1] + formColumns[2] + formColumns[3] + formColumns[4]
		pdf.Rect(hx, ry, formColumns[5], row.height, "D")
		drawLines(pdf, hx, ry, formColumns[5], row.label)
		bx := hx + formColumns[5]
		pdf.Rect(bx, ry, formColumns[6], row.height, "D")
		pdf.SetLineWidth(0.35)
		pdf.Rect(bx+(formColumns[6]-refusedBox)/2, ry+1.5, refusedBox, refusedBox, "D")
		pdf.SetLineWidth(0.2)
		ry += row.height
	}
	pdf.SetXY(pageMargin, y+b.height)
}

// drawLines writes lines in the cell at x, y of width w, one per
// lineHeight, inside a 1 mm padding.
func drawLines(pdf *fpdf.Fpdf, x, y, w float64, lines []string) {
	for k, line := range lines {
		pdf.SetXY(x+1, y+1+float64(k)*lineHeight)
		pdf.CellFormat(w-2, lineHeight, line, "", 0, "L", false, 0, "")
	}
}

func (r *formRenderer) signature(pdf *fpdf.Fpdf, bodyW float64) {
	s := r.t.Signature
	pdf.SetFont(fontFamily, "B", 11)
	r.paragraph(pdf, s.Heading, bodyW, 6)
	pdf.SetFont(fontFamily, "B", 9)
	r.paragraph(pdf, s.Granted, bodyW, lineHeight)
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
