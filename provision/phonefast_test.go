package provision

import (
	"fmt"
	"testing"
)

// TestPhoneFastPath checks the fast path of phone parsing against
// libphonenumber (through [Nomenclature.ParsePhone], which the slow path
// is) on every block of the French numbering plan, national and
// international forms, and Saint-Pierre-et-Miquelon's 6-digit form: for
// each block, numbers spread over the block must get exactly what
// libphonenumber gives them, whichever number of the block was parsed
// first, and a national number what the routing table says of its block
// (TestPhonePrefixRouting checks the table against libphonenumber). Under
// the race detector it samples one block in thirty-one (make test runs it
// whole without the race detector).
func TestPhoneFastPath(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	v, err := NewValidator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	step := 1
	if raceEnabled() {
		step = 31
	}
	// The first number of each block fills the memo; the others must
	// agree with what libphonenumber says of them.
	table := mustReadPhoneTable(t)
	bad := 0
	check := func(s, national string) {
		got, gerr := v.parsePhone(s)
		want, werr := v.nom.ParsePhone(s)
		if got != want || (gerr == nil) != (werr == nil) {
			if bad++; bad <= 10 {
				t.Errorf("parsePhone(%q) = %+v, %v; libphonenumber gives %+v, %v", s, got, gerr, want, werr)
			}
		}
		if national == "" {
			return
		}
		if row, ok := table.lookup(national); !ok || !row.agrees(want) {
			if bad++; bad <= 10 {
				t.Errorf("Nomenclature.ParsePhone(%q) = %+v; routing table row %s says %+v", s, want, row.prefix, row.label)
			}
		}
	}
	for b := 10000; b < 100000; b += step {
		block := fmt.Sprint(b)
		for i, suf := range []string{"5000", "0000", "9999", "3907"} {
			check(fmt.Sprintf("0%s%s", block, suf), "0"+block+suf)
			check(fmt.Sprintf("+33 %s %s", block, suf), "")
			// Digits missing, or too many: PHONE_INVALID, as libphonenumber
			// says. Each block takes four of the six lengths (7 to 13 digits
			// but 10), in turn.
			wrong := "0" + block + suf + "123"
			check(wrong[:[]int{7, 8, 9, 11, 12, 13}[(b+i)%6]], "")
		}
	}
	// Saint-Pierre-et-Miquelon: every block of the memo (4 digits),
	// spread over the 2 digits that decide.
	for b := 1000; b < 10000; b += step {
		block := fmt.Sprint(b)
		for _, suf := range []string{"50", "00", "99", "37"} {
			check(fmt.Sprintf("%s %s %s", block[:2], block[2:], suf), block+suf)
		}
	}
	if bad > 0 {
		t.Errorf("%d numbers disagree with libphonenumber", bad)
	}
}

var fastPhoneShapes = []struct {
	in     string
	digits string
	intl   bool
	ok     bool
}{
	{"0612345678", "612345678", false, true},
	{"06 12 34 56 78", "612345678", false, true},
	{"06.12.34.56.78", "612345678", false, true},
	{"06-12-34-56-78", "612345678", false, true},
	{"+33612345678", "612345678", true, true},
	{"+33 6 12 34 56 78", "612345678", true, true},
	{"0033 6 12 34 56 78", "612345678", true, true},
	{"+33 (0)6 12 34 56 78", "", false, false}, // brackets: libphonenumber decides
	{"0012345678", "", false, false},
	{"061234567", "", false, false},
	{"+3361234567", "", false, false},
	{"+590690123456", "", false, false},
	{"06 12 34 56 78 ", "612345678", false, true},
	{"6 12 34 56 78", "", false, false},
	{"06123456789", "", false, false},
	{"+33+612345678", "", false, false},
	{"tel 0612345678", "", false, false},
	{"41 12 34", "411234", false, true}, // Saint-Pierre-et-Miquelon
	{"55.12.34", "551234", false, true},
	{"01 12 34", "", false, false},
	{"+41 12 34", "", false, false},
	{"4112345", "", false, false},
}

// TestWrongLengthShape: national numbers of 9, 11, 12 or 13 digits only.
func TestWrongLengthShape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"061234567": "061234567", "06 12 34 56 7": "061234567", "06123456789": "6123456789",
		"06.12.34.56.78.12": "61234567812", "0612345678123": "612345678123",
		"0612345678": "", "06123456781234": "", "006123456": "", "+3361234567": "",
		"06123456": "06123456", "0612345": "0612345", "061234": "",
		"61234567890": "", "06 12 34 56 7x": "", "": "",
	} {
		got, ok := wrongLengthShape(in)
		if got != want || ok != (want != "") {
			t.Errorf("wrongLengthShape(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestFastPhoneShape(t *testing.T) {
	t.Parallel()
	for _, tt := range fastPhoneShapes {
		d, intl, ok := fastPhoneShape(tt.in)
		if d != tt.digits || intl != tt.intl || ok != tt.ok {
			t.Errorf("fastPhoneShape(%q) = %q, %v, %v; want %q, %v, %v", tt.in, d, intl, ok, tt.digits, tt.intl, tt.ok)
		}
	}
}
