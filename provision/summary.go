package provision

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
)

// summaryEstablishment is one line of the per-establishment table.
type summaryEstablishment struct {
	FINESS, Name                 string
	Accepted, Rejected, Pending  int
	AcceptedWidth, RejectedWidth int // bar lengths in the chart
	RejectedX, Y                 int
}

// summaryCode is one bar of the per-code chart.
type summaryCode struct {
	Code             Code
	Title            string
	Severity         string // erreur, avertissement
	Count            int
	Width, Y, CountX int
	Color            string
}

type summaryPage struct {
	Report         Report
	Establishments []summaryEstablishment
	Codes          []summaryCode
	EstHeight      int
	CodeHeight     int
	Pending        int
}

// Geometry of the inline SVG bar charts.
const (
	summaryBarMax   = 420 // pixels of the longest bar
	summaryRowPitch = 26  // pixels between bars
	summaryEstBarX  = 110 // where establishment bars start
	summaryCodeBarX = 210 // where code bars start
)

// WriteSummaryHTML writes summary.html: one self-contained French page
// (inline CSS and SVG, no script, nothing fetched) with the counts of the
// run, a table and a chart per establishment (accepted, rejected, requests
// awaiting a signature) and a chart of the problems per code. It shows
// counts only: no name, email, phone or identifier. people is the run's
// people (r.People when nil), for their establishments and requests.
func WriteSummaryHTML(w io.Writer, r Report, people []Person) error {
	return writeSummaryHTML(w, r, nil, people)
}

// writeSummaryHTML is [WriteSummaryHTML] with the problems counted per
// code already (nil: counted from r.Problems), for a run that streamed
// them.
func writeSummaryHTML(w io.Writer, r Report, perCode map[Code]int, people []Person) error {
	if people == nil {
		people = r.People
	}
	page := summaryPage{Report: r}

	ests := map[string]*summaryEstablishment{}
	for _, p := range people {
		key := p.Establishment.FINESS
		e, ok := ests[key]
		if !ok {
			e = &summaryEstablishment{FINESS: key, Name: p.Establishment.Name}
			ests[key] = e
		}
		e.Name = cmp.Or(e.Name, p.Establishment.Name)
		switch p.Status {
		case StatusAccepted:
			e.Accepted++
			for _, req := range p.Habilitations {
				if requestStatus(req) == RequestPendingSignature {
					e.Pending++
					page.Pending++
				}
			}
		case StatusRejected:
			e.Rejected++
		}
	}
	most := 1
	for _, e := range ests {
		most = max(most, e.Accepted+e.Rejected)
	}
	for i, key := range slices.Sorted(maps.Keys(ests)) {
		e := *ests[key]
		e.AcceptedWidth = e.Accepted * summaryBarMax / most
		e.RejectedWidth = e.Rejected * summaryBarMax / most
		e.RejectedX = summaryEstBarX + e.AcceptedWidth
		e.Y = i * summaryRowPitch
		page.Establishments = append(page.Establishments, e)
	}
	page.EstHeight = len(page.Establishments)*summaryRowPitch + 4

	if perCode == nil {
		perCode = map[Code]int{}
		for _, p := range r.Problems {
			perCode[p.Code]++
		}
	}
	codes := slices.Sorted(maps.Keys(perCode))
	slices.SortStableFunc(codes, func(a, b Code) int { return perCode[b] - perCode[a] })
	mostCode := 1
	for _, n := range perCode {
		mostCode = max(mostCode, n)
	}
	for i, code := range codes {
		info := Codes[code]
		c := summaryCode{Code: code, Title: info.Title, Severity: severityLabels[info.Severity], Count: perCode[code],
			Width: perCode[code] * summaryBarMax / mostCode, Y: i * summaryRowPitch, Color: "#e8a33d"}
		c.CountX = summaryCodeBarX + c.Width + 6
		if info.Severity == SeverityError {
			c.Color = "#c0392b"
		}
		page.Codes = append(page.Codes, c)
	}
	page.CodeHeight = len(page.Codes)*summaryRowPitch + 4

	if err := summaryTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("writing summary.html: %w", err)
	}
	return nil
}

