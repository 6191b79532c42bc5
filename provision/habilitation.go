package provision

import (
	"slices"
	"strings"
)

// habilitationCatalogue indexes a catalogue by the [habilitationKey] of
// its codes, labels and variants.
type habilitationCatalogue struct {
	defs  []HabilitationDef
	index map[string]int // name key → position in defs
	near  *suggester
}

func newHabilitationCatalogue(defs []HabilitationDef) *habilitationCatalogue {
	h := &habilitationCatalogue{defs: defs, index: map[string]int{}}
	var entries []suggestion
	for i, d := range defs {
		e := suggestion{label: d.Label, signature: d.Signature}
		for _, name := range append([]string{d.Label, d.Code}, d.Variants...) {
			if f := habilitationKey(name); f != "" {
				if _, dup := h.index[f]; !dup {
					h.index[f] = i
				}
				e.keys = append(e.keys, f)
			}
		}
		entries = append(entries, e)
	}
	h.near = newSuggester(entries)
	return h
}

// habilitationKey returns the key habilitations are compared by
// ([matchKey]): "Participants aux RCP" is "Participant RCP".
func habilitationKey(s string) string { return matchKey(s, articleWords) }

// lookup returns the position in the catalogue of the habilitation named s.
func (h *habilitationCatalogue) lookup(s string) (int, bool) {
	i, ok := h.index[habilitationKey(s)]
	return i, ok
}

// nearest returns at most three labels of the catalogue close to s, best
// first, or none (see [suggester]: a habilitation needing a signature is
// never a guess for an unrelated value).
func (h *habilitationCatalogue) nearest(s string) []string {
	return h.near.nearest(s, 3)
}

// splitAt splits s at any rune of seps, cleaning each part and dropping
// empty ones.
func splitAt(s, seps string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// names splits a cell into names: first at ";" and new lines;
// a part that is not a known name as a whole is split again at "," and
// "/", so that a catalogue label containing a comma or slash still matches
// when the referent separated with ";".
func (h *habilitationCatalogue) names(s string) []string {
	if _, ok := h.lookup(s); ok {
		return []string{clean(s)}
	}
	var out []string
	for _, part := range splitAt(s, ";\n\r") {
		if _, ok := h.lookup(part); ok {
			out = append(out, part)
			continue
		}
		out = append(out, splitAt(part, ",/")...)
	}
	return out
}

// mayHold reports whether profession p may hold habilitation d.
func mayHold(d HabilitationDef, p Profession) bool {
	for _, h := range d.Holders {
		switch {
		case h == "anyone":
			return true
		case h == "health" && p.Health:
			return true
		case p.Health && h == p.Code:
			return true
		}
	}
	return false
}

// habilitationName is one name of a habilitations cell: its position in
// the catalogue, or -1 and the close labels.
type habilitationName struct {
	name    string
	index   int
	nearest []string
}

// habilitationNames splits a habilitations cell and looks each name up:
// what [Validator.checkHabilitations] computes per distinct cell text.
func (v *Validator) habilitationNames(cell string) []habilitationName {
	var out []habilitationName
	for _, name := range v.habs.names(cell) {
		i, ok := v.habs.lookup(name)
		if !ok {
			out = append(out, habilitationName{name: name, index: -1, nearest: v.habs.nearest(name)})
			continue
		}
		out = append(out, habilitationName{name: name, index: i})
	}
	return out
}

// habilitationSuggestion is the suggestion of HABILITATION_UNKNOWN: the
// close labels, or that none is close.
func habilitationSuggestion(near []string) string {
	const choose = "Choisissez l'habilitation dans le catalogue (liste déroulante du modèle) ; "
	q := make([]string, len(near))
	for i, l := range near {
		q[i] = quote(l)
	}
	switch len(near) {
	case 0:
		return choose + "aucune n'en est proche."
	case 1:
		return choose + "la plus proche est " + q[0] + "."
	default:
		return choose + "les plus proches sont " + strings.Join(q, ", ") + "."
	}
}

// checkHabilitations reads the habilitations column (split by
// [habilitationCatalogue.names]). Requests follow the catalogue order and
// repeats collapse.
func (v *Validator) checkHabilitations(rc *rowCheck) {
	c := rc.row.Get(FieldHabilitations)
	val := clean(c.Value)
	if val == "" {
		rc.add(HabilitationMissing, c, "", "")
		return
	}
	var found []int
	for _, hn := range v.habCells.get(c.Value, v.habilitationNames) {
		if hn.index < 0 {
			rc.add(HabilitationUnknown, c, "L'habilitation "+quote(hn.name)+" n'existe pas dans le catalogue.",
				habilitationSuggestion(hn.nearest))
			continue
		}
		if !slices.Contains(found, hn.index) {
			found = append(found, hn.index)
		}
	}
	slices.Sort(found)
	p := &rc.person
	professionKnown := p.Profession.Code != ""
	for _, i := range found {
		d := v.habs.defs[i]
		if professionKnown && !mayHold(d, p.Profession) {
			label := p.Profession.Label
			if p.Profession.Role != nil {
				label = p.Profession.Role.Label
			}
			rc.add(HabilitationNotAllowed, c,
				"L'habilitation "+quote(d.Label)+" ne peut pas être attribuée à la profession "+quote(label)+".", "")
			continue
		}
		p.Habilitations = append(p.Habilitations, Request{Code: d.Code, Label: d.Label, Signature: d.Signature})
	}
}
