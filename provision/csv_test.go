package provision

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

const csvHeader = "Nom;Prénom;Courriel;Tél. portable;Profession;FINESS;Habilitation(s);Mode de connexion\n"

func TestReadCSV(t *testing.T) {
	t.Parallel()
	win1252, err := charmap.Windows1252.NewEncoder().String(
		"Liste des personnels\r\n\r\n" + strings.ReplaceAll(csvHeader, "\n", "\r\n") +
			"LEMAÎTRE;Cédric;cedric.lemaitre@chu-exemple.fr;612345678;Infirmière;10000347;Consultation;SMS\r\n" +
			";;;;;;;\r\n" +
			"D’ARTAGNAN;Chloé;chloe.dartagnan@chu-exemple.fr;0712345678;Médecin;010000347;Participant aux RCP;CPS\r\n")
	if err != nil {
		t.Fatal(err)
	}
	comma := "\uFEFF" + strings.ReplaceAll(csvHeader, ";", ",") +
		"LEMAÎTRE,Cédric,cedric.lemaitre@chu-exemple.fr,0612345678,Infirmière,010000347,\"Consultation, Participant aux RCP\",SMS\n" +
		"\n\n" +
		"MARTIN,Paul,paul.martin@chu-exemple.fr,0612345679,IDE,010000347,Consultation,Mail\n\n\n"
	tab := strings.ReplaceAll(csvHeader, ";", "\t") +
		"LEMAÎTRE\tCédric\tcedric.lemaitre@chu-exemple.fr\t6.12345678E8\tIDE\t010000347\tConsultation\tSMS\n"
	quoted := csvHeader +
		"LEMAÎTRE;Cédric;cedric.lemaitre@chu-exemple.fr;0612345678;IDE;010000347;\"Consultation\nParticipant aux RCP\nAdmin 3C\";SMS\n" +
		"MARTIN;Paul;paul.martin@chu-exemple.fr;0612345679;IDE;010000347;Consultation;Mail\n"
	sep := "sep=,\n" + strings.ReplaceAll(csvHeader, ";", ",") +
		"MARTIN,Paul,paul.martin@chu-exemple.fr,0612345679,IDE,010000347,Consultation,Mail\n"
	tests := []struct {
		name      string
		data      string
		encoding  string
		separator string
		header    int
		rows      []int
		problems  []string // row cell code
		first     map[Field]string
	}{
		{"win1252.csv", win1252, "windows-1252", ";", 3, []int{4, 6},
			[]string{"4 D4 CELL_REPAIRED", "4 F4 CELL_REPAIRED", "6 A6 CELL_REPAIRED"},
			map[Field]string{FieldBirthName: "LEMAÎTRE", FieldMobile: "0612345678", FieldFINESS: "010000347"}},
		{"bom.csv", comma, "utf-8-bom", ",", 1, []int{2, 5}, nil,
			map[Field]string{FieldBirthName: "LEMAÎTRE", FieldHabilitations: "Consultation, Participant aux RCP"}},
		{"tab.txt", tab, "utf-8", "tab", 1, []int{2}, []string{"2 D2 CELL_REPAIRED"},
			map[Field]string{FieldMobile: "0612345678"}},
		// One row per record, as Excel shows it: the line breaks of a
		// quoted cell stay inside its row.
		{"quoted.csv", quoted, "utf-8", ";", 1, []int{2, 3}, nil,
			map[Field]string{FieldHabilitations: "Consultation\nParticipant aux RCP\nAdmin 3C"}},
		// Excel does not show the "sep=" line: the header is row 1.
		{"sep.csv", sep, "utf-8", ",", 1, []int{2}, nil,
			map[Field]string{FieldBirthName: "MARTIN"}},
	}
	for _, tt := range tests {
		table, err := ReadCSV(strings.NewReader(tt.data), tt.name, &Config{})
		if err != nil {
			t.Errorf("ReadCSV(%s) error: %v", tt.name, err)
			continue
		}
		checkTable(t, table)
		in := table.Input
		if in.Format != "csv" || in.Encoding != tt.encoding || in.Separator != tt.separator || in.HeaderRow != tt.header {
			t.Errorf("ReadCSV(%s) input = %+v; want encoding %s, separator %q, header row %d", tt.name, in, tt.encoding, tt.separator, tt.header)
		}
		var rows []int
		for _, r := range table.Rows {
			rows = append(rows, r.Number)
		}
		if !slices.Equal(rows, tt.rows) {
			t.Errorf("ReadCSV(%s) rows %v; want %v", tt.name, rows, tt.rows)
		}
		var problems []string
		for _, p := range table.Problems {
			problems = append(problems, strings.Join([]string{strconv.Itoa(p.Row), p.Cell, string(p.Code)}, " "))
		}
		if !slices.Equal(problems, tt.problems) {
			t.Errorf("ReadCSV(%s) problems %q; want %q", tt.name, problems, tt.problems)
		}
		for f, want := range tt.first {
			if got := table.Rows[0].Get(f).Value; got != want {
				t.Errorf("ReadCSV(%s) first row %s = %q; want %q", tt.name, f, got, want)
			}
		}
	}
}

// FuzzReadCSV reads arbitrary bytes as CSV: no panic; a table read keeps
// its invariants; the detected encoding and separator are ones we name.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(csvHeader + "DUPONT;Jeanne;j@chu-exemple.fr;612345678;IDE;10000347;Consultation;SMS\n"))
	f.Add([]byte("\xEF\xBB\xBF" + strings.ReplaceAll(csvHeader, ";", ",") + "\"a\nb\",x,,,,,,\n"))
	f.Add([]byte(strings.ReplaceAll(csvHeader, ";", "\t") + "\xe9\t\"\n"))
	f.Add([]byte("sep=;\n" + csvHeader))
	f.Add([]byte("\xff\xfeN\x00o\x00m\x00"))
	f.Add([]byte("N\x00o\x00m\x00;\x00P\x00\n\x00"))
	f.Add([]byte("N\x00\x00\x00o\x00\x00\x00m\x00\x00\x00"))
	if data, err := os.ReadFile("testdata/fixtures/liste-excel-fr.csv"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		table, err := ReadCSV(bytes.NewReader(data), "fuzz.csv", &Config{})
		if err != nil {
			_, isCol := errors.AsType[*ColumnError](err)
			if !isCol && !errors.Is(err, ErrInput) {
				t.Fatalf("ReadCSV error %v; want a *ColumnError or ErrInput", err)
			}
			return
		}
		checkTable(t, table)
		if !slices.Contains([]string{"utf-8", "utf-8-bom", "utf-16le", "utf-16be", "utf-32le", "utf-32be", "windows-1252"}, table.Input.Encoding) {
			t.Fatalf("encoding %q", table.Input.Encoding)
		}
		for _, r := range table.Rows {
			for f, c := range r.Cells {
				if v, why := RepairCell(f, c.Value); v != c.Value || len(why) > 0 {
					t.Fatalf("row %d %s = %q is not stable under RepairCell (%q)", r.Number, f, c.Value, v)
				}
			}
		}
	})
}
