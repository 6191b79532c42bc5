package provision

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// summaryEstablishment is one line of the per-establishment table and one
// group of bars of its chart. People are counted once: a row repeating an
// earlier one exactly ([Person.DuplicateOf]) counts in Duplicates only, as
// accounts.csv and the forms take it once.
type summaryEstablishment struct {
	Key, FINESS, Name                    string
	Accepted, Rejected                   int // people
	Duplicates                           int // exact repeats of an earlier row
	Pending                              int // requests awaiting a signature
	Y                                    int // top of the group in the chart
	AcceptedBar, RejectedBar, PendingBar summaryBar
}

// summaryBar is one bar of a chart, its geometry worked out in advance so
// the template only prints numbers.
type summaryBar struct {
	Y, Width, TextX int
	Value           int
}

// summaryCode is one bar of the per-code chart.
type summaryCode struct {
	Code     Code
	Title    string
	Severity string // erreur, avertissement, information
	Class    string // sev-error, sev-warning, sev-info
	Count    int
	Y        int
	Bar      summaryBar
}

// summaryForm is a signature form of the run: a new one, or one of an
// earlier run still awaiting signature and printed again.
type summaryForm struct {
	Ref, FINESS, Name string
	Date              string // issue date, in French
	Requests          int
	New               bool
}

// summaryRefusal is a habilitation request the director refused.
type summaryRefusal struct {
	UID, FINESS, Establishment, Code, Label, Form string
	// Line, Date (French) and Reason are the director's refusal, when the
	// store recorded it ([Request.Refusal]).
	Line         int
	Date, Reason string
}

type summaryPage struct {
	Report   Report
	Run      bool // a run: date, operator, forms and absent people are known
	Date     string
	Operator string
	// Accounts counts the accepted people once (accounts.csv); Duplicates
	// the exact repeats, whatever their status; Pending the requests
	// awaiting a signature (habilitations.csv).
	Accounts, Duplicates, Pending int
	Establishments                []summaryEstablishment
	EstHeight                     int
	Forms                         []summaryForm
	Refused                       []summaryRefusal
	Absent                        []Absence
	Codes                         []summaryCode
	CodeHeight                    int
	Severities                    map[string]bool // error, warning, info: those of Codes, for the legend
	EstBarX, CodeBarX             int
	// Readiness is the readiness of each establishment (issue 14), from
	// the report, sorted by FINESS.
	Readiness []Readiness
}

// Geometry of the inline SVG bar charts, in user units of their 760-wide
// viewBox; the template draws bars from summaryEstBarX and summaryCodeBarX.
const (
	summaryWidth      = 760
	summaryEstBarX    = 130 // where establishment bars start
	summaryEstBarMax  = 540
	summaryEstPitch   = 84 // height of one establishment's group
	summaryCodeBarX   = 250
	summaryCodeBarMax = 440
	summaryCodePitch  = 24
)

// WriteSummaryHTML writes summary.html: one self-contained French page
// (inline CSS and SVG, no script, nothing fetched) with the counts of the
// list, a table and a chart per establishment (people accepted and
// rejected, requests awaiting a signature), the refused habilitations and
// a chart of the problems per code. people is the run's people (r.People
// when nil), for their establishments and requests. [Run] writes the same
// page with what only a run knows: its date and operator, its forms and
// the people the list no longer names.
//
// The page names people by uid only (refused habilitations, absent
// people): no name, email, phone or identifier.
func WriteSummaryHTML(w io.Writer, r Report, people []Person) error {
	return writeSummaryHTML(w, r, nil, people, nil, nil)
}

