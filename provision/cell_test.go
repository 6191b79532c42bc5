package provision

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// repairTests are values as spreadsheet programs leave them, with the value
// dccprov restores and whether it says so (a CELL_REPAIRED warning).
var repairTests = []struct {
	field    Field
	in, want string
	reported bool
}{
	// Phones typed as numbers.
	{FieldMobile, "612345678", "0612345678", true},
	{FieldMobile, "712345678", "0712345678", true},
	{FieldMobile, "145678901", "0145678901", true},
	{FieldMobile, "912345678", "0912345678", true},
	{FieldMobile, "812345678", "812345678", false}, // 08 is special-rate: not guessed
	{FieldMobile, "6.12345678E8", "0612345678", true},
	{FieldMobile, "6,12345678E+08", "0612345678", true},
	{FieldMobile, "612345678.0", "0612345678", true},
	{FieldMobile, "33612345678", "33612345678", false},
	{FieldMobile, "0612345678", "0612345678", false},
	{FieldMobile, "06 12 34 56 78", "06 12 34 56 78", false},
	{FieldMobile, "06\u00a012\u00a034\u00a056\u00a078", "06 12 34 56 78", true},
	{FieldMobile, "+33612345678", "+33612345678", false},
	{FieldMobile, "6.12E+08", "0612000000", true}, // what a rounded display gives back; the validator judges it
	{FieldMobile, "12345", "12345", false},
	{FieldMobile, "", "", false},
	// National identifiers.
	{FieldID, "19999900004", "19999900004", false},
	{FieldID, "1.9999900004E10", "19999900004", true},
	{FieldID, "1,9999900004E+10", "19999900004", true},
	{FieldID, "19999900004.0", "19999900004", true},
	{FieldID, "19999900004,00", "19999900004", true},
	{FieldID, "1,0001E+10", "10001000000", true},
	{FieldID, "12600631", "012600631", true}, // ADELI of département 01
	{FieldID, "012600631", "012600631", false},
	{FieldID, "2A1234567", "2A1234567", false},
	{FieldID, "1.5", "1.5", false},
	{FieldID, " 19999900004 ", "19999900004", true}, // surrounding blanks are said (issue 2)
	{FieldID, "19999900004\u200b", "19999900004", true},
	// FINESS.
	{FieldFINESS, "10000347", "010000347", true},
	{FieldFINESS, "1.0000347E7", "010000347", true},
	{FieldFINESS, "010000347", "010000347", false},
	{FieldFINESS, "2A0669073", "2A0669073", false},
	{FieldFINESS, "917763179", "917763179", false},
	// Names and other text: invisible characters and typographic quotes.
	{FieldBirthName, "D’ARTAGNAN", "D'ARTAGNAN", true},
	{FieldBirthName, "O´NEIL", "O'NEIL", true},
	{FieldBirthName, "  DUPONT ", "DUPONT", true},
	{FieldBirthName, "DUPONT\t", "DUPONT", true},
	{FieldBirthName, "   ", "", false}, // only blanks: an empty cell, nothing to check
	{FieldBirthName, "DUPONT\u00a0", "DUPONT", true},
	{FieldBirthName, "DU\u200bPONT", "DUPONT", true},
	{FieldBirthName, "\ufeffDUPONT", "DUPONT", true},
	{FieldFirstName, "Jean\nPierre", "Jean Pierre", true},
	{FieldFirstName, "Jean\tPierre", "Jean Pierre", false},
	{FieldFirstName, "Anne\u202fSophie", "Anne Sophie", true},
	// Decomposed accents (macOS): composed, silently (nothing visible changes).
	{FieldFirstName, "He\u0301le\u0300ne", "Hélène", false},
	{FieldBirthName, "LEMAI\u0302TRE", "LEMAÎTRE", false},
	{FieldEstablishment, "Ho\u0302pital prive\u0301", "Hôpital privé", false},
	{FieldFirstName, "Zoe\u200b\u0301", "Zoé", true}, // composed once the invisible character is gone
	{FieldEmail, "jeanne.dupont@chu-exemple.fr\u00a0", "jeanne.dupont@chu-exemple.fr", true},
	{FieldEmail, "jeanne.dupont@@chu", "jeanne.dupont@@chu", false}, // never validated here
	{FieldProfession, "Infirmière", "Infirmière", false},
	{FieldProfession, "612345678", "612345678", false}, // number repairs only where numbers belong
	{FieldEstablishment, "Centre “Les Tilleuls”", "Centre \"Les Tilleuls\"", true},
	// Several habilitations in one cell are kept as written.
	{FieldHabilitations, "CONSULTATION; PARTICIPANT_RCP", "CONSULTATION; PARTICIPANT_RCP", false},
	{FieldHabilitations, "Consultation\nParticipant aux RCP", "Consultation\nParticipant aux RCP", false},
	{FieldHabilitations, "Consultation\r\nParticipant aux RCP ", "Consultation\nParticipant aux RCP", true},
	{FieldHabilitations, "Consultation \nRCP", "Consultation\nRCP", true},
	{FieldHabilitations, "Consultation\r\nRCP", "Consultation\nRCP", false}, // a Windows line end is still a line end
	{FieldLoginMode, "Carte CPS", "Carte CPS", false},
	// A date column is not expected; a date cell keeps its text.
	{FieldSpecialty, "15/01/2026", "15/01/2026", false},
}

