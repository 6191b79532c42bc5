package provision

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// TemplateLists are the values offered by the drop-down lists of the blank
// staff-list workbook, from the same catalogues the validator uses.
type TemplateLists struct {
	Professions   []string // profession labels
	Habilitations []string // habilitation labels
	LoginModes    []string // CPS, CPE, SMS, Mail
}

// NewTemplateLists returns the values of the drop-down lists of the blank
// workbook, which the corrections workbook offers too: the profession
// labels of the nomenclature, the labels of the habilitation catalogue
// (cfg.Habilitations, or the embedded default) and the login modes, from
// the catalogues the validator uses.
func NewTemplateLists(cfg *Config) (TemplateLists, error) {
	profs, err := ProfessionLabels(cfg)
	if err != nil {
		return TemplateLists{}, err
	}
	defs := cfg.Habilitations
	if defs == nil {
		if defs, err = DefaultHabilitations(cfg.Templates); err != nil {
			return TemplateLists{}, err
		}
	}
	lists := TemplateLists{Professions: profs}
	for _, h := range defs {
		lists.Habilitations = append(lists.Habilitations, h.Label)
	}
	for _, m := range loginModes {
		lists.LoginModes = append(lists.LoginModes, string(m))
	}
	return lists, nil
}

// The sheets of the blank workbook and its size. They are never written.
var (
	templateSheet      = "Personnels"
	templateInfoSheet  = "Instructions"
	templateListsSheet = "Listes"
	templateRows       = 1000 // rows prepared (formats, lists) under the header
)

// templateColumns are the columns of the blank workbook, in the order of
// [Fields], with their French headers and widths; text marks the columns
// formatted as text so Excel keeps leading zeros and long numbers.
var templateColumns = []struct {
	field  Field
	header string
	width  float64
	text   bool
}{
	{FieldBirthName, "Nom de naissance", 22, false},
	{FieldUsageName, "Nom d'usage", 18, false},
	{FieldFirstName, "Prénom", 18, false},
	{FieldEmail, "Courriel professionnel", 34, false},
	{FieldMobile, "Téléphone mobile", 18, true},
	{FieldProfession, "Profession", 30, false},
	{FieldSpecialty, "Spécialité", 26, false},
	{FieldID, "N° RPPS/ADELI", 16, true},
	{FieldEstablishment, "Établissement", 32, false},
	{FieldFINESS, "N° FINESS", 13, true},
	{FieldHabilitations, "Habilitation(s)", 40, false},
	{FieldLoginMode, "Mode de connexion", 18, false},
}

// templateInstructions is the French how-to of the first sheet.
var templateInstructions = []string{
	"Liste des personnels à habiliter au dossier communicant de cancérologie (DCC)",
	"",
	"Comment remplir ce classeur",
	"1. Remplissez la feuille « Personnels » : une ligne par personne et par établissement où elle exerce.",
	"2. Ne modifiez pas les titres de la première ligne ; n'insérez pas de colonne ni de ligne de titre.",
	"3. Nom de naissance, prénom, courriel, profession, habilitation(s) et mode de connexion sont obligatoires.",
	"4. Le courriel doit être professionnel et nominatif (pas de boîte de service comme secretariat@…).",
	"5. Téléphone mobile : 10 chiffres (06 12 34 56 78) ou +33 6 12 34 56 78 ; obligatoire pour la connexion par SMS.",
	"6. N° RPPS (11 chiffres) ou ADELI (9 caractères) : obligatoire pour la connexion par carte CPS ou e-CPS.",
	"7. Établissement : son nom et son N° FINESS (9 caractères).",
	"8. Profession, habilitation(s) et mode de connexion : choisissez dans les listes déroulantes.",
	"   Plusieurs habilitations sont possibles dans une même cellule : séparez-les par « ; ».",
	"9. Modes de connexion : CPS (carte CPS ou e-CPS), CPE (carte d'établissement, personnels non soignants),",
	"   SMS (code à usage unique envoyé au mobile), Mail (code à usage unique envoyé par courriel).",
	"10. Remplissez aussi la feuille « Établissements » : une ligne par établissement (N° FINESS et nom),",
	"   ses contacts (référent 3C, promoteur, contact DSIO) et ses prérequis de déploiement ;",
	"   choisissez les réponses dans les listes déroulantes (oui, non, en cours, sans objet).",
	"",
	"Les habilitations signalées comme soumises à signature ne sont accordées qu'après signature du formulaire",
	"par le directeur de l'établissement (ou son représentant).",
	"",
	"Les numéros de téléphone, RPPS/ADELI et FINESS sont au format texte : saisissez-les tels quels.",
	"Le classeur renvoyé est contrôlé ligne par ligne ; les cellules à corriger vous seront signalées.",
}

