// Command gen writes the synthetic staff list of samples/: an .xlsx as a
// referent would send it (instructions sheet first, titles above the header,
// a few planted problems) and the same list as a French-Excel CSV (";",
// Windows-1252). Output is deterministic: same bytes on every run.
//
// Usage:
//
//	go run ./samples/gen -o samples/liste-personnels.xlsx
//
// The CSV is written next to the workbook, with the .csv extension.
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// establishment is one of the three synthetic establishments; finess is
// computed with a valid key.
type establishment struct {
	name, prefix, domain string
}

var establishments = []establishment{
	{"CHU Exemple-sur-Loire", "44000017", "chu-exemple.fr"},
	{"Clinique des Tilleuls", "92030055", "clinique-tilleuls-exemple.fr"},
	{"Centre hospitalier de Porto-Exemple", "2A000063", "ch-porto-exemple.fr"},
}

var lastNames = []string{
	"ABRIVARD", "BELLONCLE", "CASTAGNOU", "DELAVERGNE", "ESCOFFIAN", "FAUCHERAND", "GARNIVOT", "HOUDELINE",
	"ISAMBRET", "JOUVANCEL", "KERVADEC", "LAFFORGUE", "MARCILLAT", "NOGARETTE", "OLLIVAUX", "PERCHERAUD",
	"QUINTARD", "ROUVELLAC", "SABATHIER", "TOURNEMOLLE", "URVOISE", "VALLANDRIN", "WATTELIER", "YVERNAUX",
	"ZAMPIGNY", "D'ARLANDEAU", "LE GUENNEC", "DE LA FRESNAYE", "MONTAGNAC", "BRISSONNEAU",
}

var firstNames = []string{
	"Amélie", "Bastien", "Céline", "Damien", "Élodie", "Florent", "Gaëlle", "Hugo", "Inès", "Jérôme",
	"Karine", "Loïc", "Maëlle", "Noé", "Océane", "Pascal", "Quentin", "Rozenn", "Solène", "Thibault",
	"Ursule", "Valentin", "Wendy", "Xavier", "Yann", "Zoé", "Anne-Sophie", "Jean-Baptiste", "Hélène", "François",
}

// role is a kind of staff member: profession as written, specialty,
// identifier kind, habilitations and login mode.
type role struct {
	profession, specialty string
	id                    string // "rpps" or ""
	habilitations         []string
	login                 []string
}

var roles = []role{
	{"Médecin", "Oncologie option médicale", "rpps", []string{"PARTICIPANT_RCP"}, []string{"CPS", "Carte CPS", "e-CPS"}},
	{"Oncologue", "", "rpps", []string{"Participant aux RCP", "Consultation des dossiers"}, []string{"CPS"}},
	{"Médecin", "Radiothérapie", "rpps", []string{"PARTICIPANT_RCP; CONSULTATION"}, []string{"CPS"}},
	{"IDE", "", "rpps", []string{"Consultation des dossiers"}, []string{"SMS", "code SMS"}},
	{"Infirmière", "", "rpps", []string{"CONSULTATION", "Participant aux RCP"}, []string{"SMS", "CPS"}},
	{"Pharmacien", "", "rpps", []string{"CONSULTATION"}, []string{"CPS"}},
	{"Manipulateur radio", "", "", []string{"Consultation"}, []string{"SMS"}},
	{"Secrétaire médicale", "", "", []string{"Secrétaire de RCP", "SECRETAIRE_RCP, CONSULTATION"}, []string{"CPE", "Mail"}},
	{"Psychologue", "", "", []string{"Consultation des dossiers"}, []string{"Mail", "Courriel"}},
}

// mobilePrefixes are metropolitan mobile ranges (06 and 07), avoiding the
// overseas ones (0639, 069x) so that every sample phone is plainly French.
var mobilePrefixes = []string{"061", "062", "064", "065", "066", "067", "068", "075", "076", "077", "078"}

// person is one row of the list.
type person struct {
	birth, usage, first, email, phone, profession, specialty, id, estab, finess, habilitations, login string
	phoneAsNumber                                                                                     bool
}

