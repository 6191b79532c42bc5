package provision

import "strings"

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

// checkEstablishment reads the FINESS and establishment-name columns. The
// FINESS decides; a configured establishment can be found by its name when
// the FINESS cell is empty; a configured name wins over the one written.
func (v *Validator) checkEstablishment(rc *rowCheck) {
	fc := rc.row.Get(FieldFINESS)
	nc := rc.row.Get(FieldEstablishment)
	name := clean(nc.Value)
	fv := clean(fc.Value)
	rc.person.Establishment.Name = name
	if fv == "" {
		if es, ok := v.est.byName[fold(name)]; ok && name != "" {
			rc.person.Establishment = Establishment{FINESS: es.FINESS, Name: es.Name}
			return
		}
		if v.est.configured() && name != "" {
			rc.add(EstablishmentUnknown, nc,
				"L'établissement "+quote(name)+" n'est pas dans la liste des établissements configurés.",
				"Indiquez le numéro FINESS de l'établissement, ou corrigez son nom tel qu'il est configuré.")
			return
		}
		rc.add(FINESSMissing, fc, "", "")
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
