package provision

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/dccprov/dccprov/provision/annuaire"
)

// directory cross-checks a list against an Annuaire Santé extract
// ([Config.Annuaire]), within the checker's two passes:
//
//   - pass 1 ([directory.note]) keeps, for each row with a valid
//     identifier, its identifier, names and profession packed in one
//     string ([dirRow]), and the set of the list's identifiers;
//   - between the passes, [directory.load] streams the extract once and
//     keeps only the lines of those identifiers ([dirPerson]): memory
//     grows with the list's identifiers, never with the extract;
//   - [checker.resolve] decides each row's findings ([directory.verdict]),
//     so that the counts are known before pass 2, which writes their
//     messages from the row and what the extract says.
type directory struct {
	file   *annuaire.File
	rows   []dirRow
	people map[string]*dirPerson // by idNatPs; nil until the extract has it
	info   DirectoryInfo
}

// DirectoryInfo says which Annuaire Santé extract a check used, for the
// report: the extract's name, date, lines, layout and encoding, and how
// many of the list's distinct identifiers it was asked for and has.
type DirectoryInfo struct {
	annuaire.Info
	Checked int `json:"identifiers_checked"`
	Found   int `json:"identifiers_found"`
}

// dirRow is what pass 1 keeps of a row with an identifier: its index and
// its identifier (idNatPs), birth name, usage name, first name,
// profession system and code, separated by NUL.
type dirRow struct {
	idx    int32
	packed string
}

func (r dirRow) fields() (id, birth, usage, first, system, code string) {
	f := strings.SplitN(r.packed, "\x00", 6)
	return f[0], f[1], f[2], f[3], f[4], f[5]
}

// dirPerson is what the extract says of one identifier of the list: its
// distinct names, professions and places of work (each capped at
// maxDirEntries: a person has a few).
type dirPerson struct {
	names  []dirName
	profs  []Coded
	places []dirPlace
}

type dirName struct{ last, first string }

type dirPlace struct{ finess, legal, siret, site string }

const maxDirEntries = 64

// openDirectory opens the extract of cfg and reads its header, so that a
// file that is not one fails before the list is read; nil when none is
// configured.
func openDirectory(cfg *Config) (*directory, error) {
	if cfg.Annuaire == "" {
		return nil, nil
	}
	f, err := annuaire.Open(cfg.Annuaire)
	if err != nil {
		return nil, err
	}
	return &directory{file: f, people: map[string]*dirPerson{}, info: DirectoryInfo{Info: f.Info()}}, nil
}

// close closes the extract; it may be called more than once.
func (d *directory) close() {
	if d != nil && d.file != nil {
		d.file.Close()
		d.file = nil
	}
}

// note records row idx's person, when it has an identifier.
func (d *directory) note(idx int, p Person) {
	if p.ID.IsZero() {
		return
	}
	id := p.ID.IDNatPS()
	packed := strings.Join([]string{id, p.BirthName, p.UsageName, p.FirstName, p.Profession.System, p.Profession.Code}, "\x00")
	d.rows = append(d.rows, dirRow{idx: int32(idx), packed: packed})
	if _, ok := d.people[id]; !ok {
		d.people[packed[:len(id)]] = nil // the key shares the packed string
	}
}

// load streams the extract once, keeping the lines of the list's
// identifiers, then closes it.
func (d *directory) load(ctx context.Context) error {
	defer d.close()
	keep := func(key []byte) bool {
		_, ok := d.people[string(key)] // no allocation
		return ok
	}
	err := d.file.Scan(ctx, keep, func(l *annuaire.Line) error {
		dp := d.people[l.Key]
		if dp == nil {
			dp = &dirPerson{}
			d.people[l.Key] = dp
		}
		dp.add(l)
		return nil
	})
	if err != nil {
		return err
	}
	d.info.Info = d.file.Info()
	d.info.Checked = len(d.people)
	for _, dp := range d.people {
		if dp != nil {
			d.info.Found++
		}
	}
	return nil
}

