package provision

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The nomenclature systems a [Profession] may come from.
const (
	SystemG15  = "TRE_G15"  // health professions
	SystemR95  = "TRE_R95"  // protected titles (psychologue…)
	SystemR94  = "TRE_R94"  // social professions
	SystemR291 = "TRE_R291" // other: code 99 with a TRE_R85 role
)

// Nomenclature holds the lookup tables validation needs: professions and
// their synonyms, specialties, the routing of overseas mobile prefixes and
// the email domain lists. [LoadNomenclature] builds it once; it is never
// written afterwards.
type Nomenclature struct {
	professions map[string]professionMatch // by folded synonym or label
	profLabels  []string                   // every display label, for suggestions
	specialties map[string]Coded           // by folded code, label or short label
	// medical are the physicians' specialties (TRE_R38 SM codes) by folded
	// label, short label or the head of a label ("Cardiologie" of
	// "Cardiologie et Maladies vasculaires"), for [Nomenclature.Profession].
	medical map[string]Coded
	doctor  Profession // TRE_G15 10, Médecin
	routes  []phoneRoute
	webmail []string
	generic []string
}

// professionMatch is what a profession word means.
type professionMatch struct {
	Profession Profession
	Specialty  *Coded
}

// synonymDef is one entry of templates/professions.yaml.
type synonymDef struct {
	System    string   `yaml:"system"`
	Code      string   `yaml:"code"`
	Specialty string   `yaml:"specialty"`
	Role      string   `yaml:"role"`
	Synonyms  []string `yaml:"synonyms"`
}

