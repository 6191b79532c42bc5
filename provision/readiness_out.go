package provision

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Part B of issue 14: the readiness of each establishment of the list,
// computed from its checklist ([Summary.Checklists]) and the counters the
// stream keeps ([ReadinessCounts]), and written to report.json,
// summary.html and DIR/readiness/FINESS.pdf.

// readinessTally is what the stream keeps per establishment: its name and
// its counters, no row.
type readinessTally struct {
	est      Establishment
	counts   ReadinessCounts
	accepted bool // an accepted row names it: an establishment of the list
}

// observe counts one checked person of the list for its establishment.
func (s *Summary) observe(p *Person, ps []Problem) {
	if p == nil {
		return
	}
	// Rejected rows count too (an SMS user without a mobile is rejected,
	// and is precisely the gap the referent must fill), but only an
	// accepted row makes an establishment: a mistyped FINESS does not.
	if s.tally == nil {
		s.tally = map[string]*readinessTally{}
	}
	k := p.Establishment.Key()
	t := s.tally[k]
	if t == nil {
		t = &readinessTally{est: p.Establishment}
		s.tally[k] = t
	}
	if t.est.Name == "" {
		t.est.Name = p.Establishment.Name
	}
	if p.Status == StatusAccepted {
		t.accepted = true
	}
	t.counts.Observe(p, ps)
}

// Readiness status of a pending form in [PendingForm.Status].
const (
	pendingNew     = "à signer"   // made by this run
	pendingWaiting = "en attente" // made by an earlier run, not returned yet
)

// evaluateReadiness sets s.Establishments: one [Readiness] per
// establishment the stream observed with at least one accepted row, sorted by FINESS (then by key for
// those known by name only), from its checklist (zero when the list has
// none), its counters, its logo in cfg.LogosDir and, for a run, its
// signature forms: forms made by the run and forms still pending (nil for
// check, which has no store).
func (s *Summary) evaluateReadiness(cfg *Config, forms, pending []Form) error {
	keys := make([]string, 0, len(s.tally))
	for k, t := range s.tally {
		if t.accepted {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(strings.Compare(s.tally[a].est.FINESS, s.tally[b].est.FINESS), strings.Compare(a, b))
	})
	byEst := map[string][]PendingForm{} // the forms of each establishment, by key
	for _, f := range forms {
		byEst[f.Establishment.Key()] = append(byEst[f.Establishment.Key()], PendingForm{REF: f.Ref, Status: pendingNew, Requests: f.Requests})
	}
	for _, f := range pending {
		k := f.Establishment.Key()
		if !slices.ContainsFunc(byEst[k], func(g PendingForm) bool { return g.REF == f.Ref }) {
			byEst[k] = append(byEst[k], PendingForm{REF: f.Ref, Status: pendingWaiting, Requests: f.Requests})
		}
	}
	out := make([]Readiness, 0, len(keys))
	for _, k := range keys {
		t := s.tally[k]
		n := t.counts
		logo, _, err := findLogo(cfg.LogosDir, t.est.FINESS)
		if err != nil {
			return err
		}
		n.Logo = logo != nil
		n.Pending = byEst[k]
		slices.SortFunc(n.Pending, func(a, b PendingForm) int { return strings.Compare(a.REF, b.REF) })
		c := s.Checklists[t.est.FINESS] // readChecklists keeps no row without FINESS
		c.FINESS = cmp.Or(c.FINESS, t.est.FINESS)
		c.Name = cmp.Or(c.Name, t.est.Name)
		out = append(out, EvaluateReadiness(c, n))
	}
	s.Establishments = out
	return nil
}

// readinessStatusText is the French of a status, for the referent.
func readinessStatusText(s ReadinessStatus) string {
	switch s {
	case Ready:
		return "prêt"
	case ToConfirm:
		return "à confirmer"
	case Blocking:
		return "bloquant"
	}
	return string(s)
}

