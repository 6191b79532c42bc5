// Package annuairegen writes synthetic extracts of the Annuaire Santé in
// the exact published layouts (the 52-column one and the 2024+ 56-column
// one, [annuaire.Columns52] and [annuaire.Columns56]): header line, fields
// separated by "|", a trailing "|" on every line, no quoting, UTF-8 or
// Latin-1 (Windows-1252) as older extracts.
//
// An extract is a pure function of its [Options]: the same options give
// the same bytes. Lines are made one at a time (streaming, whatever the
// size). Every name is an invented combination of syllables, every
// identifier is in a synthetic range (RPPS 198…, ADELI of the invented
// department 98, keys computed), structures are invented: no real person.
// The persons of [Options.People] (those of a staff list under test) are
// written among the synthetic ones with their activities.
package annuairegen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"github.com/dccprov/dccprov/provision/annuaire"
)

// Options says what extract to write.
type Options struct {
	// Lines is the number of activity lines after the header; it is at
	// least the number of lines of People.
	Lines int
	// Columns is the layout: 56 (the default, 2024+) or 52.
	Columns int
	// Latin1 writes Windows-1252 instead of UTF-8, as extracts before 2024.
	Latin1 bool
	// CRLF ends lines with CR LF.
	CRLF bool
	Seed uint64
	// People are written among the synthetic lines, in order, spread
	// evenly: each person's activities on consecutive lines.
	People []Person
}

// Person is one professional to write.
type Person struct {
	// ID is the identifier in its idNatPs form: "8" + RPPS or "0" + ADELI.
	ID                  string
	LastName, FirstName string // exercise names, as the directory writes them (upper case)
	Profession          string // TRE_G15 code; its label is written from [Professions]
	// Activities are the person's lines; none writes one line without
	// structure.
	Activities []Activity
}

// Activity is one place of work of a [Person].
type Activity struct {
	FINESS, Legal, SIRET string // FINESS of the site, of the legal entity; SIRET of the site
	Site                 string // "Raison sociale site"
}

// Professions are the TRE_G15 codes and labels the generator writes.
var Professions = map[string]string{
	"10": "Médecin", "21": "Pharmacien", "26": "Audioprothésiste", "28": "Opticien-Lunetier",
	"40": "Chirurgien-Dentiste", "50": "Sage-Femme", "60": "Infirmier", "70": "Masseur-Kinésithérapeute",
	"80": "Pédicure-Podologue", "91": "Orthophoniste", "92": "Orthoptiste", "94": "Ergothérapeute",
	"95": "Diététicien", "96": "Psychomotricien", "98": "Manipulateur ERM",
}

// fillerProfessions are the professions of the synthetic persons, by
// weight (doctors and nurses make most of the directory).
var fillerProfessions = []string{"10", "10", "10", "60", "60", "60", "60", "21", "40", "50", "70", "70", "91", "98", "26", "96"}

var (
	syllables  = []string{"BER", "CA", "DRO", "FAU", "GEL", "HOU", "JAR", "LE", "MOR", "NI", "PAS", "QUE", "RAN", "SO", "TEL", "VAU", "ZIM", "BRI", "CHA", "DEL"}
	endings    = []string{"AND", "ET", "IER", "OT", "EAU", "IN", "AS", "ELLE", "OUX", "ARD", "ON", "Y"}
	firstNames = []string{"ALIX", "BASILE", "CLÉMENCE", "DORIAN", "ÉLISE", "FÉLIX", "GAËL", "HORTENSE", "IRIS", "JOACHIM",
		"LÉONIE", "MAËL", "NOÉMIE", "OSCAR", "PERRINE", "RÉMI", "SIXTINE", "TRISTAN", "VICTOIRE", "ZÉLIE", "JEAN-LOUP", "MARIE-ANGE"}
	streets   = []string{"DES ACACIAS", "DU MOULIN", "DE LA GARE", "SAINT-EXEMPLE", "DES TILLEULS", "JEAN EXEMPLE"}
	towns     = []string{"EXEMPLEVILLE", "VAL-FICTIF", "SAINT-EXEMPLE", "BOURG-FICTIF", "PORT-EXEMPLE"}
	modes     = [][2]string{{"L", "Libéral"}, {"S", "Salarié"}, {"B", "Bénévole"}}
	sectors   = [][2]string{{"SA01", "Etablissement public de santé"}, {"SA07", "Cabinet individuel"}, {"SA08", "Cabinet de groupe"}, {"SA05", "Etablissement privé non PSPH"}}
	civilites = [][2]string{{"M", "Monsieur"}, {"MME", "Madame"}}
)

