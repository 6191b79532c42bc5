package provision

import (
	"strings"
)

// establishments indexes the configured establishments by FINESS and by
// folded name.
type establishments struct {
	byFINESS map[string]Establishment
	byName   map[string]Establishment
}

func newEstablishments(list []Establishment) *establishments {
	e := &establishments{byFINESS: map[string]Establishment{}, byName: map[string]Establishment{}}
	for _, es := range list {
		if f, err := ParseFINESS(es.FINESS); err == nil {
			es.FINESS = f.String()
		}
		e.byFINESS[strings.ToUpper(compact(es.FINESS))] = es
		if n := fold(es.Name); n != "" {
			e.byName[n] = es
		}
	}
	return e
}

func (e *establishments) configured() bool { return len(e.byFINESS) > 0 }

// listedNames is what the list itself says about each establishment name
// (folded): its first spelling, and the valid FINESS numbers rows give it.
type listedNames map[string]listedName

type listedName struct {
	spelling string
	finess   []string
}

// checkEstablishment reads the FINESS and establishment-name columns. The
// FINESS decides; either is enough (SPEC: the establishment is given by name
// or FINESS).
//
// Without a FINESS, a configured establishment is found by its name, and
// an unknown name is ESTABLISHMENT_UNKNOWN. With no establishments
// configured, the name alone identifies the establishment: written as the
// first row naming it writes it, and with the FINESS that other rows give
// that name when they all give the same one, so that one establishment is
// not split in two (two forms, two lines of habilitations). Only a row
// naming no establishment at all is FINESS_MISSING, on the FINESS cell, or
// the name cell when the list has no FINESS column.
func (v *Validator) checkEstablishment(rc *rowCheck, listed listedNames) {
	fc := rc.row.Get(FieldFINESS)
	nc := rc.row.Get(FieldEstablishment)
	name := clean(nc.Value)
	fv := clean(fc.Value)
	rc.person.Establishment.Name = name
	if fv == "" {
		key := v.folded.get(name, fold)
		switch es, ok := v.est.byName[key]; {
		case name == "":
			c := fc
			if _, ok := rc.row.lookup(FieldFINESS); !ok {
				c = nc
			}
			rc.add(FINESSMissing, c, "L'établissement de la personne n'est pas indiqué (ni numéro FINESS, ni nom).",
				"Indiquez le numéro FINESS (9 caractères) de l'établissement de la personne, ou son nom.")
		case ok:
			rc.person.Establishment = Establishment{FINESS: es.FINESS, Name: es.Name}
		case v.est.configured():
			rc.add(EstablishmentUnknown, nc,
				"L'établissement "+quote(name)+" n'est pas dans la liste des établissements configurés.",
				"Indiquez le numéro FINESS de l'établissement, ou corrigez son nom tel qu'il est configuré.")
		default:
			rc.estListed = key
			if ln, ok := listed[key]; ok {
				rc.person.Establishment.Name = ln.spelling
				if len(ln.finess) == 1 {
					rc.person.Establishment.FINESS = ln.finess[0]
				}
			}
		}
		return
	}
	f, err := ParseFINESS(fv)
	if err != nil {
		rc.add(FINESSInvalid, fc, "Le numéro FINESS "+quote(fv)+" n'est pas valide ("+idReason(err)+").", "")
		return
	}
	rc.person.Establishment.FINESS = f.String()
	if !v.est.configured() {
		return
	}
	es, ok := v.est.byFINESS[f.String()]
	if !ok {
		rc.add(EstablishmentUnknown, fc,
			"L'établissement de FINESS "+quote(fv)+" n'est pas dans la liste des établissements configurés.", "")
		return
	}
	if es.Name != "" {
		rc.person.Establishment.Name = es.Name
	}
}