// LoadNomenclature reads the nomenclatures of templates (the files of
// templates/reference, professions.yaml and the email lists).
func LoadNomenclature(templates fs.FS) (*Nomenclature, error) {
	n := &Nomenclature{
		professions: map[string]professionMatch{},
		specialties: map[string]Coded{},
		medical:     map[string]Coded{},
	}
	codes := map[string]map[string]string{} // system → code → label (active codes)
	for _, sys := range []string{SystemG15, SystemR95, SystemR94, SystemR291, "TRE_R85"} {
		name, ok := referenceFiles[sys]
		if !ok {
			return nil, fmt.Errorf("no reference file for %s", sys)
		}
		recs, err := readReferenceCSV(templates, "reference/"+name)
		if err != nil {
			return nil, err
		}
		codes[sys] = map[string]string{}
		for _, r := range recs {
			if r["status"] == "active" {
				codes[sys][r["code"]] = r["label"]
			}
		}
	}
	spec, err := readReferenceCSV(templates, "reference/"+referenceFiles["TRE_R38"])
	if err != nil {
		return nil, err
	}
	specByCode := map[string]Coded{}
	for _, r := range spec {
		if r["status"] != "active" {
			continue
		}
		c := Coded{Code: r["code"], Label: trimSpecialtySuffix(r["label"])}
		specByCode[c.Code] = c
		for _, k := range []string{r["code"], r["label"], c.Label, r["short_label"]} {
			// "Radio-thérapie" is also written "Radiothérapie": index the
			// folded form with and without its word breaks.
			for _, f := range []string{fold(k), strings.ReplaceAll(fold(k), " ", "")} {
				if _, dup := n.specialties[f]; f != "" && !dup {
					n.specialties[f] = c
				}
			}
		}
	}

	n.indexMedical(spec)

	data, err := fs.ReadFile(templates, "professions.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading profession synonyms: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var syns []synonymDef
	if err := dec.Decode(&syns); err != nil {
		return nil, fmt.Errorf("decoding profession synonyms: %w", err)
	}
	build := func(sys, code, role string) (Profession, error) {
		label, ok := codes[sys][code]
		if !ok {
			return Profession{}, fmt.Errorf("profession synonyms: %s has no active code %q", sys, code)
		}
		p := Profession{System: sys, Code: code, Label: label, Health: sys == SystemG15}
		if role != "" {
			rl, ok := codes["TRE_R85"][role]
			if !ok {
				return Profession{}, fmt.Errorf("profession synonyms: TRE_R85 has no active code %q", role)
			}
			p.Role = &Coded{Code: role, Label: rl}
		}
		return p, nil
	}
	add := func(key string, m professionMatch) {
		if f := fold(key); f != "" {
			if _, dup := n.professions[f]; !dup {
				n.professions[f] = m
			}
		}
	}
	if n.doctor, err = build(SystemG15, "10", ""); err != nil {
		return nil, err
	}
	for _, s := range syns {
		p, err := build(s.System, s.Code, s.Role)
		if err != nil {
			return nil, err
		}
		m := professionMatch{Profession: p}
		if s.Specialty != "" {
			c, ok := specByCode[s.Specialty]
			if !ok {
				return nil, fmt.Errorf("profession synonyms: TRE_R38 has no active code %q", s.Specialty)
			}
			m.Specialty = &c
		}
		for _, w := range s.Synonyms {
			if prev, dup := n.professions[fold(w)]; dup && prev.Profession != m.Profession {
				return nil, fmt.Errorf("profession synonyms: %q is listed for two professions", w)
			}
			add(w, m)
		}
	}
	// The official labels, after the synonyms so that a synonym wins.
	for _, sys := range []string{SystemG15, SystemR95, SystemR94} {
		for _, code := range slices.Sorted(maps.Keys(codes[sys])) {
			p, _ := build(sys, code, "")
			add(p.Label, professionMatch{Profession: p})
			n.profLabels = append(n.profLabels, p.Label)
		}
	}
	for _, code := range slices.Sorted(maps.Keys(codes["TRE_R85"])) {
		p, _ := build(SystemR291, "99", code)
		add(p.Role.Label, professionMatch{Profession: p})
		n.profLabels = append(n.profLabels, p.Role.Label)
	}
	for _, s := range syns {
		if len(s.Synonyms) > 0 {
			n.profLabels = append(n.profLabels, s.Synonyms[0])
		}
	}
	slices.Sort(n.profLabels)
	n.profLabels = slices.Compact(n.profLabels)

	if n.routes, err = loadPhoneRoutes(templates); err != nil {
		return nil, err
	}
	if n.webmail, err = readList(templates, "email-webmail.txt"); err != nil {
		return nil, err
	}
	if n.generic, err = readList(templates, "email-generic.txt"); err != nil {
		return nil, err
	}
	for i, g := range n.generic {
		n.generic[i] = strings.ToLower(g)
	}
	return n, nil
}

// referenceFiles names the embedded table of each nomenclature.
var referenceFiles = map[string]string{
	SystemG15:  "TRE_G15-ProfessionSante.csv",
	SystemR95:  "TRE_R95-UsagerTitre.csv",
	SystemR94:  "TRE_R94-ProfessionSocial.csv",
	SystemR291: "TRE_R291-AutreProfession.csv",
	"TRE_R85":  "TRE_R85-RolePriseCharge.csv",
	"TRE_R38":  "TRE_R38-SpecialiteOrdinale.csv",
}

// specialtySuffix is the "(SM)", "(SI)"… that TRE_R38 labels end with.
var specialtySuffix = regexp.MustCompile(`\s*\((SM|SI|SCD|SP|CEX|PAC|DSM|DU)\)$`)

func trimSpecialtySuffix(s string) string { return specialtySuffix.ReplaceAllString(s, "") }

// Profession returns the profession a referent's word stands for, and the
// specialty it implies ("Oncologue": Médecin, Oncologie option médicale).
// Besides the synonyms and official labels, a physician's specialty names a
// Médecin of that specialty: "Pneumologie", "Pneumologue", "Médecin
// pneumologue" are Médecin + Pneumologie; "Médecin" followed by anything
// else is Médecin.
func (n *Nomenclature) Profession(s string) (Profession, *Coded, bool) {
	f := fold(s)
	if m, ok := n.professions[f]; ok {
		return m.Profession, m.Specialty, true
	}
	if c, ok := n.medicalSpecialty(f); ok {
		return n.doctor, &c, true
	}
	if rest, ok := strings.CutPrefix(f, "medecin "); ok {
		if m, ok := n.professions[rest]; ok && m.Profession == n.doctor {
			return m.Profession, m.Specialty, true
		}
		if c, ok := n.medicalSpecialty(rest); ok {
			return n.doctor, &c, true
		}
		return n.doctor, nil, true
	}
	return Profession{}, nil, false
}

// specialistSuffixes turn a specialist's name into the specialty's:
// pneumologue → pneumologie, stomatologiste → stomatologie, gériatre →
// gériatrie (folded, without accents).
var specialistSuffixes = []struct{ who, what string }{
	{"logue", "logie"}, {"logiste", "logie"}, {"iatre", "iatrie"},
}

// medicalSpecialty returns the physician's specialty that folded f names,
// as a specialty or as a specialist.
func (n *Nomenclature) medicalSpecialty(f string) (Coded, bool) {
	keys := []string{f}
	for _, s := range specialistSuffixes {
		if stem, ok := strings.CutSuffix(f, s.who); ok && stem != "" {
			keys = append(keys, stem+s.what)
		}
	}
	for _, k := range keys {
		for _, k := range []string{k, strings.ReplaceAll(k, " ", "")} {
			if c, ok := n.medical[k]; ok {
				return c, true
			}
		}
	}
	return Coded{}, false
}

// indexMedical fills n.medical from the TRE_R38 records: the physicians'
// specialties (SM codes) by label and short label, then, where no label
// says it already, by the head of a label before " et " or ",", so that
// "Cardiologie" names "Cardiologie et Maladies vasculaires". Options and
// reforms ("…, option médicale", "… (réforme 2017)") give no head: it would
// name the option rather than the specialty. On a tie the lower code wins.
func (n *Nomenclature) indexMedical(recs []map[string]string) {
	var sm []map[string]string
	for _, r := range recs {
		if r["status"] == "active" && strings.HasPrefix(r["code"], "SM") {
			sm = append(sm, r)
		}
	}
	slices.SortFunc(sm, func(a, b map[string]string) int {
		return cmp.Or(cmp.Compare(len(a["code"]), len(b["code"])), cmp.Compare(a["code"], b["code"]))
	})
	put := func(k string, c Coded) {
		for _, k := range []string{k, strings.ReplaceAll(k, " ", "")} {
			if _, dup := n.medical[k]; k != "" && !dup {
				n.medical[k] = c
			}
		}
	}
	for _, r := range sm {
		c := Coded{Code: r["code"], Label: trimSpecialtySuffix(r["label"])}
		put(fold(c.Label), c)
		put(fold(r["short_label"]), c)
	}
	for _, r := range sm {
		c := Coded{Code: r["code"], Label: trimSpecialtySuffix(r["label"])}
		l := fold(c.Label)
		if strings.Contains(" "+l+" ", " opt ") || strings.Contains(" "+l+" ", " option ") || strings.Contains(l, "reforme") {
			continue
		}
		head, _, _ := strings.Cut(strings.ToLower(c.Label), ",")
		head, _, _ = strings.Cut(head, " et ")
		put(fold(head), c)
	}
}

// Specialty returns the TRE_R38 specialty named by s (code, label or short
// label).
func (n *Nomenclature) Specialty(s string) (Coded, bool) {
	f := fold(strings.TrimSpace(trimSpecialtySuffix(s)))
	if c, ok := n.specialties[f]; ok {
		return c, true
	}
	c, ok := n.specialties[strings.ReplaceAll(f, " ", "")]
	return c, ok
}

// ProfessionLabels returns the labels a referent may choose from (official
// labels and the main synonym of each entry of professions.yaml), sorted:
// the drop-down list of the blank template.
func (n *Nomenclature) ProfessionLabels() []string { return slices.Clone(n.profLabels) }

// nearestProfessions returns the k labels closest to s.
func (n *Nomenclature) nearestProfessions(s string, k int) []string {
	f := fold(s)
	type cand struct {
		label string
		d     int
	}
	var cs []cand
	for _, l := range n.profLabels {
		cs = append(cs, cand{l, distance(f, fold(l))})
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return cmp.Compare(a.d, b.d) })
	var out []string
	for _, c := range cs[:min(k, len(cs))] {
		out = append(out, c.label)
	}
	return out
}