// readinessFile is the name of an establishment's readiness PDF in DIR.
func readinessFile(r Readiness) string {
	name := r.FINESS
	if name == "" || strings.ContainsFunc(name, func(c rune) bool {
		return !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z')
	}) {
		h := sha256.Sum256([]byte(r.FINESS + "|" + r.Name))
		name = "SANSFINESS-" + hex.EncodeToString(h[:3])
	}
	return "readiness/" + name + ".pdf"
}

// WriteReadinessPDF renders the readiness of one establishment as an A4
// PDF on w, in the fonts and page style of the signature forms: title,
// establishment (its logo when present), status, each item with its state
// and what is missing, what dccprov inferred from the list, and the
// signature forms pending. The output depends only on r, cfg.Date, the
// templates and the logo.
func WriteReadinessPDF(w io.Writer, r Readiness, cfg *Config) error {
	fonts, err := readFonts(cfg.Templates)
	if err != nil {
		return err
	}
	logo, logoName, err := findLogo(cfg.LogosDir, r.FINESS)
	if err != nil {
		return err
	}
	fr := &formRenderer{logo: logo, logoName: logoName}
	date := cfg.Date
	if date.IsZero() {
		date = time.Unix(0, 0).UTC()
	}
	pdf := newPDF(fonts, date, "Préparation au déploiement — "+r.Name, r.Name+" (FINESS "+r.FINESS+")")
	pdf.SetMargins(pageMargin, pageMargin, pageMargin)
	pdf.SetAutoPageBreak(true, footerHeight)
	if err := fr.registerLogo(pdf); err != nil {
		return err
	}
	pageW, pageH := pdf.GetPageSize()
	bodyW := pageW - 2*pageMargin
	// light draws the traffic light of a status, centred on x, y: the
	// colours of summary.html.
	light := func(st ReadinessStatus, x, y float64) {
		switch st {
		case Ready:
			pdf.SetFillColor(0x1e, 0x7d, 0x32)
		case ToConfirm:
			pdf.SetFillColor(0xb2, 0x6a, 0x00)
		default:
			pdf.SetFillColor(0xc0, 0x39, 0x2b)
		}
		pdf.Circle(x, y, 1.3, "F")
		pdf.SetFillColor(0, 0, 0)
	}
	pdf.SetFooterFunc(func() {
		y := pageH - footerHeight + 4
		pdf.SetDrawColor(120, 120, 120)
		pdf.Line(pageMargin, y-2, pageMargin+bodyW, y-2)
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetFont(fontFamily, "", 8)
		pdf.SetXY(pageMargin, y)
		pdf.CellFormat(bodyW*0.75, 4, fitText(pdf, "Préparation au déploiement — FINESS "+r.FINESS, bodyW*0.75), "", 0, "L", false, 0, "")
		pdf.CellFormat(bodyW*0.25, 4, "page "+strconv.Itoa(pdf.PageNo())+"/{nb}", "", 0, "R", false, 0, "")
	})
	pdf.AliasNbPages("{nb}")
	pdf.AddPage()
	if logo != nil {
		info := pdf.GetImageInfo("logo")
		lw, lh := 45.0, 45.0*info.Height()/info.Width()
		if lh > 18 {
			lw, lh = 18*info.Width()/info.Height(), 18
		}
		pdf.ImageOptions("logo", pageMargin, pageMargin, lw, lh, false, fpdf.ImageOptions{ImageType: fr.logoType()}, 0, "")
		pdf.SetXY(pageMargin, pageMargin+lh+4)
	}
	pdf.SetFont(fontFamily, "B", 14)
	fr.paragraph(pdf, "Préparation au déploiement", bodyW, 6.5)
	pdf.SetFont(fontFamily, "", 9)
	fr.paragraph(pdf, "État au "+frenchDate(date), bodyW, lineHeight)
	pdf.Ln(3)
	pdf.SetFont(fontFamily, "B", 11)
	fr.paragraph(pdf, r.Name, bodyW, 5.5)
	pdf.SetFont(fontFamily, "", 10)
	if r.FINESS != "" {
		fr.paragraph(pdf, "FINESS "+r.FINESS, bodyW, 5)
	}
	pdf.Ln(2)
	pdf.SetFont(fontFamily, "B", 12)
	fr.paragraph(pdf, "Statut\u202f: "+readinessStatusText(r.Status), bodyW, 6)
	light(r.Status, pageMargin+pdf.GetStringWidth("Statut\u202f: "+readinessStatusText(r.Status))+4, pdf.GetY()-3)
	pdf.Ln(3)

	section := func(title string) {
		pdf.Ln(2)
		pdf.SetFont(fontFamily, "B", 10)
		fr.paragraph(pdf, title, bodyW, 5.5)
		pdf.SetDrawColor(120, 120, 120)
		pdf.Line(pageMargin, pdf.GetY(), pageMargin+bodyW, pdf.GetY())
		pdf.SetDrawColor(0, 0, 0)
		pdf.Ln(1)
	}
	const stateW = 28.0
	section("Prérequis")
	for _, it := range r.Items {
		pdf.SetFont(fontFamily, "B", 9)
		if pdf.GetY()+2*(lineHeight+0.4) > pageH-footerHeight {
			pdf.AddPage() // an item's light and label stay together
		}
		light(it.Status, pageMargin+1.5, pdf.GetY()+(lineHeight+0.4)/2)
		pdf.SetX(pageMargin + 4)
		pdf.CellFormat(stateW-4, lineHeight+0.4, readinessStatusText(it.Status), "", 0, "L", false, 0, "")
		pdf.SetFont(fontFamily, "", 9)
		text := it.Label
		if it.Note != "" {
			text += "\n" + it.Note
		}
		for i, line := range wrap(pdf, text, bodyW-stateW) {
			if i > 0 {
				pdf.SetX(pageMargin + stateW)
			}
			pdf.CellFormat(bodyW-stateW, lineHeight+0.4, line, "", 1, "L", false, 0, "")
		}
	}
	n := r.Counts
	section("Ce que dccprov déduit de la liste")
	pdf.SetFont(fontFamily, "", 9)
	modes := make([]string, 0, len(n.ByMode))
	for m := range n.ByMode {
		modes = append(modes, m)
	}
	slices.Sort(modes)
	var lines []string
	for _, m := range modes {
		lines = append(lines, fmt.Sprintf("Mode de connexion %s\u202f: %d personne(s)", cmp.Or(m, "non renseigné"), n.ByMode[m]))
	}
	lines = append(lines,
		fmt.Sprintf("Utilisateurs CPS/CPE (postes avec lecteur de carte)\u202f: %d", n.CardUsers),
		fmt.Sprintf("Utilisateurs SMS\u202f: %d, dont %d sans numéro de mobile", n.SMSUsers, n.SMSNoMobile),
		fmt.Sprintf("Utilisateurs Mail\u202f: %d, dont %d adresse(s) générique(s) ou personnelle(s)", n.MailUsers, n.MailGenericOrPersonal),
	)
	if n.Logo {
		lines = append(lines, "Logo\u202f: présent")
	} else {
		lines = append(lines, "Logo\u202f: absent")
	}
	for _, l := range lines {
		fr.paragraph(pdf, "• "+l, bodyW, lineHeight+0.4)
	}
	section("Habilitations en attente de signature")
	pdf.SetFont(fontFamily, "", 9)
	if len(n.Pending) == 0 {
		fr.paragraph(pdf, "Aucune.", bodyW, lineHeight+0.4)
	}
	for _, f := range n.Pending {
		fr.paragraph(pdf, fmt.Sprintf("• %s — %s — %d demande(s)", f.REF, f.Status, f.Requests), bodyW, lineHeight+0.4)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("rendering readiness %s: %w", r.FINESS, err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("writing readiness %s: %w", r.FINESS, err)
	}
	return nil
}