// WriteTemplate writes the blank staff-list workbook: a sheet of
// instructions, then the sheet "Personnels" with the expected columns and
// their French headers, a frozen header row, drop-down lists for the
// profession, the habilitations and the login mode, and the phone,
// RPPS/ADELI and FINESS columns formatted as text. A list too long for
// Excel's inline limit (255 characters) is written to a hidden sheet
// "Listes" and referenced by range. The habilitation list only informs, so
// that several habilitations separated by ";" are still accepted. date
// stamps the document properties.
func WriteTemplate(w io.Writer, lists TemplateLists, date time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	t := &templateBook{f: f}
	steps := []func() error{
		func() error { return f.SetSheetName("Sheet1", templateInfoSheet) },
		t.instructions,
		t.staffSheet,
		t.checklistSheet,
		func() error { return t.validations(lists) },
		func() error { return setDocDate(f, date) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("writing template workbook: %w", err)
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("writing template workbook: %w", err)
	}
	return nil
}

type templateBook struct {
	f         *excelize.File
	listsUsed int // columns of the Listes sheet in use
}

func (t *templateBook) instructions() error {
	for i, line := range templateInstructions {
		if line == "" {
			continue
		}
		if err := t.f.SetCellStr(templateInfoSheet, fmt.Sprintf("A%d", i+1), safeCell(line)); err != nil {
			return err
		}
	}
	title, err := t.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	if err := t.f.SetCellStyle(templateInfoSheet, "A1", "A1", title); err != nil {
		return err
	}
	bold, err := t.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := t.f.SetCellStyle(templateInfoSheet, "A3", "A3", bold); err != nil {
		return err
	}
	return t.f.SetColWidth(templateInfoSheet, "A", "A", 120)
}

// sheetColumn is one column of a sheet of the blank workbook: its header,
// its width, and whether its cells are formatted as text.
type sheetColumn struct {
	header string
	width  float64
	text   bool
}

// headerSheet adds the sheet s of the blank workbook with cols' headers on
// a frozen first row of height height (bold, wrapped, on the fill colour),
// cols' widths, and on rows 2 to rows+1 of the text columns number format
// 49 ("@"), so Excel keeps leading zeros and long numbers.
func (t *templateBook) headerSheet(s, fill string, height float64, rows int, cols []sheetColumn) error {
	if _, err := t.f.NewSheet(s); err != nil {
		return err
	}
	head, err := t.f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
	})
	if err != nil {
		return err
	}
	text, err := t.f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	last := fmt.Sprintf("%d", rows+1)
	for i, c := range cols {
		col := ColumnName(i + 1)
		if err := t.f.SetCellStr(s, col+"1", safeCell(c.header)); err != nil {
			return err
		}
		if err := t.f.SetColWidth(s, col, col, c.width); err != nil {
			return err
		}
		if c.text {
			if err := t.f.SetCellStyle(s, col+"2", col+last, text); err != nil {
				return err
			}
		}
	}
	lastCol := ColumnName(len(cols))
	if err := t.f.SetCellStyle(s, "A1", lastCol+"1", head); err != nil {
		return err
	}
	if err := t.f.SetRowHeight(s, 1, height); err != nil {
		return err
	}
	return t.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func (t *templateBook) staffSheet() error {
	cols := make([]sheetColumn, len(templateColumns))
	for i, c := range templateColumns {
		cols[i] = sheetColumn{c.header, c.width, c.text}
	}
	return t.headerSheet(templateSheet, "DDEBF7", 30, templateRows, cols)
}

