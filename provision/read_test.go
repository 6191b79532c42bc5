package provision

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReadFixtures reads every list of testdata/fixtures (written by
// openpyxl, LibreOffice and Python's csv module) and checks the sheet, header
// row and number of people rows of its .expected.json.
func TestReadFixtures(t *testing.T) {
	t.Parallel()
	expected, err := filepath.Glob("testdata/fixtures/*.expected.json")
	if err != nil || len(expected) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range expected {
		var want struct {
			File      string `json:"file"`
			Sheet     string `json:"sheet"`
			HeaderRow int    `json:"header_row"`
			Rows      int    `json:"rows"`
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		t.Run(want.File, func(t *testing.T) {
			t.Parallel()
			table, err := ReadFile(t.Context(), filepath.Join("testdata/fixtures", want.File), &Config{})
			if err != nil {
				t.Fatalf("ReadFile(%s) error: %v", want.File, err)
			}
			in := table.Input
			if in.Sheet != want.Sheet || in.HeaderRow != want.HeaderRow || len(table.Rows) != want.Rows {
				t.Errorf("ReadFile(%s) = sheet %q, header row %d, %d rows; want %q, %d, %d",
					want.File, in.Sheet, in.HeaderRow, len(table.Rows), want.Sheet, want.HeaderRow, want.Rows)
			}
			if len(table.Head) != in.HeaderRow {
				t.Errorf("ReadFile(%s): %d head rows; want %d", want.File, len(table.Head), in.HeaderRow)
			}
			if in.File != want.File || len(in.SHA256) != 64 {
				t.Errorf("ReadFile(%s): input %+v", want.File, in)
			}
			checkTable(t, table)
			for _, r := range table.Rows {
				if v := r.Get(FieldMobile).Value; len(v) == 9 {
					t.Errorf("ReadFile(%s) row %d mobile = %q; leading zero not restored", want.File, r.Number, v)
				}
				if v := r.Get(FieldFINESS).Value; len(v) != 9 {
					t.Errorf("ReadFile(%s) row %d FINESS = %q; want 9 characters", want.File, r.Number, v)
				}
			}
		})
	}
}

// TestRefuseFormats checks that formats dccprov does not read give an
// error wrapping ErrUnsupportedFormat whose text names the file, the format
// found by content, and how to save it as .xlsx.
func TestRefuseFormats(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	xls := mustRead(t, "testdata/fixtures/refuse-format.xls")
	ods := mustRead(t, "testdata/fixtures/refuse-format.ods")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"refuse-format.xls", xls, "refuse-format.xls is an Excel 97-2003 workbook (.xls); open it in Excel or LibreOffice and save it as « Classeur Excel (.xlsx) », then run again"},
		{"liste.xlsx", xls, "liste.xlsx is an Excel 97-2003 workbook (.xls); open it in Excel or LibreOffice and save it as « Classeur Excel (.xlsx) », then run again"},
		{"refuse-format.ods", ods, "refuse-format.ods is an OpenDocument spreadsheet (.ods, LibreOffice or OpenOffice); open it in Excel or LibreOffice and save it as « Classeur Excel (.xlsx) », then run again"},
		{"liste.csv", ods, "liste.csv is an OpenDocument spreadsheet"},
		{"liste.numbers", mustZip(t, map[string]string{"Index/Document.iwa": "x", "Metadata/Properties.plist": "x"}), "liste.numbers is an Apple Numbers document (.numbers); open it in Numbers"},
		{"liste.xlsx", mustZip(t, map[string]string{"word/document.xml": "x"}), "liste.xlsx is a Word document, not a workbook"},
		{"liste.xlsx", mustZip(t, map[string]string{"photo.jpg": "x"}), "liste.xlsx is a zip archive that is not an Excel workbook"},
		{"liste.xlsb", mustZip(t, map[string]string{"xl/workbook.bin": "x"}), "liste.xlsb is an Excel binary workbook (.xlsb)"},
		{"liste.xlsx", []byte("%PDF-1.7\n"), "liste.xlsx is a PDF document"},
		{"liste.xls", []byte("<html><body><table><tr><td>Nom</td></tr></table></body></html>"), "liste.xls is a web page (HTML)"},
		{"liste.xml", []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>`), "liste.xml is an Excel 2003 XML spreadsheet"},
		{"liste.xlsx", []byte{}, "liste.xlsx is empty"},
		{"liste.xlsx", []byte{0x00, 0x01, 0x02, 0xff}, "liste.xlsx is not a spreadsheet"},
		{"liste.xlsx", append(append([]byte{}, oleMagic...), utf16LE("EncryptedPackage")...), "liste.xlsx is a password-protected workbook; run again with --password-file FILE"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, string(rune('a'+i)), tt.name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, tt.data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFile(t.Context(), path, &Config{})
		if !errors.Is(err, ErrUnsupportedFormat) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ReadFile(%s) error = %v; want ErrUnsupportedFormat starting %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), dir) {
			t.Errorf("ReadFile(%s) error %q names the folder; want the base name only", tt.name, err)
		}
	}
}

func TestReadLimits(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "fixtures", "liste-excel-fr.csv")
	tests := []struct {
		lim  Limits
		want string
	}{
		{Limits{FileBytes: 100}, "larger than 100 bytes"},
		{Limits{Rows: 10}, "more than 10 rows"},
		{Limits{Columns: 5}, `column F "Courriel" is beyond column 5, the limit of columns read`},
		{Limits{CellBytes: 8}, `cell C2 (column "Fonction") is longer than 8 bytes, the limit`},
	}
	for _, tt := range tests {
		_, err := ReadFile(t.Context(), path, &Config{Limits: tt.lim})
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadFile(%s, limits %+v) error = %v; want ErrInput saying %q", path, tt.lim, err, tt.want)
		}
	}
	_, err := ReadFile(t.Context(), "testdata/fixtures/liste-openpyxl.xlsx", &Config{Limits: Limits{UnzipBytes: 1000}})
	if !errors.Is(err, ErrInput) {
		t.Errorf("ReadFile(liste-openpyxl.xlsx, UnzipBytes 1000) error = %v; want ErrInput", err)
	}
	_, err = ReadFile(t.Context(), "testdata/nope.xlsx", &Config{})
	if err == nil || !strings.Contains(err.Error(), "nope.xlsx") {
		t.Errorf("ReadFile(nope.xlsx) error = %v; want one naming the file", err)
	}
}

func TestReadSheetOption(t *testing.T) {
	t.Parallel()
	path := "testdata/fixtures/liste-openpyxl.xlsx"
	table, err := ReadFile(t.Context(), path, &Config{Sheet: "personnels"})
	if err != nil || table.Input.Sheet != "Personnels" {
		t.Errorf("ReadFile(%s, sheet personnels) = %v, %v; want sheet Personnels", path, table, err)
	}
	_, err = ReadFile(t.Context(), path, &Config{Sheet: "Consignes"})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), `no header row recognised in the first 30 rows of sheet "Consignes"`) {
		t.Errorf("ReadFile(%s, sheet Consignes) error = %v; want ErrInput saying no header row was recognised in Consignes", path, err)
	}
	_, err = ReadFile(t.Context(), path, &Config{Sheet: "Feuil9"})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "Consignes, Personnels") {
		t.Errorf("ReadFile(%s, sheet Feuil9) error = %v; want ErrInput listing the sheets", path, err)
	}
}

// TestReadEncrypted writes a password-protected workbook: refused without a
// password, read with the right one, refused with a wrong one.
func TestReadEncrypted(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "liste.xlsx")
	f := excelize.NewFile()
	for i, row := range [][]any{
		{"Nom", "Prénom", "Courriel", "Profession", "FINESS", "Habilitations", "Mode de connexion"},
		{"DUPONT", "Jeanne", "jeanne.dupont@chu-exemple.fr", "IDE", "010000347", "Consultation", "SMS"},
	} {
		if err := f.SetSheetRow("Sheet1", "A"+string(rune('1'+i)), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path, excelize.Options{Password: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if sniff(mustRead(t, path)) != formatEncrypted {
		t.Fatalf("sniff(encrypted workbook) = %q; want encrypted", sniff(mustRead(t, path)))
	}
	_, err := ReadFile(t.Context(), path, &Config{})
	if !errors.Is(err, ErrUnsupportedFormat) || !strings.Contains(err.Error(), "--password-file") {
		t.Errorf("ReadFile(encrypted, no password) error = %v; want ErrUnsupportedFormat naming --password-file", err)
	}
	table, err := ReadFile(t.Context(), path, &Config{Password: "s3cret"})
	if err != nil || len(table.Rows) != 1 || table.Rows[0].Get(FieldEmail).Value != "jeanne.dupont@chu-exemple.fr" {
		t.Errorf("ReadFile(encrypted, right password) = %v, %v; want one row", table, err)
	}
	_, err = ReadFile(t.Context(), path, &Config{Password: "wrong"})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "password") {
		t.Errorf("ReadFile(encrypted, wrong password) error = %v; want ErrInput about the password", err)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestReadSamples reads the synthetic lists of samples/ (each is also a
// fixture): header, rows, and the one planted repair at its cell.
func TestReadSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file           string
		header, rows   int
		repaired, last string
	}{
		{"liste-personnels.xlsx", 4, 60, "E12", "64"},
		// Record 42 holds a cell of two lines: Excel shows it on one row.
		{"liste-personnels.csv", 1, 60, "E9", "61"},
	}
	for _, tt := range tests {
		table, err := ReadFile(t.Context(), filepath.Join("..", "samples", tt.file), &Config{})
		if err != nil {
			t.Fatalf("ReadFile(samples/%s) error: %v", tt.file, err)
		}
		checkTable(t, table)
		if table.Input.HeaderRow != tt.header || len(table.Rows) != tt.rows {
			t.Errorf("ReadFile(samples/%s) = header row %d, %d rows; want %d, %d", tt.file, table.Input.HeaderRow, len(table.Rows), tt.header, tt.rows)
		}
		if len(table.Problems) != 1 || table.Problems[0].Cell != tt.repaired || table.Problems[0].Value != "0641681039" {
			t.Errorf("ReadFile(samples/%s) problems = %+v; want one CELL_REPAIRED at %s giving 0641681039", tt.file, table.Problems, tt.repaired)
		}
		if last := table.Rows[len(table.Rows)-1].Number; strconv.Itoa(last) != tt.last {
			t.Errorf("ReadFile(samples/%s) last row %d; want %s", tt.file, last, tt.last)
		}
	}
}

// allRequired is how the no-header error names every required column.
var allRequired = strings.Join(missingFields(nil), ", ")

// TestReadNoHeaderQuotesNoCell: a list whose header row is missing starts
// with people; the error (printed on stderr, exit 2) must quote none of
// their cells, only say what is missing: the required columns no row names,
// in the sheets looked at.
func TestReadNoHeaderQuotesNoCell(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "sans-entete.csv")
	rows := "DUPONT;Jeanne;jeanne.dupont@chu-exemple.fr;06 12 34 56 78;IDE;19999900004\n" +
		"MARTIN;Paul;paul.martin@chu-exemple.fr;0698765432;Médecin;10000347040\n"
	if err := os.WriteFile(csvPath, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	xlsxPath := filepath.Join(dir, "sans-entete.xlsx")
	f := excelize.NewFile()
	if _, err := f.NewSheet("Liste"); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSpace(rows), "\n") {
		row := []any{}
		for v := range strings.SplitSeq(line, ";") {
			row = append(row, v)
		}
		if err := f.SetSheetRow("Liste", "A"+strconv.Itoa(i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		sheet string
		want  string
	}{
		{csvPath, "", "sans-entete.csv: no header row recognised in the first 30 rows; " +
			"the list needs a row naming its columns, and none names " + allRequired + "; see dccprov template"},
		{xlsxPath, "", `sans-entete.xlsx: no header row recognised in the first 30 rows of sheets "Sheet1", "Liste"; ` +
			"the list needs a row naming its columns, and none names " + allRequired + "; see dccprov template"},
		{xlsxPath, "Liste", `no header row recognised in the first 30 rows of sheet "Liste"; the list needs a row naming its columns, and none names Nom`},
	}
	for _, tt := range tests {
		_, err := ReadFile(t.Context(), tt.path, &Config{Sheet: tt.sheet})
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadFile(%s, sheet %q) error = %v; want ErrInput saying %q", filepath.Base(tt.path), tt.sheet, err, tt.want)
			continue
		}
		for _, private := range []string{"DUPONT", "Jeanne", "@", "06 12", "0698", "19999900004", "IDE"} {
			if strings.Contains(err.Error(), private) {
				t.Errorf("ReadFile(%s) error %q quotes the cell value %q", filepath.Base(tt.path), err, private)
			}
		}
	}
}

// TestReadDamagedWorkbook: a workbook cut short (a failed download, a full
// disk) is called damaged, in one sentence with no library words in it.
func TestReadDamagedWorkbook(t *testing.T) {
	t.Parallel()
	const want = "liste.xlsx is a damaged Excel workbook (the file is truncated or corrupt); ask for the file again or re-save it in Excel"
	dir := t.TempDir()
	var cases [][]byte
	for _, f := range []string{"testdata/fixtures/liste-openpyxl.xlsx", "testdata/fixtures/liste-libreoffice.xlsx"} {
		data := mustRead(t, f)
		for _, frac := range []int{30, 50, 90, 99} {
			cases = append(cases, data[:len(data)*frac/100])
		}
	}
	// A whole zip whose workbook part is not XML.
	cases = append(cases, mustZip(t, map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook><sheets><sheet"}))
	for i, data := range cases {
		path := filepath.Join(dir, strconv.Itoa(i), "liste.xlsx")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFile(t.Context(), path, &Config{})
		if !errors.Is(err, ErrInput) || err.Error() != want {
			t.Errorf("ReadFile(case %d, %d bytes) error = %v; want ErrInput %q", i, len(data), err, want)
		}
	}
}

// TestReadUnmappedBeyondLimits: a stray value past the column limit, or a
// long note in a column dccprov does not read, does not refuse the list;
// an oversized cell of a column it reads does, naming the cell.
func TestReadUnmappedBeyondLimits(t *testing.T) {
	t.Parallel()
	header := "Nom;Prénom;Courriel;Profession;FINESS;Habilitations;Mode de connexion;Remarque"
	row := func(note string, stray int) string {
		r := "DUPONT;Jeanne;jeanne.dupont@chu-exemple.fr;IDE;010000347;Consultation;SMS;" + note
		if stray > 0 {
			r += strings.Repeat(";", stray-8) + "x"
		}
		return r
	}
	lim := Limits{Columns: 20, CellBytes: 100}
	csv := header + "\n" + row(strings.Repeat("n", 500), 0) + "\n" + row("", 300) + "\n" + strings.Repeat(";", 400) + "x\n"
	table, err := ReadCSV(strings.NewReader(csv), "liste.csv", &Config{Limits: lim})
	if err != nil {
		t.Fatalf("ReadCSV(unmapped cells beyond the limits) error: %v", err)
	}
	if len(table.Rows) != 2 {
		t.Fatalf("ReadCSV: %d rows; want 2 (a row holding only a stray value is blank)", len(table.Rows))
	}
	for _, r := range table.Rows {
		if len(r.Values) > lim.Columns || r.Values[7] != "" {
			t.Errorf("row %d keeps %d values, note %.10q; want at most %d, the long note dropped", r.Number, len(r.Values), r.Values[7], lim.Columns)
		}
		if r.Get(FieldEmail).Value != "jeanne.dupont@chu-exemple.fr" {
			t.Errorf("row %d email = %q", r.Number, r.Get(FieldEmail).Value)
		}
	}
	long := header + "\n" + strings.Replace(row("", 0), "IDE", strings.Repeat("I", 200), 1) + "\n"
	_, err = ReadCSV(strings.NewReader(long), "liste.csv", &Config{Limits: lim})
	if want := `liste.csv: cell D2 (column "Profession") is longer than 100 bytes, the limit`; !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), want) {
		t.Errorf("ReadCSV(oversized mapped cell) error = %v; want ErrInput saying %q", err, want)
	}
}

// TestReadReportsBlanks: surrounding blanks are repaired and said (issue
// 2), with before and after; a cell of blanks alone is just empty.
func TestReadReportsBlanks(t *testing.T) {
	t.Parallel()
	csv := "Nom;Prénom;Courriel;Profession;FINESS;Habilitations;Mode de connexion\n" +
		"DUPONT ;Jeanne;jeanne.dupont@chu-exemple.fr;IDE;010000347;Consultation;   \n"
	table, err := ReadCSV(strings.NewReader(csv), "liste.csv", &Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Valeur réparée automatiquement (espaces en début ou en fin de valeur retirés) : « DUPONT  » → « DUPONT »."
	if len(table.Problems) != 1 || table.Problems[0].Code != CellRepaired || table.Problems[0].Cell != "A2" ||
		table.Problems[0].Message != want {
		t.Errorf("ReadCSV(%q) problems = %+v; want one CELL_REPAIRED at A2: %s", csv, table.Problems, want)
	}
	if v := table.Rows[0].Get(FieldLoginMode).Value; v != "" {
		t.Errorf("login mode = %q; want empty", v)
	}
}