// writeSummaryHTML is [WriteSummaryHTML] with the problems counted per
// code already (nil: counted from r.Problems), for a run that streamed
// them, and, when b is not nil, what the run did (b.People is not read:
// people is).
func writeSummaryHTML(w io.Writer, r Report, perCode map[Code]int, people []Person, b *Batch, cfg *Config) error {
	if people == nil {
		people = r.People
	}
	page := summaryPage{Report: r, EstBarX: summaryEstBarX, CodeBarX: summaryCodeBarX, Readiness: r.Establishments}
	if b != nil && cfg != nil {
		page.Run = true
		page.Date = frenchDate(cfg.Date)
		page.Operator = cfg.Operator
	}

	ests := map[string]*summaryEstablishment{}
	for _, p := range people {
		key := p.Establishment.Key()
		e, ok := ests[key]
		if !ok {
			e = &summaryEstablishment{Key: key, FINESS: p.Establishment.FINESS}
			ests[key] = e
		}
		e.Name = cmp.Or(e.Name, p.Establishment.Name)
		switch {
		case p.DuplicateOf != 0:
			e.Duplicates++
			page.Duplicates++
		case p.Status == StatusAccepted:
			e.Accepted++
			page.Accounts++
			for _, req := range p.Habilitations {
				switch requestStatus(req) {
				case RequestPendingSignature:
					e.Pending++
					page.Pending++
				case RequestRejected:
					sr := summaryRefusal{UID: p.UID, FINESS: p.Establishment.FINESS,
						Establishment: p.Establishment.Name, Code: req.Code, Label: req.Label, Form: req.Form}
					if f := req.Refusal; f != nil {
						sr.Line, sr.Reason = f.Line, f.Reason
						if d, err := time.Parse(time.DateOnly, f.Date); err == nil {
							sr.Date = frenchDate(d)
						}
					}
					page.Refused = append(page.Refused, sr)
				}
			}
		case p.Status == StatusRejected:
			e.Rejected++
		}
	}
	slices.SortFunc(page.Refused, func(a, b summaryRefusal) int {
		return cmp.Or(strings.Compare(a.FINESS, b.FINESS), strings.Compare(a.Establishment, b.Establishment),
			strings.Compare(a.UID, b.UID), strings.Compare(a.Code, b.Code))
	})
	most := 1
	for _, e := range ests {
		most = max(most, e.Accepted, e.Rejected, e.Pending)
	}
	bar := func(y, v int) summaryBar {
		w := v * summaryEstBarMax / most
		if v > 0 {
			w = max(w, 2) // a count of one among thousands is still seen
		}
		return summaryBar{Y: y, Width: w, TextX: summaryEstBarX + w + 6, Value: v}
	}
	for i, key := range slices.Sorted(maps.Keys(ests)) {
		e := *ests[key]
		e.Y = i * summaryEstPitch
		e.AcceptedBar = bar(e.Y+22, e.Accepted)
		e.RejectedBar = bar(e.Y+40, e.Rejected)
		e.PendingBar = bar(e.Y+58, e.Pending)
		page.Establishments = append(page.Establishments, e)
	}
	page.EstHeight = len(page.Establishments)*summaryEstPitch - 6

	if b != nil {
		for _, f := range b.Forms {
			page.Forms = append(page.Forms, newSummaryForm(f, true))
		}
		for _, f := range b.Pending {
			page.Forms = append(page.Forms, newSummaryForm(f, false))
		}
		slices.SortStableFunc(page.Forms, func(a, b summaryForm) int { return strings.Compare(a.Ref, b.Ref) })
		page.Absent = slices.Clone(b.Absent)
		slices.SortStableFunc(page.Absent, func(a, b Absence) int {
			return cmp.Or(strings.Compare(a.FINESS, b.FINESS), strings.Compare(a.Establishment, b.Establishment),
				strings.Compare(a.UID, b.UID))
		})
	}

	if perCode == nil {
		perCode = map[Code]int{}
		for _, p := range r.Problems {
			perCode[p.Code]++
		}
	}
	// Errors first, then warnings, then information; the most frequent
	// first within each.
	codes := slices.Sorted(maps.Keys(perCode))
	slices.SortStableFunc(codes, func(a, b Code) int {
		return cmp.Or(cmp.Compare(Codes[a].Severity.Rank(), Codes[b].Severity.Rank()),
			perCode[b]-perCode[a])
	})
	mostCode := 1
	for _, n := range perCode {
		mostCode = max(mostCode, n)
	}
	page.Severities = map[string]bool{}
	for i, code := range codes {
		info := Codes[code]
		n := perCode[code]
		c := summaryCode{Code: code, Title: info.Title, Count: n, Y: i * summaryCodePitch,
			Severity: info.Severity.Label()}
		switch info.Severity {
		case SeverityError:
			c.Class = "sev-error"
		case SeverityWarning:
			c.Class = "sev-warning"
		default:
			c.Class = "sev-info"
		}
		page.Severities[strings.TrimPrefix(c.Class, "sev-")] = true
		w := max(n*summaryCodeBarMax/mostCode, 2)
		c.Bar = summaryBar{Y: c.Y, Width: w, TextX: summaryCodeBarX + w + 6, Value: n}
		page.Codes = append(page.Codes, c)
	}
	page.CodeHeight = len(page.Codes)*summaryCodePitch - 4

	if err := summaryTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("writing summary.html: %w", err)
	}
	return nil
}

