package provision

import (
	"bytes"
	"encoding/json"
	"testing"
)

func writeReport(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := WriteReport(&b, NewReport(testTable(), testPeople(), testProblems())); err != nil {
		tb.Fatalf("WriteReport = %v", err)
	}
	return b.Bytes()
}

func TestReportGolden(t *testing.T) {
	t.Parallel()
	checkGolden(t, "report.json", writeReport(t))
}

func TestReportDeterministic(t *testing.T) {
	t.Parallel()
	if a, b := writeReport(t), writeReport(t); !bytes.Equal(a, b) {
		t.Errorf("two writes of the same report differ")
	}
}

// TestReportNoPersonalData checks that report.json, which `check --json`
// prints, carries names, emails, phones and identifiers only as problem
// values.
func TestReportNoPersonalData(t *testing.T) {
	t.Parallel()
	var r struct {
		People []map[string]any `json:"people"`
	}
	if err := json.Unmarshal(writeReport(t), &r); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(r.People)
	for _, s := range []string{"DUPONT", "jean.dupont@", "+33612345678", "19999900004", "Marie"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("report people carry %q:\n%s", s, out)
		}
	}
}