func (dp *dirPerson) add(l *annuaire.Line) {
	if n := (dirName{strings.ToUpper(l.LastName), strings.ToUpper(l.FirstName)}); n.last != "" && len(dp.names) < maxDirEntries && !slices.Contains(dp.names, n) {
		dp.names = append(dp.names, n)
	}
	if l.Profession != "" && len(dp.profs) < maxDirEntries && !slices.ContainsFunc(dp.profs, func(c Coded) bool { return c.Code == l.Profession }) {
		dp.profs = append(dp.profs, Coded{Code: l.Profession, Label: l.ProfessionLabel})
	}
	if pl := (dirPlace{strings.ToUpper(l.FINESS), strings.ToUpper(l.Legal), l.SIRET, l.Site}); pl != (dirPlace{}) && len(dp.places) < maxDirEntries && !slices.Contains(dp.places, pl) {
		dp.places = append(dp.places, pl)
	}
}

// resolveDirectory adds the directory's findings of every row with an
// identifier to found; finessOf gives a row's establishment FINESS ("" when
// the list gives none).
func (c *checker) resolveDirectory(found []crossFinding) []crossFinding {
	d := c.dir
	if d == nil {
		return found
	}
	for _, r := range d.rows {
		id, birth, usage, first, system, code := r.fields()
		dp := d.people[id]
		finess := c.estKeys[c.keys.at(int(r.idx)).est]
		if strings.HasPrefix(finess, "name:") {
			finess = ""
		}
		for _, v := range dirVerdict(dp, birth, usage, first, system, code, finess) {
			found = append(found, crossFinding{idx: r.idx, rank: crossRank(v), dp: dp})
		}
	}
	return found
}

// dirVerdict returns the codes of a row whose identifier the extract gives
// dp (nil: not in the extract), in the order of [crossRank]. A name that
// does not match says the number is someone else's: the profession and the
// establishment are then not compared.
func dirVerdict(dp *dirPerson, birth, usage, first, system, code, finess string) []Code {
	if dp == nil {
		return []Code{IDNotInDirectory}
	}
	if _, ok := dp.nameMatch(birth, usage, first); !ok {
		return []Code{IDNameMismatch}
	}
	var out []Code
	if code != "" && len(dp.profs) > 0 && !dp.hasProfession(system, code) {
		out = append(out, ProfessionMismatch)
	}
	if finess != "" && !dp.worksAt(finess) {
		out = append(out, EstablishmentNotInDirectory)
	}
	return out
}

func (dp *dirPerson) hasProfession(system, code string) bool {
	return system == SystemG15 && slices.ContainsFunc(dp.profs, func(c Coded) bool { return c.Code == code })
}

func (dp *dirPerson) worksAt(finess string) bool {
	return slices.ContainsFunc(dp.places, func(p dirPlace) bool { return p.finess == finess || p.legal == finess })
}

// nameMatch reports whether the list's names match one of the extract's:
// the birth or the usage name against the exercise name, and the first
// names (see [sameName]); lastOK says whether a last name matched. Names
// the list or the extract leaves empty are not compared.
func (dp *dirPerson) nameMatch(birth, usage, first string) (lastOK, ok bool) {
	if birth == "" && usage == "" || len(dp.names) == 0 {
		return true, true
	}
	for _, n := range dp.names {
		if !sameName(birth, n.last) && !sameName(usage, n.last) {
			continue
		}
		lastOK = true
		if first == "" || n.first == "" || sameName(first, n.first) {
			return true, true
		}
	}
	return lastOK, false
}

// nameParticles are left out when names are compared word by word.
var nameParticles = []string{"d", "de", "du", "des", "l", "la", "le", "les", "di", "da", "del", "della", "van", "von", "der", "den", "ter", "ten"}

// sameName reports whether two spellings of a name are the same name:
// compared without case, accents or punctuation ("Lévêque" is "LEVEQUE",
// "Marie-Hélène" is "MARIE HELENE"), glued ("D'ARTAGNAN" is "DARTAGNAN",
// "LE GUEN" is "LEGUEN"), or word by word without the particles (de, d',
// du, le …), one name holding every word of the other: a compound name
// matches one of its parts ("DUPONT" is "DUPONT-MARTIN", "MARTIN DUPONT"
// is "DUPONT"). An empty name matches none.
func sameName(a, b string) bool {
	fa, fb := fold(a), fold(b)
	if fa == "" || fb == "" {
		return false
	}
	if fa == fb || strings.ReplaceAll(fa, " ", "") == strings.ReplaceAll(fb, " ", "") {
		return true
	}
	wa, wb := nameWords(fa), nameWords(fb)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	return subset(wa, wb) || subset(wb, wa)
}

// nameWords returns the words of a folded name, without its particles.
func nameWords(folded string) []string {
	var out []string
	for w := range strings.FieldsSeq(folded) {
		if !slices.Contains(nameParticles, w) {
			out = append(out, w)
		}
	}
	return out
}

