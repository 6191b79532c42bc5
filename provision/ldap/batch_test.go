package ldap_test

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/provision/ldap"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestReadBatch(t *testing.T) {
	t.Parallel()
	dir := writeDir(t, "", basePeople())
	b, err := ldap.ReadBatch(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Codes of every status: COORDONNATEUR_RCP is pending.
	if want := []string{"CONSULTATION", "COORDONNATEUR_RCP", "PARTICIPANT_RCP", "SECRETAIRE_RCP"}; !slices.Equal(b.Codes, want) {
		t.Errorf("ReadBatch(%s).Codes = %v; want %v", dir, b.Codes, want)
	}
	if b.BaseDN != "dc=dcc,dc=invalid" {
		t.Errorf("ReadBatch(%s).BaseDN = %q; want the base of accounts.ldif's DNs", dir, b.BaseDN)
	}
}

func TestReadBatchErrors(t *testing.T) {
	t.Parallel()
	people := basePeople()
	twin := people[0]
	twin.uid = "Alice.Martin"
	long := people[1]
	long.first = strings.Repeat("x", 17<<20)
	tests := []struct {
		name   string
		people []testPerson
		want   string
	}{
		{"uids differing in case", []testPerson{people[0], twin}, "record on line 19 repeats a uid (uids are compared regardless of case)"},
		{"line over 16 MiB", []testPerson{people[0], long}, "line 25 is longer than 16 MiB"},
	}
	for _, tt := range tests {
		dir := writeDir(t, "", tt.people)
		_, err := ldap.ReadBatch(dir)
		if !errors.Is(err, ldap.ErrBatch) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ReadBatch = %v; want ErrBatch and %q", tt.name, err, tt.want)
		}
	}
}

// TestReadBatchNamed checks that report.json's people, whatever their
// status, are read as named, and that a folder without it names nobody more.
func TestReadBatchNamed(t *testing.T) {
	t.Parallel()
	dir := writeDir(t, "", basePeople())
	b, err := ldap.ReadBatch(dir)
	if err != nil || len(b.Named) != 0 {
		t.Fatalf("ReadBatch(%s) without report.json = %v, Named %v; want no error, none", dir, err, b.Named)
	}
	report := `{"people": [{"row": 2, "status": "rejected", "uid": "zoe.test"}, {"row": 3, "status": "rejected"},
		{"row": 4, "status": "accepted", "uid": "alice.martin"}, {"row": 5, "status": "accepted", "uid": "alice.martin"}]}`
	if err := os.WriteFile(filepath.Join(dir, "report.json"), []byte(report), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err = ldap.ReadBatch(dir)
	if want := []string{"alice.martin", "zoe.test"}; err != nil || !slices.Equal(b.Named, want) {
		t.Errorf("ReadBatch(%s).Named = %v, %v; want %v", dir, b.Named, err, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ldap.ReadBatch(dir); !errors.Is(err, ldap.ErrBatch) {
		t.Errorf("ReadBatch with a broken report.json = %v; want ErrBatch", err)
	}
}