var header = []string{
	"Nom de naissance", "Nom d'usage", "Prénom", "Adresse mail professionnelle", "Tél. portable",
	"Profession", "Spécialité", "N° RPPS/ADELI", "Établissement", "FINESS", "Habilitation(s)", "Mode de connexion",
}

// headerRow is the row of the header in the workbook: three title rows
// come first.
const headerRow = 4

func main() {
	out := flag.String("o", "samples/liste-personnels.xlsx", "write the workbook to `FILE` (and the CSV next to it)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	people := generate()
	if err := writeXLSX(*out, people); err != nil {
		log.Fatal(err)
	}
	csvPath := strings.TrimSuffix(*out, ".xlsx") + ".csv"
	if err := writeCSV(csvPath, people); err != nil {
		log.Fatal(err)
	}
}

// luhnKey returns the digit that makes payload+digit pass the Luhn check;
// in a FINESS, Corsica's 2A and 2B count as 21 and 22.
func luhnKey(payload string) string {
	payload = strings.NewReplacer("A", "1", "B", "2").Replace(payload)
	sum := 0
	for i := len(payload) - 1; i >= 0; i-- {
		d := int(payload[i] - '0')
		if (len(payload)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return fmt.Sprint((10 - sum%10) % 10)
}

func generate() []person {
	rng := rand.New(rand.NewPCG(2026, 115))
	var people []person
	used := map[string]bool{}
	for i := range 60 {
		e := establishments[i%len(establishments)]
		r := roles[rng.IntN(len(roles))]
		if i%10 == 0 {
			r = roles[0] // enough doctors for the signature habilitations
		}
		var first, last string
		for {
			first, last = firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
			if !used[first+last] {
				used[first+last] = true
				break
			}
		}
		p := person{
			birth:         last,
			first:         first,
			email:         emailOf(first, last, e.domain),
			phone:         mobilePrefixes[rng.IntN(len(mobilePrefixes))] + fmt.Sprintf("%07d", rng.IntN(10_000_000)),
			profession:    r.profession,
			specialty:     r.specialty,
			estab:         e.name,
			finess:        e.prefix + luhnKey(e.prefix),
			habilitations: r.habilitations[rng.IntN(len(r.habilitations))],
			login:         r.login[rng.IntN(len(r.login))],
		}
		if r.id == "rpps" {
			// The 199 prefix is far beyond the RPPS numbers issued so far: a
			// synthetic number cannot be a real professional's.
			payload := fmt.Sprintf("199%07d", rng.IntN(10_000_000))
			p.id = payload + luhnKey(payload)
		}
		if i%7 == 3 && (r.profession == "Infirmière" || r.profession == "IDE") {
			p.usage = lastNames[(i*7)%len(lastNames)]
		}
		people = append(people, p)
	}
	plant(people)
	return people
}

// plant puts the problems README.md lists, at fixed rows.
func plant(people []person) {
	at := func(row int) *person { return &people[row-headerRow-1] }
	at(6).email = strings.Replace(at(6).email, "@", "@@", 1) // EMAIL_INVALID
	p := at(9)                                               // RPPS_INVALID: wrong key
	p.profession, p.specialty, p.login, p.habilitations = "Médecin", "Oncologie option médicale", "CPS", "PARTICIPANT_RCP"
	p.id = p.id[:10] + fmt.Sprint((int(p.id[10]-'0')+1)%10)
	at(12).phoneAsNumber = true // CELL_REPAIRED: 0612… typed as a number
	at(12).phone = "06" + at(12).phone[2:]
	p = at(15) // EMAIL_GENERIC
	p.profession, p.specialty, p.id, p.login, p.habilitations = "Secrétaire médicale", "", "", "CPE", "Secrétaire de RCP"
	p.email = "secretariat.onco@" + domainOf(p.email)
	at(19).email = at(18).email                                            // EMAIL_SHARED (rows 18 and 19)
	at(22).habilitations = "Super-utilisateur"                             // HABILITATION_UNKNOWN
	at(26).profession, at(26).specialty = "Infirmiere diplomée d'etta", "" // PROFESSION_UNKNOWN
	// Habilitations that need the director's signature, for doctors.
	for _, row := range []int{5, 35, 45} {
		p := at(row)
		p.profession, p.specialty, p.login = "Médecin", "Oncologie option médicale", "CPS"
		if p.id == "" {
			p.id = "1999990000" + luhnKey("1999990000")
		}
	}
	at(5).habilitations = "Participant aux RCP; Coordonnateur de RCP"
	at(35).habilitations = "ACCES_ETENDU"
	at(45).habilitations = "PARTICIPANT_RCP\nCOORDONNATEUR_RCP"
}

func emailOf(first, last, domain string) string {
	clean := func(s string) string {
		s = strings.ToLower(s)
		s = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "ï", "i", "î", "i", "ô", "o", "ö", "o",
			"à", "a", "â", "a", "ç", "c", "ü", "u", "û", "u", "'", "", " ", "-").Replace(s)
		return s
	}
	return clean(first) + "." + clean(last) + "@" + domain
}

func domainOf(email string) string {
	_, d, _ := strings.Cut(email, "@")
	return strings.TrimPrefix(d, "@")
}

func (p person) cells() []string {
	return []string{p.birth, p.usage, p.first, p.email, p.phone, p.profession, p.specialty, p.id,
		p.estab, p.finess, p.habilitations, p.login}
}

func writeXLSX(path string, people []person) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDocProps(&excelize.DocProperties{
		Creator: "dccprov samples/gen", Created: "2026-01-15T00:00:00Z", Modified: "2026-01-15T00:00:00Z",
		Title: "Liste des professionnels — accès au DCC", Language: "fr-FR",
	}); err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", "Consignes"); err != nil {
		return err
	}
	for i, line := range []string{
		"Demande d'accès au dossier communicant de cancérologie (DCC)",
		"Remplissez la feuille « Personnels » : une ligne par personne et par établissement.",
		"Habilitations possibles : Consultation des dossiers, Participant aux RCP, Secrétaire de RCP, Coordonnateur de RCP,",
		"Accès étendu aux dossiers de l'établissement, Administrateur local de l'établissement, Administrateur 3C.",
		"Mode de connexion : CPS, CPE, SMS ou Mail. Données fictives (exemple dccprov).",
	} {
		if err := f.SetCellStr("Consignes", fmt.Sprintf("A%d", i+1), line); err != nil {
			return err
		}
	}
	const sheet = "Personnels"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	rows := [][]any{
		{excelize.Cell{StyleID: title, Value: "Liste des professionnels — accès au DCC"}},
		{"Réseau 3C Exemple — établissements : CHU Exemple-sur-Loire, Clinique des Tilleuls, CH de Porto-Exemple"},
		{},
	}
	h := make([]any, len(header))
	for i, s := range header {
		h[i] = excelize.Cell{StyleID: bold, Value: s}
	}
	rows = append(rows, h)
	for _, p := range people {
		cells := p.cells()
		row := make([]any, len(cells))
		for i, c := range cells {
			switch {
			case i == 4 && p.phoneAsNumber:
				var n int
				fmt.Sscan(strings.TrimPrefix(c, "0"), &n)
				row[i] = n // the planted number-typed phone: its 0 is lost
			case i == 4 || i == 7 || i == 9:
				row[i] = excelize.Cell{StyleID: text, Value: c}
			default:
				row[i] = c
			}
		}
		rows = append(rows, row)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			return err
		}
	}
	if err := sw.MergeCell("A1", "F1"); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	f.SetActiveSheet(1)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeCSV(path string, people []person) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	if err := w.Write(header); err != nil {
		return err
	}
	for _, p := range people {
		c := p.cells()
		if p.phoneAsNumber {
			c[4] = strings.TrimPrefix(c[4], "0") // as Excel saves a number-typed phone
		}
		if err := w.Write(c); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	data, err := charmap.Windows1252.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		return fmt.Errorf("encoding %s as Windows-1252: %w", path, err)
	}
	return os.WriteFile(path, data, 0o644)
}