// templateColumn returns the letter of field's column.
func templateColumn(field Field) string {
	for i, c := range templateColumns {
		if c.field == field {
			return ColumnName(i + 1)
		}
	}
	panic("provision: no template column for " + string(field))
}

// dropDown is a drop-down list of the blank workbook, also offered by the
// corrections workbook on the same column.
type dropDown struct {
	field      Field
	values     []string
	style      excelize.DataValidationErrorStyle
	errTitle   string
	errMsg     string
	inputTitle string
	inputMsg   string
}

// dropDowns returns the drop-down lists of lists, each value as the reader
// will see it once typed, so that a choice from a list never needs a
// repair (a catalogue label may hold a typographic apostrophe: "Technicien
// d’études cliniques"). An empty list is left out.
func dropDowns(lists TemplateLists) []dropDown {
	var out []dropDown
	for _, l := range []dropDown{
		{FieldProfession, lists.Professions, excelize.DataValidationErrorStyleWarning,
			"Profession", "Cette profession n'est pas dans la liste : vérifiez-la ou choisissez dans la liste.",
			"Profession", "Choisissez la profession dans la liste."},
		{FieldHabilitations, lists.Habilitations, excelize.DataValidationErrorStyleInformation,
			"Habilitation(s)", "Plusieurs habilitations sont acceptées, séparées par « ; ». Vérifiez qu'elles figurent toutes dans la liste.",
			"Habilitation(s)", "Choisissez dans la liste ; pour plusieurs habilitations, séparez-les par « ; »."},
		{FieldLoginMode, lists.LoginModes, excelize.DataValidationErrorStyleStop,
			"Mode de connexion", "Choisissez CPS, CPE, SMS ou Mail.",
			"Mode de connexion", "CPS (carte CPS ou e-CPS), CPE (carte d'établissement), SMS ou Mail (code à usage unique)."},
	} {
		if len(l.values) == 0 {
			continue
		}
		values := make([]string, len(l.values))
		for i, v := range l.values {
			values[i], _ = RepairCell(l.field, v)
		}
		l.values = values
		out = append(out, l)
	}
	return out
}

func (t *templateBook) validations(lists TemplateLists) error {
	for _, l := range dropDowns(lists) {
		if err := t.addDropDown(templateSheet, templateColumn(l.field), templateRows, l); err != nil {
			return err
		}
	}
	return nil
}

// addDropDown puts the drop-down list d on rows 2 to rows+1 of column col
// of sheet: inline when it fits, else from the hidden sheet "Listes".
func (t *templateBook) addDropDown(sheet, col string, rows int, d dropDown) error {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, rows+1)
	if fitsInline(d.values) {
		if err := dv.SetDropList(safeCells(d.values)); err != nil {
			return err
		}
	} else {
		ref, err := t.addList(d.values)
		if err != nil {
			return err
		}
		dv.SetSqrefDropList(ref)
	}
	dv.SetError(d.style, d.errTitle, d.errMsg)
	dv.SetInput(d.inputTitle, d.inputMsg)
	return t.f.AddDataValidation(sheet, dv)
}

// fitsInline reports whether values can be an inline list: at most 255
// UTF-16 units once joined with commas, and no comma or quote in a value.
func fitsInline(values []string) bool {
	for _, v := range values {
		if strings.ContainsAny(v, `,"`) {
			return false
		}
	}
	return len(utf16.Encode([]rune(strings.Join(values, ",")))) <= 255
}

func safeCells(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = safeCell(v)
	}
	return out
}

// addList writes values in the next column of the hidden sheet "Listes"
// (created on first use) and returns the absolute reference of the range.
func (t *templateBook) addList(values []string) (string, error) {
	s := templateListsSheet
	if t.listsUsed == 0 {
		if _, err := t.f.NewSheet(s); err != nil {
			return "", err
		}
		if err := t.f.SetSheetVisible(s, false); err != nil {
			return "", err
		}
	}
	t.listsUsed++
	col := ColumnName(t.listsUsed)
	for i, v := range values {
		if err := t.f.SetCellStr(s, fmt.Sprintf("%s%d", col, i+1), safeCell(v)); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s!$%s$1:$%s$%d", s, col, col, len(values)), nil
}