func TestRepairCell(t *testing.T) {
	t.Parallel()
	for _, tt := range repairTests {
		got, why := RepairCell(tt.field, tt.in)
		if got != tt.want || (len(why) > 0) != tt.reported {
			t.Errorf("RepairCell(%s, %q) = %q, %q; want %q, reported %v", tt.field, tt.in, got, why, tt.want, tt.reported)
		}
		if again, why := RepairCell(tt.field, got); again != got || len(why) > 0 {
			t.Errorf("RepairCell(%s, %q) = %q, %q; want it unchanged (idempotent)", tt.field, got, again, why)
		}
	}
}

func TestRepairMessage(t *testing.T) {
	t.Parallel()
	v, why := RepairCell(FieldMobile, "612345678")
	got := repairMessage("612345678", v, why)
	want := "Valeur réparée automatiquement (zéro initial perdu restauré) : « 612345678 » → « 0612345678 »."
	if got != want {
		t.Errorf("repairMessage = %q; want %q", got, want)
	}
}

func TestPlainInteger(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"6.12345678E8", "612345678", true},
		{"6.12345678e+08", "612345678", true},
		{"1,0001E+10", "10001000000", true},
		{"19999900004.0", "19999900004", true},
		{"1.5E-1", "", false},
		{"1.5", "", false},
		{"1.000", "", false}, // a small number, not an identifier
		{"612345678", "", false},
		{"1E999", "", false},
		{"-6E8", "", false},
		{"E8", "", false},
		{"6.1.2E8", "", false},
		{"0.0E0", "", false},
	}
	for _, tt := range tests {
		got, ok := plainInteger(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("plainInteger(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestXLSXText(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, shown, want string }{
		{"612345678", "612345678", "612345678"},
		{"612345678", "6.12E+08", "612345678"},            // scientific display: every digit kept
		{"19999900004", "2.00E+10", "19999900004"},        // idem
		{"10000347", "010000347", "010000347"},            // 000000000 format: the zero is shown
		{"612345678", "06 12 34 56 78", "06 12 34 56 78"}, // phone format
		{"46037", "15/01/2026", "15/01/2026"},             // a date keeps its text
		{"0.5", "50%", "50%"},
		{"46037", "01-15-26", "01-15-26"},
		{"46037", "15.01.2026", "15.01.2026"},
		{"612345678", "6,12E+08", "612345678"},
		{"1234.5", "1 234,50", "1234.5"},
		{"DUPONT", "DUPONT", "DUPONT"},
		{"", "", ""},
		{"x", "", "x"},
	}
	for _, tt := range tests {
		if got := xlsxText(tt.raw, tt.shown); got != tt.want {
			t.Errorf("xlsxText(%q, %q) = %q; want %q", tt.raw, tt.shown, got, tt.want)
		}
	}
}

// FuzzCell checks the repairs on any text: no panic, idempotent, and a
// value is only reported as repaired when it changed beyond NFC
// composition (a cell of blanks alone becomes empty silently).
func FuzzCell(f *testing.F) {
	for _, tt := range repairTests {
		f.Add(tt.in)
	}
	f.Add("1E20")
	f.Add("9.99999999999999999999E19")
	f.Fuzz(func(t *testing.T, s string) {
		for _, field := range Fields {
			got, why := RepairCell(field, s)
			if again, why2 := RepairCell(field, got); again != got || len(why2) > 0 {
				t.Fatalf("RepairCell(%s, RepairCell(%s, %q) = %q) = %q, %q; not idempotent", field, field, s, got, again, why2)
			}
			if len(why) == 0 && got != "" && got != norm.NFC.String(strings.ReplaceAll(s, "\t", " ")) && field != FieldHabilitations {
				t.Fatalf("RepairCell(%s, %q) = %q silently", field, s, got)
			}
			for _, l := range splitAt(got, ";,/\n\r") {
				if l == "" || strings.TrimSpace(l) != l {
					t.Fatalf("splitAt(%q) gives %q", got, l)
				}
			}
		}
	})
}