// lookupProfession is what [Validator.checkProfession] computes per
// distinct cell text.
func (v *Validator) lookupProfession(val string) professionLookup {
	if p, spec, ok := v.nom.Profession(val); ok {
		return professionLookup{profession: p, specialty: spec, ok: true}
	}
	return professionLookup{nearest: strings.Join(v.nom.nearestProfessions(val, 3), ", ")}
}

func (v *Validator) lookupSpecialty(val string) specialtyLookup {
	s, ok := v.nom.Specialty(val)
	return specialtyLookup{s, ok}
}

func (v *Validator) checkProfession(rc *rowCheck) {
	c := rc.row.Get(FieldProfession)
	val := clean(c.Value)
	var implied *Coded
	if val == "" {
		rc.add(ProfessionMissing, c, "", "")
	} else if pl := v.professions.get(val, v.lookupProfession); pl.ok {
		rc.person.Profession = pl.profession
		implied = pl.specialty
	} else {
		rc.add(ProfessionUnknown, c,
			"La profession "+quote(val)+" n'est pas reconnue dans la nomenclature nationale des professions.",
			"Choisissez la profession dans la liste déroulante du modèle ; libellés les plus proches : "+pl.nearest+".")
	}
	rc.person.Specialty = implied
	sc := rc.row.Get(FieldSpecialty)
	if sv := clean(sc.Value); sv != "" {
		if sl := v.specialties.get(sv, v.lookupSpecialty); sl.ok {
			s := sl.specialty
			rc.person.Specialty = &s
		} else {
			rc.add(SpecialtyUnknown, sc,
				"La spécialité "+quote(sv)+" n'est pas reconnue dans la nomenclature des spécialités ordinales.", "")
		}
	}
}

// ProfessionLabels returns the drop-down list of professions of the blank
// template, from the same nomenclature the validator uses.
func ProfessionLabels(cfg *Config) ([]string, error) {
	n, err := LoadNomenclature(cfg.Templates)
	if err != nil {
		return nil, err
	}
	return n.ProfessionLabels(), nil
}