// summaryTemplate is the page; it is never written after parsing.
var summaryTemplate = template.Must(template.New("summary").Parse(`<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dccprov — synthèse du lot {{.Report.Input.File}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:1em 0}th,td{padding:.3em .8em;border:1px solid #ddd;text-align:left}
td.n,th.n{text-align:right}th{background:#f2f4f7}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.8em 1.2em;min-width:8em}
.card b{display:block;font-size:1.8em}.ok{color:#1e7d32}.ko{color:#c0392b}.warn{color:#b26a00}
svg text{font-size:12px;font-family:inherit}.muted{color:#666;font-size:.9em}
</style>
</head>
<body>
<h1>Synthèse du lot</h1>
<p class="muted">Fichier {{.Report.Input.File}}{{with .Report.Input.Sheet}}, feuille « {{.}} »{{end}}, en-tête ligne {{.Report.Input.HeaderRow}}.</p>
<div class="cards">
<div class="card">Lignes lues<b>{{.Report.Rows.Read}}</b></div>
<div class="card ok">Acceptées<b>{{.Report.Rows.Accepted}}</b></div>
<div class="card ko">Rejetées<b>{{.Report.Rows.Rejected}}</b></div>
<div class="card warn">Avec avertissements<b>{{.Report.Rows.WithWarnings}}</b></div>
<div class="card">Habilitations en attente de signature<b>{{.Pending}}</b></div>
</div>

<h2>Par établissement</h2>
{{if .Establishments}}<table>
<tr><th>FINESS</th><th>Établissement</th><th class="n">Acceptées</th><th class="n">Rejetées</th><th class="n">En attente de signature</th></tr>
{{range .Establishments}}<tr><td>{{or .FINESS "—"}}</td><td>{{or .Name "(non renseigné)"}}</td><td class="n">{{.Accepted}}</td><td class="n">{{.Rejected}}</td><td class="n">{{.Pending}}</td></tr>
{{end}}</table>
<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{{.EstHeight}}" role="img" aria-label="Lignes acceptées et rejetées par établissement">
{{range .Establishments}}<text x="0" y="{{.Y}}" dy="16">{{or .FINESS "—"}}</text><rect x="110" y="{{.Y}}" width="{{.AcceptedWidth}}" height="20" fill="#1e7d32"><title>{{.Accepted}} acceptée(s)</title></rect><rect x="{{.RejectedX}}" y="{{.Y}}" width="{{.RejectedWidth}}" height="20" fill="#c0392b"><title>{{.Rejected}} rejetée(s)</title></rect><text x="540" y="{{.Y}}" dy="16">{{.Accepted}} acceptée(s), {{.Rejected}} rejetée(s)</text>
{{end}}</svg>
{{else}}<p>Aucune ligne.</p>{{end}}

<h2>Problèmes par code</h2>
{{if .Codes}}<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{{.CodeHeight}}" role="img" aria-label="Nombre de problèmes par code">
{{range .Codes}}<text x="0" y="{{.Y}}" dy="16">{{.Code}}</text><rect x="210" y="{{.Y}}" width="{{.Width}}" height="20" fill="{{.Color}}"><title>{{.Title}}</title></rect><text x="{{.CountX}}" y="{{.Y}}" dy="16">{{.Count}}</text>
{{end}}</svg>
<table>
<tr><th>Code</th><th>Gravité</th><th class="n">Nombre</th><th>Signification</th></tr>
{{range .Codes}}<tr><td>{{.Code}}</td><td>{{.Severity}}</td><td class="n">{{.Count}}</td><td>{{.Title}}</td></tr>
{{end}}</table>
<p class="muted">Le détail ligne par ligne est dans le classeur de corrections ; <code>dccprov explain CODE</code> explique chaque code.</p>
{{else}}<p>Aucun problème.</p>{{end}}
</body>
</html>
`))