// FileName is the published name of an extract exported on date
// (YYYYMMDD): PS_LibreAcces_Personne_activite_YYYYMMDD0830.txt.
func FileName(date string) string { return "PS_LibreAcces_Personne_activite_" + date + "0830.txt" }

// ErrOptions is the error of invalid options.
var ErrOptions = errors.New("annuairegen: invalid options")

// Write writes the extract o describes to w.
func Write(w io.Writer, o Options) error {
	if o.Columns == 0 {
		o.Columns = 56
	}
	var header []string
	switch o.Columns {
	case 52:
		header = annuaire.Columns52
	case 56:
		header = annuaire.Columns56
	default:
		return fmt.Errorf("%w: %d columns, not 52 or 56", ErrOptions, o.Columns)
	}
	own := 0
	for _, p := range o.People {
		own += max(1, len(p.Activities))
	}
	if o.Lines < own {
		return fmt.Errorf("%w: %d lines, fewer than the %d of People", ErrOptions, o.Lines, own)
	}
	g := &gen{o: o, fields: make([]string, len(header)), col: map[string]int{}}
	for i, h := range header {
		g.col[h] = i
	}
	g.rng = rand.New(&g.src)
	bw := bufio.NewWriterSize(w, 1<<20)
	g.w = bw
	var enc io.WriteCloser
	if o.Latin1 {
		enc = transform.NewWriter(bw, charmap.Windows1252.NewEncoder())
		g.w = enc
	}
	if err := g.line(header); err != nil {
		return err
	}
	// People go at evenly spread line numbers; synthetic persons, of one
	// to three activities, fill the rest.
	filler := o.Lines - own
	next, written, person := 0, 0, 0
	for written < o.Lines {
		if next < len(o.People) && (filler == 0 || written >= next*o.Lines/max(1, len(o.People))) {
			p := o.People[next]
			acts := p.Activities
			if len(acts) == 0 {
				acts = []Activity{{}}
			}
			for _, a := range acts {
				if err := g.line(g.person(p, a, written)); err != nil {
					return err
				}
				written++
			}
			next++
			continue
		}
		g.src.Seed(o.Seed, uint64(person))
		p := g.synthetic(person)
		n := 1 + g.rng.IntN(3)
		for a := range n {
			if written >= o.Lines || filler == 0 {
				break
			}
			if err := g.line(g.person(p, g.activity(person, a), written)); err != nil {
				return err
			}
			written++
			filler--
		}
		person++
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

type gen struct {
	o      Options
	w      io.Writer
	src    rand.PCG
	rng    *rand.Rand
	fields []string
	col    map[string]int
	buf    []byte
}

func (g *gen) line(fields []string) error {
	g.buf = g.buf[:0]
	for _, f := range fields {
		g.buf = append(g.buf, f...)
		g.buf = append(g.buf, '|')
	}
	if g.o.CRLF {
		g.buf = append(g.buf, '\r')
	}
	g.buf = append(g.buf, '\n')
	_, err := g.w.Write(g.buf)
	return err
}

// set sets the column named name (either layout's spelling).
func (g *gen) set(v string, names ...string) {
	for _, n := range names {
		if i, ok := g.col[n]; ok {
			g.fields[i] = v
			return
		}
	}
}

// synthetic returns the synthetic person number n; g.rng is seeded for it.
func (g *gen) synthetic(n int) Person {
	last := syllables[g.rng.IntN(len(syllables))] + syllables[g.rng.IntN(len(syllables))] + endings[g.rng.IntN(len(endings))]
	if g.rng.IntN(8) == 0 {
		last = "DE " + last
	}
	p := Person{LastName: last, FirstName: firstNames[g.rng.IntN(len(firstNames))],
		Profession: fillerProfessions[g.rng.IntN(len(fillerProfessions))]}
	if g.rng.IntN(10) == 0 {
		p.ID = "0" + ADELI(n)
	} else {
		p.ID = "8" + RPPS(n)
	}
	return p
}

// activity returns activity a of synthetic person n; g.rng is seeded for it.
func (g *gen) activity(n, a int) Activity {
	if g.rng.IntN(6) == 0 {
		return Activity{SIRET: SIRET(n*3 + a), Site: "CABINET " + syllables[(n+a)%len(syllables)] + endings[a%len(endings)]}
	}
	k := g.rng.IntN(40_000)
	return Activity{FINESS: FINESS(k), Legal: FINESS(k + 40_000), SIRET: SIRET(k), Site: "CENTRE HOSPITALIER DE " + towns[k%len(towns)]}
}

// person fills the fields of one line of p at activity a.
func (g *gen) person(p Person, a Activity, line int) []string {
	clear(g.fields)
	typ, id := "8", strings.TrimPrefix(p.ID, "8")
	if strings.HasPrefix(p.ID, "0") && len(p.ID) == 10 {
		typ, id = "0", p.ID[1:]
	}
	h := uint64(line)*0x9e3779b97f4a7c15 ^ g.o.Seed
	civ := civilites[h%2]
	g.set(typ, "Type d'identifiant PP")
	g.set(id, "Identifiant PP")
	g.set(p.ID, "Identification nationale PP")
	if p.Profession == "10" {
		g.set("DR", "Code civilité d'exercice")
		g.set("Docteur", "Libellé civilité d'exercice", "Libellé civilité exercice")
	}
	g.set(civ[0], "Code civilité")
	g.set(civ[1], "Libellé civilité")
	g.set(p.LastName, "Nom d'exercice")
	g.set(p.FirstName, "Prénom d'exercice")
	g.set(p.Profession, "Code profession")
	g.set(Professions[p.Profession], "Libellé profession")
	g.set("C", "Code catégorie professionnelle")
	g.set("Civil", "Libellé catégorie professionnelle")
	if a == (Activity{}) {
		return g.fields
	}
	m := modes[(h>>8)%uint64(len(modes))]
	g.set(m[0], "Code mode exercice")
	g.set(m[1], "Libellé mode exercice")
	g.set(a.SIRET, "Numéro SIRET site")
	if len(a.SIRET) == 14 {
		g.set(a.SIRET[:9], "Numéro SIREN site")
	}
	g.set(a.FINESS, "Numéro FINESS site")
	g.set(a.Legal, "Numéro FINESS établissement juridique")
	switch {
	case a.FINESS != "":
		g.set("F"+a.FINESS, "Identifiant technique de la structure")
	case a.SIRET != "":
		g.set("R"+a.SIRET, "Identifiant technique de la structure")
	}
	g.set(a.Site, "Raison sociale site")
	g.set(strconv.Itoa(int(h>>16)%90+1), "Numéro Voie (coord. structure)")
	g.set("R", "Code type de voie (coord. structure)")
	g.set("Rue", "Libellé type de voie (coord. structure)")
	g.set(streets[(h>>24)%uint64(len(streets))], "Libellé Voie (coord. structure)")
	cp := fmt.Sprintf("99%03d", (h>>32)%1000)
	town := towns[(h>>40)%uint64(len(towns))]
	g.set(cp+" "+town, "Bureau cedex (coord. structure)")
	g.set(cp, "Code postal (coord. structure)")
	g.set("99"+cp[2:], "Code commune (coord. structure)")
	g.set(town, "Libellé commune (coord. structure)")
	g.set("99100", "Code pays (coord. structure)")
	g.set("France", "Libellé pays (coord. structure)")
	g.set("0199"+fmt.Sprintf("%06d", (h>>12)%1_000_000), "Téléphone (coord. structure)")
	g.set("99", "Code Département (structure)", "Code département (coord. structure)")
	g.set("Exemple", "Libellé Département (structure)", "Libellé département (coord. structure)")
	g.set("ARS/ARS/ARS", "Autorité d'enregistrement")
	s := sectors[(h>>48)%uint64(len(sectors))]
	g.set(s[0], "Code secteur d'activité")
	g.set(s[1], "Libellé secteur d'activité")
	if p.Profession == "10" {
		g.set("FON-01", "Code fonction")
		g.set("Médecin", "Libellé fonction")
	}
	g.set("GENR01", "Code genre d'activité")
	g.set("Activité standard de soin ou de pharmacien", "Libellé genre d'activité")
	return g.fields
}

// RPPS returns the synthetic RPPS number n (0 to 99 999 999): "198", n on
// 7 digits, its Luhn key. The 198 range is beyond the numbers issued so
// far, and apart from the 199 range of the staff-list generator.
func RPPS(n int) string { return withKey(fmt.Sprintf("198%07d", n%10_000_000)) }

// ADELI returns the synthetic ADELI number n (0 to 999 999): department
// 98 (invented), n on 6 digits, its Luhn key.
func ADELI(n int) string { return withKey(fmt.Sprintf("98%06d", n%1_000_000)) }

// FINESS returns the synthetic FINESS number n: department 99.
func FINESS(n int) string { return withKey(fmt.Sprintf("99%06d", n%1_000_000)) }

// SIRET returns the synthetic SIRET n: a SIREN of 999, then 11 digits
// with the key.
func SIRET(n int) string { return withKey(fmt.Sprintf("999%010d", n)) }

// withKey appends the Luhn key to the digits of s.
func withKey(s string) string {
	for k := range 10 {
		c := s + strconv.Itoa(k)
		if luhn(c) {
			return c
		}
	}
	panic("unreachable")
}

func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