func subset(a, b []string) bool {
	for _, w := range a {
		if !slices.Contains(b, w) {
			return false
		}
	}
	return true
}

// addDirectory adds finding f of the directory to the row of pass 2.
func (c *checker) addDirectory(rc *rowCheck, f crossFinding) {
	p := rc.person
	kind := string(p.ID.Kind)
	idCell := rc.row.Get(FieldID)
	num := "Le numéro " + kind + " " + quote(clean(idCell.Value))
	switch f.code() {
	case IDNotInDirectory:
		rc.add(IDNotInDirectory, idCell, num+" n'est pas dans l'Annuaire Santé ("+c.dir.extractName()+").", "")
	case IDNameMismatch:
		lastOK, _ := f.dp.nameMatch(p.BirthName, p.UsageName, p.FirstName)
		cell := rc.row.Get(FieldBirthName)
		if lastOK {
			cell = rc.row.Get(FieldFirstName)
		}
		listed := strings.TrimSpace(p.BirthName + " " + p.FirstName)
		if p.UsageName != "" && p.UsageName != p.BirthName {
			listed += ", nom d'usage " + p.UsageName
		}
		found := f.dp.nameList()
		rc.add(IDNameMismatch, cell,
			"L'Annuaire Santé donne "+lowerFirst(num)+" à "+quote(found)+", pas à "+quote(strings.TrimSpace(listed))+
				" : vérifiez le numéro, ou le nom s'il est mal écrit.",
			found)
	case ProfessionMismatch:
		labels := f.dp.professionList()
		rc.add(ProfessionMismatch, rc.row.Get(FieldProfession),
			"L'Annuaire Santé enregistre "+lowerFirst(num)+" comme "+labels+", pas comme "+quote(p.Profession.Label)+".",
			"Vérifiez la profession (et le numéro) : l'Annuaire Santé indique "+labels+".")
	case EstablishmentNotInDirectory:
		cell := rc.row.Get(FieldFINESS)
		if clean(cell.Value) == "" {
			cell = rc.row.Get(FieldEstablishment)
		}
		msg := "L'Annuaire Santé n'enregistre aucune activité de la personne (" + lowerFirst(num) + ") à l'établissement de FINESS " +
			quote(p.Establishment.FINESS) + "."
		sugg := "Vérifiez le FINESS de l'établissement ; si la personne vient d'y arriver, elle doit faire mettre à jour son activité auprès de son ordre ou de l'ARS."
		if places := f.dp.placeList(); places != "" {
			sugg = "Vérifiez le FINESS de l'établissement : l'Annuaire Santé enregistre ses activités à " + places + "."
		}
		rc.add(EstablishmentNotInDirectory, cell, msg, sugg)
	}
}

// extractName names the extract in a message: its date, or its name.
func (d *directory) extractName() string {
	if date := d.info.Date; len(date) == 10 {
		return "extrait du " + date[8:10] + "/" + date[5:7] + "/" + date[0:4]
	}
	return "extrait " + quote(d.info.File)
}

// nameList is the extract's names of the person, "NOM PRÉNOM", joined by
// "ou" (three at most).
func (dp *dirPerson) nameList() string {
	var s []string
	for _, n := range dp.names[:min(3, len(dp.names))] {
		s = append(s, strings.TrimSpace(n.last+" "+n.first))
	}
	return strings.Join(s, " ou ")
}

// professionList is the extract's professions of the person, quoted.
func (dp *dirPerson) professionList() string {
	var s []string
	for _, p := range dp.profs[:min(3, len(dp.profs))] {
		label := p.Label
		if label == "" {
			label = "code " + p.Code
		}
		s = append(s, quote(label))
	}
	return strings.Join(s, " ou ")
}

// placeList is the extract's places of work of the person that have a
// FINESS, for a suggestion (three at most), or "".
func (dp *dirPerson) placeList() string {
	var s []string
	for _, p := range dp.places {
		if len(s) == 3 {
			s = append(s, "…")
			break
		}
		f := cmp.Or(p.finess, p.legal)
		switch {
		case f != "" && p.site != "":
			s = append(s, p.site+" (FINESS "+f+")")
		case f != "":
			s = append(s, "FINESS "+f)
		case p.site != "":
			s = append(s, p.site)
		}
	}
	return strings.Join(s, ", ")
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
