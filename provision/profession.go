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
	"unicode/utf8"

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
	professions map[string]professionMatch // by [profKey] of a synonym or label
	profLabels  []string                   // every display label, for suggestions
	profNear    *suggester                 // the labels, by the keys of their synonyms
	profDefs    []synonymDef               // templates/professions.yaml as written
	specialties map[string]Coded           // by folded code, label or short label, and their [profKey]
	// specialists are the TRE_G15 professions of the TRE_R38 specialties
	// (by code) that are not physicians': IADE is an Infirmier.
	specialists map[string]Profession
	// medical are the physicians' specialties (TRE_R38 SM codes) by folded
	// label, short label or the head of a label ("Cardiologie" of
	// "Cardiologie et Maladies vasculaires"), for [Nomenclature.Profession].
	medical map[string]Coded
	doctor  Profession // TRE_G15 10, Médecin
	routes  []phoneRoute
	webmail []string
	generic []string
	// genericJoined is each generic entry without its hyphens.
	genericJoined []string
	// logins are the login modes by [loginKey]; loginDefs their variants
	// as written (templates/login-modes.yaml).
	logins    map[string]LoginMode
	loginDefs []loginDef
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
		specialists: map[string]Profession{},
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
	putSpecialty := func(f string, c Coded) {
		if _, dup := n.specialties[f]; f != "" && !dup {
			n.specialties[f] = c
		}
	}
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
				putSpecialty(f, c)
			}
		}
	}
	// Then, where no label says it already, without inclusive endings and
	// articles: "Infirmier anesthésiste" is "Infirmier(ère) anesthésiste".
	for _, r := range spec {
		if r["status"] == "active" {
			c := specByCode[r["code"]]
			for _, k := range []string{r["label"], c.Label, r["short_label"]} {
				putSpecialty(profKey(k), c)
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
		if f := profKey(key); f != "" {
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
			if prev, dup := n.professions[profKey(w)]; dup && (prev.Profession != m.Profession || !sameSpecialty(prev.Specialty, m.Specialty)) {
				return nil, fmt.Errorf("profession synonyms: %q is listed for two professions or specialties", w)
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
	n.profDefs = syns
	n.profNear = n.professionSuggester()
	for _, r := range spec {
		if code := r["profession_code_inferred_from_prefix"]; r["status"] == "active" && code != "10" {
			if p, err := build(SystemG15, code, ""); err == nil {
				n.specialists[r["code"]] = p
			}
		}
	}

	if n.logins, n.loginDefs, err = loadLoginModes(templates); err != nil {
		return nil, err
	}
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
		n.genericJoined = append(n.genericJoined, strings.ReplaceAll(n.generic[i], "-", ""))
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

// profKey returns the key professions are compared by ([matchKey]): no
// case, accents, punctuation, articles, inclusive endings, plurals or
// feminine forms. "Pharmacien(ne)", "Pharmaciennes" and "pharmacien" have
// one key.
func profKey(s string) string { return matchKey(s, articleWords) }

func sameSpecialty(a, b *Coded) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Code == b.Code
}

// Profession returns the profession a referent's word stands for, and the
// specialty it implies ("Oncologue": Médecin, Oncologie option médicale).
// Words are compared by [profKey], so inclusive writing ("Infirmier·ère",
// "Manipulateur(trice) radio"), plurals and feminine forms match.
//
// Besides the synonyms and official labels:
//   - a physician's specialty names a Médecin of that specialty:
//     "Pneumologie", "Pneumologue" are Médecin + Pneumologie;
//   - another TRE_R38 specialty names its profession: "IADE" is an
//     Infirmier anesthésiste;
//   - a known profession followed by a qualifier keeps the profession
//     ("IDE coordinatrice", "Médecin soins palliatifs", "Secrétaire
//     médicale RCP"), with the specialty the qualifier names when the
//     profession may hold it ("Médecin pneumologue", "Infirmière IBODE").
//     The longest known beginning wins. Not when the qualifier is a typo
//     of a longer name ("Infirmière diplômée d'etta" for "… d'État") or
//     names another health profession ("Kiné onco", "Infirmier kiné"):
//     those are unknown, and their "did you mean" offers the fix.
func (n *Nomenclature) Profession(s string) (Profession, *Coded, bool) {
	k := profKey(s)
	if p, spec, ok := n.whole(fold(s), k); ok {
		return p, spec, true
	}
	words := strings.Fields(k)
	for i := len(words) - 1; i >= 1; i-- {
		head := strings.Join(words[:i], " ")
		p, spec, ok := n.whole(head, head)
		if !ok {
			continue
		}
		tail := strings.Join(words[i:], " ")
		qs := n.qualifierSpecialty(p, tail)
		if qs == nil && n.typoAfter(head, tail) || n.otherHealth(p, tail) {
			break
		}
		if spec == nil {
			spec = qs
		}
		return p, spec, true
	}
	return Profession{}, nil, false
}

// whole returns the profession that a whole text names, as folded f or as
// key k: a synonym or label, a physician's specialty, or a specialty of
// another profession.
func (n *Nomenclature) whole(f, k string) (Profession, *Coded, bool) {
	if m, ok := n.professions[k]; ok {
		return m.Profession, m.Specialty, true
	}
	for _, x := range []string{f, k} {
		if c, ok := n.medicalSpecialty(x); ok {
			return n.doctor, &c, true
		}
	}
	if c, ok := n.specialties[k]; ok {
		if p, ok := n.specialists[c.Code]; ok {
			return p, &c, true
		}
	}
	return Profession{}, nil, false
}

// typoAfter reports whether tail, after the known name head, is a typo of
// the rest of a longer known name starting with head: "diplome etta" after
// "infirmier" is "diplome etat" mistyped.
func (n *Nomenclature) typoAfter(head, tail string) bool {
	limit := maxTypos(utf8.RuneCountInString(tail))
	for k := range n.professions {
		if rest, ok := strings.CutPrefix(k, head+" "); ok && rest != tail && distance(tail, rest) <= limit {
			return true
		}
	}
	return false
}

// otherHealth reports whether qualifier q names a health professional
// other than p: "onco" or "pneumologue" after "Kiné" is a second
// profession, not a qualifier. A specialty ("pneumologie", the ward)
// qualifies anyone: "IDE pneumologie" is an Infirmier.
func (n *Nomenclature) otherHealth(p Profession, q string) bool {
	if m, ok := n.professions[q]; ok {
		return m.Profession.Health && m.Profession != p
	}
	_, specialty := n.medical[q]
	_, specialist := n.medicalSpecialty(q)
	return specialist && !specialty && p != n.doctor
}

// qualifierSpecialty returns the specialty that the qualifier q after
// profession p names, or nil: for a Médecin, a physician's specialty or a
// synonym implying one ("radiologue"); for another profession, one of its
// TRE_R38 specialties ("IBODE" for an Infirmier).
func (n *Nomenclature) qualifierSpecialty(p Profession, q string) *Coded {
	if p == n.doctor {
		if c, ok := n.medicalSpecialty(q); ok {
			return &c
		}
		if m, ok := n.professions[q]; ok && m.Profession == p && m.Specialty != nil {
			return m.Specialty
		}
		return nil
	}
	if c, ok := n.specialties[q]; ok && n.specialists[c.Code] == p {
		return &c
	}
	return nil
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
		for _, k := range []string{k, strings.ReplaceAll(k, " ", ""), profKey(k)} {
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
	if c, ok := n.specialties[strings.ReplaceAll(f, " ", "")]; ok {
		return c, true
	}
	c, ok := n.specialties[profKey(f)]
	return c, ok
}

// ProfessionLabels returns the labels a referent may choose from (official
// labels and the main synonym of each entry of professions.yaml), sorted:
// the drop-down list of the blank template.
func (n *Nomenclature) ProfessionLabels() []string { return slices.Clone(n.profLabels) }

// professionSuggester offers the names a referent may write: the labels
// of the drop-down list and every synonym of professions.yaml, as written
// ("Kinésithérapeuthe" is close to "Kinésithérapeute"). One profession
// (and specialty) is offered once, by its closest name: "Infirmière", not
// also "IDE".
func (n *Nomenclature) professionSuggester() *suggester {
	names := slices.Clone(n.profLabels)
	for _, d := range n.profDefs {
		names = append(names, d.Synonyms...)
	}
	var entries []suggestion
	for _, l := range names {
		p, spec, _ := n.Profession(l)
		group := p.System + " " + p.Code
		if p.Role != nil {
			group += " " + p.Role.Code
		}
		if spec != nil {
			group += " " + spec.Code
		}
		entries = append(entries, suggestion{label: l, keys: []string{profKey(l)}, group: group})
	}
	return newSuggester(entries)
}

// nearestProfessions returns at most k labels close to s, best first; none
// when no label is close (see [suggester]).
func (n *Nomenclature) nearestProfessions(s string, k int) []string {
	return n.profNear.nearest(s, k)
}

// lookupProfession is what [Validator.checkProfession] computes per
// distinct cell text.
func (v *Validator) lookupProfession(val string) professionLookup {
	if p, spec, ok := v.nom.Profession(val); ok {
		return professionLookup{profession: p, specialty: spec, ok: true}
	}
	var near []string
	for _, l := range v.nom.nearestProfessions(val, 3) {
		near = append(near, quote(l))
	}
	return professionLookup{nearest: strings.Join(near, ", ")}
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
		sugg := "Choisissez la profession dans la liste déroulante du modèle ; aucun libellé n'en est proche."
		if pl.nearest != "" {
			sugg = "Choisissez la profession dans la liste déroulante du modèle ; libellés les plus proches : " + pl.nearest + "."
		}
		rc.add(ProfessionUnknown, c,
			"La profession "+quote(val)+" n'est pas reconnue dans la nomenclature nationale des professions.", sugg)
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
