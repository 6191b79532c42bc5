package provision

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCSVFieldsAndIgnoredColumns checks the rules of a CSV list's shape: a
// record with more non-blank fields than the header is an error of its
// row (values would be lost), fewer fields or blank extra fields are fine,
// and each header dccprov does not use is one info on the header row.
func TestCSVFieldsAndIgnoredColumns(t *testing.T) {
	t.Parallel()
	header := strings.TrimSuffix(csvHeader, "\n") + ";Commentaires;;Service\n"
	const person = "MARTIN;Paul;paul.martin@chu-exemple.fr;0612345679;Infirmier;010000347;Consultation;Mail"
	tests := []struct {
		name   string
		record string
		want   []string // "row cell code severity value", list problems first
	}{
		{"as many fields", person + ";note;;oncologie", nil},
		{"fewer fields", person, nil},
		{"blank extra fields", person + ";note;;oncologie;; ", nil},
		{"one extra field", person + ";note;;oncologie;perdu",
			[]string{"2 L2 ROW_TOO_MANY_FIELDS error perdu"}},
		{"two extra fields", person + ";;;;perdu;aussi",
			[]string{"2 L2 ROW_TOO_MANY_FIELDS error perdu | aussi"}},
	}
	ignored := []string{
		"1 I1 COLUMN_IGNORED info Commentaires",
		"1 K1 COLUMN_IGNORED info Service",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			table, err := ReadCSV(strings.NewReader(header+tt.record+"\n"), "liste.csv", &Config{})
			if err != nil {
				t.Fatalf("ReadCSV: %v", err)
			}
			var got []string
			for _, p := range table.Problems {
				if p.Code == CellRepaired {
					continue
				}
				got = append(got, fmt.Sprintf("%d %s %s %s %s", p.Row, p.Cell, p.Code, p.Severity, p.Value))
			}
			want := append(slices.Clone(ignored), tt.want...)
			if !slices.Equal(got, want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, p := range table.Problems {
				switch p.Code {
				case RowTooManyFields:
					if !strings.Contains(p.Message, "a 12 champs") && !strings.Contains(p.Message, "a 13 champs") || !strings.Contains(p.Message, "en a 11") {
						t.Errorf("message %q; want the record's and the header's field counts", p.Message)
					}
				case ColumnIgnored:
					if !strings.Contains(p.Message, "« "+p.Value+" »") {
						t.Errorf("message %q; want the header %q", p.Message, p.Value)
					}
				}
			}
		})
	}
}

// TestTooManyFieldsRejects checks that the row with extra fields is
// rejected and an ignored column rejects nothing nor warns.
func TestTooManyFieldsRejects(t *testing.T) {
	t.Parallel()
	header := strings.TrimSuffix(csvHeader, "\n") + ";Commentaires\n"
	list := header +
		"MARTIN;Paul;paul.martin@chu-exemple.fr;0612345679;Infirmier;010000347;Consultation;Mail;note\n" +
		"DURAND;Anne;anne.durand@chu-exemple.fr;0612345678;Infirmier;010000347;Consultation;Mail;note;perdu\n"
	table, err := ReadCSV(strings.NewReader(list), "liste.csv", &Config{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	people, _ := v.Validate(table)
	var got []string
	for _, p := range people {
		got = append(got, fmt.Sprintf("%d %s", p.Row, p.Status))
	}
	if want := []string{"2 " + string(StatusAccepted), "3 " + string(StatusRejected)}; !slices.Equal(got, want) {
		t.Errorf("statuses %v; want %v", got, want)
	}
}

// TestCorrectionsShowInfo checks that an info is shown as one in the
// corrections workbook: light blue on the header cell and in the problems
// sheet, labelled « information », with its line in the legend.
func TestCorrectionsShowInfo(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "liste.csv")
	list := strings.TrimSuffix(csvHeader, "\n") + ";Service\n" +
		"MARTIN;Paul;paul.martin@chu-exemple.fr;0612345679;Infirmier;010000347;Consultation;Mail;Oncologie\n"
	if err := os.WriteFile(path, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, data := checkSample(t, path)
	if sum.Rows.WithWarnings != 0 || sum.Rows.Rejected != 0 || sum.PerCode[ColumnIgnored] != 1 {
		t.Fatalf("rows %+v, per code %v; want one COLUMN_IGNORED, no warning, no rejection", sum.Rows, sum.PerCode)
	}
	f := mustOpenXLSX(t, data)
	copySheet := f.GetSheetList()[0]
	if got := cellFill(t, f, copySheet, "I1"); got != fillInfo {
		t.Errorf("%s!I1 (the ignored header) fill %q; want %q", copySheet, got, fillInfo)
	}
	rows, err := f.GetRows(correctionsProblemsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || !slices.Contains(rows[1], "information") || !slices.Contains(rows[1], string(ColumnIgnored)) {
		t.Fatalf("%s rows %q; want the COLUMN_IGNORED info first", correctionsProblemsSheet, rows)
	}
	if got := cellFill(t, f, correctionsProblemsSheet, "D2"); got != fillInfo {
		t.Errorf("%s!D2 (the severity) fill %q; want %q", correctionsProblemsSheet, got, fillInfo)
	}
	legend, err := f.GetRows(correctionsLegendSheet)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i, r := range legend {
		if len(r) > 0 && r[0] == "Information" {
			found = cellFill(t, f, correctionsLegendSheet, "A"+strconv.Itoa(i+1)) == fillInfo
		}
	}
	if !found {
		t.Errorf("%s has no « Information » line in %s", correctionsLegendSheet, fillInfo)
	}
}

// TestSummaryShowsInfo checks the per-code chart of summary.html shows an
// info as one: its own class and French label, after errors and warnings.
func TestSummaryShowsInfo(t *testing.T) {
	t.Parallel()
	r := Report{Input: Input{File: "liste.csv", HeaderRow: 1}, Rows: Counts{Read: 1, Accepted: 1}}
	var b bytes.Buffer
	perCode := map[Code]int{ColumnIgnored: 2, CellRepaired: 1, EmailInvalid: 1}
	if err := writeSummaryHTML(&b, r, perCode, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	i, j, k := strings.Index(page, string(EmailInvalid)), strings.Index(page, string(CellRepaired)), strings.Index(page, string(ColumnIgnored))
	if i < 0 || j < i || k < j {
		t.Errorf("summary.html codes at %d, %d, %d; want EMAIL_INVALID, CELL_REPAIRED, then COLUMN_IGNORED", i, j, k)
	}
	if !strings.Contains(page, "sev-info") || !strings.Contains(page, "information") {
		t.Errorf("summary.html does not show COLUMN_IGNORED as an information")
	}
}