func newSummaryForm(f Form, isNew bool) summaryForm {
	date := f.Date
	if t, err := time.Parse(time.DateOnly, f.Date); err == nil {
		date = frenchDate(t)
	}
	return summaryForm{Ref: f.Ref, FINESS: f.Establishment.FINESS, Name: f.Establishment.Name,
		Date: date, Requests: f.Requests, New: isNew}
}

// frenchMonths are the month names of [frenchDate].
var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin",
	"juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate writes t as French typography does: "1er mars 2026",
// "15 janvier 2026".
func frenchDate(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// frenchInt writes n with its digits grouped by three, separated by a
// narrow no-break space (U+202F) as French typography does: 1 234 567.
func frenchInt(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// summaryTemplate is the page; it is never written after parsing. The
// data-* attributes name what a count is, for tests that read the page
// as a browser renders it.
var summaryTemplate = template.Must(template.New("summary").Funcs(template.FuncMap{"n": frenchInt, "readiness": readinessStatusText}).Parse(`<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dccprov — synthèse du lot {{.Report.Input.File}}</title>
<style>
:root{--ok:#1e7d32;--ko:#c0392b;--wait:#2f6fb3;--warn:#b26a00;--info:#6b7280;--line:#d9dde3}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;margin:2em auto;max-width:62em;padding:0 1.2em;color:#1f2328;line-height:1.4;font-variant-numeric:tabular-nums}
h1{font-size:1.6em;margin:0 0 .3em}h2{font-size:1.2em;margin:2em 0 .6em;padding-bottom:.2em;border-bottom:2px solid var(--line)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:0 0 1.2em;font-size:.95em}
dl.meta dt{color:#57606a}dl.meta dd{margin:0}.digest{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85em;word-break:break-all}
table{border-collapse:collapse;margin:.6em 0 1em;width:100%;font-size:.95em}
th,td{padding:.35em .7em;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.n,th.n{text-align:right;white-space:nowrap}
code,.ref{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}.ref,.date{white-space:nowrap}
.cards{display:flex;gap:.8em;flex-wrap:wrap;margin:.6em 0}
.card{flex:1 1 9em;border:1px solid var(--line);border-left:4px solid var(--info);border-radius:4px;padding:.6em .9em}
.card b{display:block;font-size:1.8em;line-height:1.2}.card small{display:block;color:#57606a}
.card.ok{border-left-color:var(--ok)}.card.ko{border-left-color:var(--ko)}.card.wait{border-left-color:var(--wait)}.card.warn{border-left-color:var(--warn)}
.tag{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.85em;border:1px solid currentColor}
.tag.new{color:var(--wait)}.tag.again{color:var(--warn)}
.legend{display:flex;gap:1.2em;font-size:.9em;margin:.3em 0}.legend span::before{content:"";display:inline-block;width:.9em;height:.9em;margin-right:.35em;vertical-align:-.1em;background:var(--c)}
svg{display:block;width:100%;height:auto;max-width:760px}svg text{font-size:12px;font-family:inherit;fill:#1f2328}
svg .name{font-weight:600}svg .ok{fill:var(--ok)}svg .ko{fill:var(--ko)}svg .wait{fill:var(--wait)}
svg .sev-error{fill:var(--ko)}svg .sev-warning{fill:var(--warn)}svg .sev-info{fill:var(--info)}svg .axis{fill:#57606a}
.light{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.4em;vertical-align:-.05em;background:var(--c)}
.light.ready{--c:var(--ok)}.light.to-confirm{--c:var(--warn)}.light.blocking{--c:var(--ko)}
ul.items{list-style:none;margin:0;padding:0}ul.items li{margin:.1em 0}ul.items .note{color:#57606a;font-size:.9em}
.muted{color:#57606a;font-size:.9em}.none{color:#57606a;font-style:italic}
footer{margin-top:2.5em;color:#57606a;font-size:.85em;border-top:1px solid var(--line);padding-top:.5em}
@page{size:A4;margin:14mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:10.5pt}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
h2{break-after:avoid}tr,.card,svg,dl.meta{break-inside:avoid}.cards{gap:.5em}}
</style>
</head>
<body>
<h1>Synthèse du lot</h1>
<dl class="meta">
{{if .Run}}<dt>Date du lot</dt><dd data-k="date">{{.Date}}</dd>
<dt>Opérateur</dt><dd>{{or .Operator "(non renseigné)"}}</dd>
{{end}}<dt>Fichier</dt><dd>{{.Report.Input.File}}{{with .Report.Input.Sheet}}, feuille « {{.}} »{{end}}, en-tête ligne {{.Report.Input.HeaderRow}}</dd>
{{with .Report.Input.SHA256}}<dt>Empreinte SHA-256</dt><dd class="digest">{{.}}</dd>
{{end}}</dl>

<div class="cards">
<div class="card"><span>Lignes lues</span><b data-count="read">{{n .Report.Rows.Read}}</b></div>
<div class="card ok"><span>Personnes acceptées</span><b data-count="accepted">{{n .Accounts}}</b>{{if .Duplicates}}<small>doublons exacts pris une fois : {{n .Duplicates}}</small>{{end}}</div>
<div class="card ko"><span>Lignes rejetées</span><b data-count="rejected">{{n .Report.Rows.Rejected}}</b></div>
<div class="card warn"><span>Acceptées avec avertissements</span><b data-count="with_warnings">{{n .Report.Rows.WithWarnings}}</b></div>
<div class="card wait"><span>Habilitations en attente de signature</span><b data-count="pending">{{n .Pending}}</b></div>
</div>

<h2>Par établissement</h2>
{{if .Establishments}}<table>
<thead><tr><th>FINESS</th><th>Établissement</th><th class="n">Acceptées</th><th class="n">Rejetées</th>{{if .Duplicates}}<th class="n">Doublons exacts</th>{{end}}<th class="n">En attente de signature</th></tr></thead>
<tbody>
{{range .Establishments}}<tr data-est="{{.Key}}"><td>{{or .FINESS "—"}}</td><td>{{or .Name "(non renseigné)"}}</td><td class="n" data-count="accepted">{{n .Accepted}}</td><td class="n" data-count="rejected">{{n .Rejected}}</td>{{if $.Duplicates}}<td class="n" data-count="duplicates">{{n .Duplicates}}</td>{{end}}<td class="n" data-count="pending">{{n .Pending}}</td></tr>
{{end}}</tbody>
</table>
<div class="legend"><span style="--c:var(--ok)">personnes acceptées</span><span style="--c:var(--ko)">lignes rejetées</span><span style="--c:var(--wait)">habilitations en attente de signature</span></div>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 {{.EstHeight}}" width="760" height="{{.EstHeight}}" role="img" aria-label="Personnes acceptées, lignes rejetées et habilitations en attente de signature par établissement">
{{range .Establishments}}<g data-est="{{.Key}}">
<text class="name" x="0" y="{{.Y}}" dy="13">{{or .Name "(non renseigné)"}}{{with .FINESS}} — {{.}}{{end}}</text>
<text class="axis" x="0" y="{{.AcceptedBar.Y}}" dy="11">acceptées</text><rect class="ok" x="{{$.EstBarX}}" y="{{.AcceptedBar.Y}}" width="{{.AcceptedBar.Width}}" height="14"/><text x="{{.AcceptedBar.TextX}}" y="{{.AcceptedBar.Y}}" dy="11" data-count="accepted">{{n .AcceptedBar.Value}}</text>
<text class="axis" x="0" y="{{.RejectedBar.Y}}" dy="11">rejetées</text><rect class="ko" x="{{$.EstBarX}}" y="{{.RejectedBar.Y}}" width="{{.RejectedBar.Width}}" height="14"/><text x="{{.RejectedBar.TextX}}" y="{{.RejectedBar.Y}}" dy="11" data-count="rejected">{{n .RejectedBar.Value}}</text>
<text class="axis" x="0" y="{{.PendingBar.Y}}" dy="11">à signer</text><rect class="wait" x="{{$.EstBarX}}" y="{{.PendingBar.Y}}" width="{{.PendingBar.Width}}" height="14"/><text x="{{.PendingBar.TextX}}" y="{{.PendingBar.Y}}" dy="11" data-count="pending">{{n .PendingBar.Value}}</text>
</g>
{{end}}</svg>
{{else}}<p class="none">Aucune ligne.</p>{{end}}
<h2>Préparation des établissements</h2>
{{if .Readiness}}<div class="legend"><span style="--c:var(--ok)">prêt</span><span style="--c:var(--warn)">à confirmer</span><span style="--c:var(--ko)">bloquant</span></div>
<table data-table="readiness">
<thead><tr><th>FINESS</th><th>Établissement</th><th>Statut</th><th>Prérequis</th></tr></thead>
<tbody>
{{range .Readiness}}<tr data-readiness="{{.FINESS}}" data-status="{{.Status}}"><td>{{or .FINESS "—"}}</td><td>{{or .Name "(non renseigné)"}}</td><td class="date"><span class="light {{.Status}}"></span>{{readiness .Status}}</td><td><ul class="items">
{{range .Items}}<li data-item="{{.Key}}" data-status="{{.Status}}"><span class="light {{.Status}}" title="{{readiness .Status}}"></span>{{.Label}}{{with .Note}} <span class="note">— {{.}}</span>{{end}}</li>
{{end}}</ul></td></tr>
{{end}}</tbody>
</table>
<p class="muted">Chaque établissement a sa fiche dans <code>readiness/FINESS.pdf</code>{{if not .Run}} (écrite par <code>dccprov run</code>){{end}}.</p>
{{else}}<p class="none">Aucun établissement.</p>{{end}}
{{if .Run}}
<h2>Formulaires de signature</h2>
{{if .Forms}}<table>
<thead><tr><th>Référence</th><th>Établissement</th><th>Émis le</th><th class="n">Demandes</th><th>Statut</th></tr></thead>
<tbody>
{{range .Forms}}<tr data-form="{{.Ref}}"><td class="ref">{{.Ref}}</td><td>{{or .Name "(non renseigné)"}}{{with .FINESS}} ({{.}}){{end}}</td><td class="date">{{.Date}}</td><td class="n" data-count="requests">{{n .Requests}}</td><td>en attente de signature {{if .New}}<span class="tag new">nouveau</span>{{else}}<span class="tag again">réimprimé</span>{{end}}</td></tr>
{{end}}</tbody>
</table>
<p class="muted">Chaque formulaire est dans <code>forms/REF.pdf</code> ; une fois signé : <code>dccprov forms sign REF --signer NOM</code>.</p>
{{else}}<p class="none">Aucun formulaire en attente de signature.</p>{{end}}
{{end}}
<h2>Habilitations refusées</h2>
{{if .Refused}}<table>
<thead><tr><th>Identifiant</th><th>Établissement</th><th>Habilitation</th><th>Formulaire</th><th class="n">Ligne</th><th>Décision du</th><th>Motif</th></tr></thead>
<tbody>
{{range .Refused}}<tr data-refused="{{.UID}}"><td>{{.UID}}</td><td>{{or .Establishment "(non renseigné)"}}{{with .FINESS}} ({{.}}){{end}}</td><td><code>{{.Code}}</code> {{.Label}}</td><td class="ref">{{or .Form "—"}}</td><td class="n">{{with .Line}}{{.}}{{else}}—{{end}}</td><td class="date">{{or .Date "—"}}</td><td data-reason>{{or .Reason "—"}}</td></tr>
{{end}}</tbody>
</table>
<p class="muted">Le directeur de l'établissement a refusé ces demandes sur le formulaire indiqué : elles ne sont pas accordées. Elles restent refusées tant que la liste les demande ; pour en redemander une, retirez-la d'un envoi puis remettez-la : elle figurera sur un nouveau formulaire.</p>
{{else}}<p class="none">Aucune habilitation refusée.</p>{{end}}
{{if .Run}}
<h2>Personnes qui ne figurent plus dans la liste</h2>
{{if .Absent}}<table>
<thead><tr><th>Identifiant</th><th>Établissement</th></tr></thead>
<tbody>
{{range .Absent}}<tr data-absent="{{.UID}}"><td>{{.UID}}</td><td>{{or .Establishment "(non renseigné)"}}{{with .FINESS}} ({{.}}){{end}}</td></tr>
{{end}}</tbody>
</table>
<p class="muted">Connues d'un lot précédent dans ces établissements, elles sont gardées ; <code>dccprov ldap apply --prune</code> les retire des groupes et désactive leur compte.</p>
{{else}}<p class="none">Personne : la liste nomme toutes les personnes connues de ses établissements.</p>{{end}}
{{end}}
<h2>Problèmes par code</h2>
{{if .Codes}}<div class="legend">{{if .Severities.error}}<span style="--c:var(--ko)">erreur (ligne rejetée)</span>{{end}}{{if .Severities.warning}}<span style="--c:var(--warn)">avertissement</span>{{end}}{{if .Severities.info}}<span style="--c:var(--info)">information</span>{{end}}</div>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 {{.CodeHeight}}" width="760" height="{{.CodeHeight}}" role="img" aria-label="Nombre de problèmes par code">
{{range .Codes}}<g data-code="{{.Code}}"><text x="0" y="{{.Y}}" dy="14">{{.Code}}</text><rect class="{{.Class}}" x="{{$.CodeBarX}}" y="{{.Y}}" width="{{.Bar.Width}}" height="18"><title>{{.Title}}</title></rect><text x="{{.Bar.TextX}}" y="{{.Y}}" dy="14" data-count="problems">{{n .Count}}</text></g>
{{end}}</svg>
<table>
<thead><tr><th>Code</th><th>Gravité</th><th class="n">Nombre</th><th>Signification</th></tr></thead>
<tbody>
{{range .Codes}}<tr data-code="{{.Code}}"><td><code>{{.Code}}</code></td><td>{{.Severity}}</td><td class="n" data-count="problems">{{n .Count}}</td><td>{{.Title}}</td></tr>
{{end}}</tbody>
</table>
<p class="muted">Le détail ligne par ligne est dans le classeur de corrections ; <code>dccprov explain CODE</code> explique chaque code.</p>
{{else}}<p class="none">Aucun problème.</p>{{end}}
<footer>dccprov{{if .Run}} — lot du {{.Date}}{{end}} — {{.Report.Input.File}}</footer>
</body>
</html>
`))
