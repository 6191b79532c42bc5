package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
)

// recordReadiness is the script command "recordreadiness STORE DATE
// FILE.json": it records in STORE a run on DATE of no people with the
// readiness of FILE.json ({"readiness": [provision.Readiness…],
// "checklists": {FINESS: provision.Checklist}}), as `run` does once the
// list's readiness is evaluated.
func recordReadiness(args []string) error {
	if len(args) != 3 {
		return errors.New("usage: recordreadiness STORE DATE FILE.json")
	}
	date, err := time.Parse(time.DateOnly, args[1])
	if err != nil {
		return err
	}
	b, err := os.ReadFile(args[2])
	if err != nil {
		return err
	}
	var in struct {
		Readiness  []provision.Readiness          `json:"readiness"`
		Checklists map[string]provision.Checklist `json:"checklists"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, args[0])
	if err != nil {
		return err
	}
	defer st.Close()
	tx, err := st.BeginRun(ctx, date, "script")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.RecordRun(ctx, provision.RunRecord{
		Input: provision.Input{File: args[2], SHA256: "00"}, Date: date, Operator: "script",
		Readiness: in.Readiness, Checklists: in.Checklists,
	}); err != nil {
		return err
	}
	return tx.Commit()
}

func TestReadinessCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // no dccprov.yaml here
	db := filepath.Join(dir, "store.db")
	if code, _, stderr := runFormsCLI(t, "readiness", "--store", db); code != 2 || !strings.Contains(stderr, "no store at "+db) {
		t.Fatalf("readiness on a missing store: exit %d, %q; want 2, no store", code, stderr)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("readiness made a store: %v", err)
	}
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	// A store with no readiness yet: nothing listed, exit 0.
	code, stdout, _ := runFormsCLI(t, "readiness", "--store", db, "--json", "--history")
	if code != 0 || stdout != "{\n  \"establishments\": [],\n  \"history\": []\n}\n" {
		t.Errorf("readiness --json --history on an empty store: exit %d, %q", code, stdout)
	}

	c := provision.Checklist{FINESS: "440000172", Name: "CHU", Referent: provision.Contact{Name: "Jeanne Martin", Email: "j.martin@chu.example"}}
	r := provision.EvaluateReadiness(c, provision.ReadinessCounts{})
	in, err := json.Marshal(map[string]any{"readiness": []provision.Readiness{r}, "checklists": map[string]provision.Checklist{c.FINESS: c}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("run.json", in, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := recordReadiness([]string{db, "2026-01-15", "run.json"}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runFormsCLI(t, "readiness", "--store", db, "--json")
	var got readinessJSON
	if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil {
		t.Fatalf("readiness --json: exit %d, %v, %s", code, err, stderr)
	}
	if len(got.Establishments) != 1 || got.History != nil {
		t.Fatalf("readiness --json = %+v; want one establishment, no history", got)
	}
	l := got.Establishments[0]
	if l.FINESS != "440000172" || l.Status != provision.Blocking || l.Date != "2026-01-15" || len(l.Missing) != len(l.Items) || len(l.Items) == 0 {
		t.Errorf("readiness --json establishment = %+v; want 440000172 blocking on 2026-01-15, its items not ready", l)
	}
	for _, it := range l.Items {
		if it.Status == provision.Ready {
			t.Errorf("readiness --json lists the ready item %s", it.Key)
		}
	}
	// The contacts of the checklist are kept in the store, never printed.
	for _, args := range [][]string{{"--json", "--history"}, {"--history"}, {"--finess", "440000172"}} {
		code, stdout, stderr := runFormsCLI(t, append([]string{"readiness", "--store", db}, args...)...)
		if code != 0 || strings.Contains(stdout+stderr, "Martin") || strings.Contains(stdout+stderr, "@") {
			t.Errorf("readiness %q: exit %d, output names a contact or failed:\n%s%s", args, code, stdout, stderr)
		}
	}
}
