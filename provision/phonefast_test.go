package provision

import (
	"fmt"
	"testing"
)

// TestPhoneFastPath checks the fast path of phone parsing against
// libphonenumber (through [Nomenclature.ParsePhone], which the slow path
// is) on every block of the French numbering plan, national and
// international forms: for each block, numbers spread over the block must
// get exactly what libphonenumber gives them, whichever number of the
// block was parsed first. Under the race detector it samples one block in
// thirty-one (make test runs it whole without the race detector).
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
	suffixes := []string{"5000", "0000", "9999", "3907"}
	bad := 0
	for b := 10000; b < 100000; b += step {
		block := fmt.Sprint(b)
		for _, form := range []string{"0%s%s", "+33 %s %s"} {
			for _, suf := range suffixes {
				s := fmt.Sprintf(form, block, suf)
				got, gerr := v.parsePhone(s)
				want, werr := v.nom.ParsePhone(s)
				if got != want || (gerr == nil) != (werr == nil) {
					if bad++; bad <= 10 {
						t.Errorf("parsePhone(%q) = %+v, %v; libphonenumber gives %+v, %v", s, got, gerr, want, werr)
					}
				}
			}
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
