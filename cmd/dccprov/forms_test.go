package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
	"github.com/dccprov/dccprov/templates"
)

// seedFormsStore records, through the store API, a run of two establishments
// with one signature form each, and returns the store path and the forms.
func seedFormsStore(t testing.TB) (string, []provision.Form) {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "dccprov.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	defs, err := provision.DefaultHabilitations(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &provision.Config{Habilitations: defs, Templates: templates.FS, Date: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), Operator: "seed"}
	req := func(code string) provision.Request {
		for _, d := range defs {
			if d.Code == code {
				return provision.Request{Code: d.Code, Label: d.Label, Signature: d.Signature}
			}
		}
		t.Fatalf("no %s", code)
		return provision.Request{}
	}
	people := []provision.Person{
		{Row: 2, Status: provision.StatusAccepted, FirstName: "Jean", BirthName: "DUPONT", Email: "jean.dupont@chu-exemple.fr",
			Establishment: provision.Establishment{FINESS: "010000016", Name: "Centre hospitalier Exemple"},
			Habilitations: []provision.Request{req("CONSULTATION"), req("COORDONNATEUR_RCP")}},
		{Row: 3, Status: provision.StatusAccepted, FirstName: "Anne", BirthName: "MARTIN", Email: "anne.martin@clinique-exemple.fr",
			Establishment: provision.Establishment{FINESS: "010000024", Name: "Clinique Exemple"},
			Habilitations: []provision.Request{req("ADMIN_3C")}},
	}
	provision.AssignUIDs(people, nil)
	forms := provision.PlanForms(people, nil, cfg)
	tx, err := st.BeginRun(ctx, cfg.Date, cfg.Operator)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.RecordRun(ctx, provision.RunRecord{Date: cfg.Date, Operator: cfg.Operator, People: people, Forms: forms,
		Input: provision.Input{File: "liste.xlsx"}, Rows: provision.Counts{Read: 2, Accepted: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(forms) != 2 {
		t.Fatalf("seed: %d forms; want 2", len(forms))
	}
	return path, forms
}

// runFormsCLI calls run with args and a fixed environment; it returns the exit
// status, stdout and stderr.
func runFormsCLI(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	t.Setenv("SOURCE_DATE_EPOCH", "1768867200") // 2026-01-20
	t.Setenv("USER", "testeur")
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestFormsCommands(t *testing.T) {
	path, forms := seedFormsStore(t)
	chu, cli := forms[0].Ref, forms[1].Ref
	dir := t.TempDir()
	t.Chdir(dir) // no dccprov.yaml here

	var cases = []struct {
		args     []string
		code     int
		stdout   []string // substrings of stdout
		stderr   []string // substrings of stderr
		noStdout bool
	}{
		{args: []string{"forms", "list", "--store", path}, stdout: []string{"REF", chu, cli, "pending", "Clinique Exemple", "2026-01-15"}},
		{args: []string{"forms", "sign", "F-NOPE", "--signer", "Dr X", "--store", path}, code: 2, stderr: []string{"no form F-NOPE"}, noStdout: true},
		{args: []string{"forms", "sign", chu, "--store", path}, code: 2, stderr: []string{"--signer NAME is required"}},
		{args: []string{"forms", "sign", chu, "--signer", "Dr X", "--date", "2026-01-14", "--store", path}, code: 2,
			stderr: []string{"form " + chu + " was printed on 2026-01-15, so it cannot be signed or rejected on 2026-01-14"}, noStdout: true},
		{args: []string{"forms", "print", chu, "-o", dir, "--store", path}, stderr: []string{"form " + chu, filepath.Join(dir, chu+".pdf")}, noStdout: true},
		{args: []string{"forms", "print", chu, "-o", filepath.Join(path, "x"), "--store", path}, code: 2, stderr: []string{"cannot use it as a folder"}},
		{args: []string{"forms", "print", "F-NOPE", "-o", dir, "--store", path}, code: 2, stderr: []string{"no form F-NOPE"}},
		{args: []string{"forms", "sign", chu, "--signer", "Dr Directrice, directrice", "--store", path}, stderr: []string{"form " + chu + " signed on 2026-01-20"}, noStdout: true},
		{args: []string{"forms", "sign", chu, "--signer", "Dr X", "--store", path}, code: 2, stderr: []string{"already signed"}},
		{args: []string{"forms", "reject", chu, "--reason", "x", "--store", path}, code: 2, stderr: []string{"already signed"}},
		{args: []string{"forms", "reject", cli, "--store", path}, code: 2, stderr: []string{"--reason TEXT is required"}},
		{args: []string{"forms", "reject", cli, "--reason", "personne inconnue", "--store", path}, stderr: []string{"form " + cli + " rejected"}},
		{args: []string{"forms", "reject", cli, "--reason", "encore", "--store", path}, code: 2, stderr: []string{"already rejected"}},
		{args: []string{"forms", "list", "--status", "signed", "--store", path}, stdout: []string{chu, "Dr Directrice"}},
		{args: []string{"forms", "list", "--status", "rejected", "--store", path}, stdout: []string{cli, "rejected  2026-01-15  2026-01-20  -"}},
		{args: []string{"forms", "list", "--status", "bogus", "--store", path}, code: 2, stderr: []string{"--status must be"}},
		{args: []string{"forms", "list", "extra", "--store", path}, code: 2},
		{args: []string{"forms", "frob"}, code: 2, stderr: []string{`unknown subcommand "frob"`, "forms sign REF"}},
		{args: []string{"forms"}, code: 2, stderr: []string{"expected a subcommand"}},
		{args: []string{"forms", "sign", chu, "--signer", "X", "--store", filepath.Join(dir, "none.db")}, code: 2, stderr: []string{"no store at"}},
		{args: []string{"forms", "list", "--store", filepath.Join(dir, "none.db")}, code: 2, stderr: []string{"no store at " + filepath.Join(dir, "none.db")}},
	}
	for _, tt := range cases {
		code, stdout, stderr := runFormsCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("dccprov %s: exit %d; want %d\nstderr: %s", strings.Join(tt.args, " "), code, tt.code, stderr)
		}
		for _, s := range tt.stdout {
			if !strings.Contains(stdout, s) {
				t.Errorf("dccprov %s: stdout has no %q:\n%s", strings.Join(tt.args, " "), s, stdout)
			}
		}
		for _, s := range tt.stderr {
			if !strings.Contains(stderr, s) {
				t.Errorf("dccprov %s: stderr has no %q:\n%s", strings.Join(tt.args, " "), s, stderr)
			}
		}
		if tt.noStdout && stdout != "" {
			t.Errorf("dccprov %s: stdout = %q; want nothing", strings.Join(tt.args, " "), stdout)
		}
	}

	// The JSON list, and what the next run sees through the store.
	code, stdout, _ := runFormsCLI(t, "forms", "list", "--json", "--store", path)
	var got []store.Form
	if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil {
		t.Fatalf("forms list --json: exit %d, %v:\n%s", code, err, stdout)
	}
	if len(got) != 2 || got[0].Status != store.FormSigned || got[0].SignedOn != "2026-01-20" || got[1].Status != store.FormRejected || got[1].RejectReason != "personne inconnue" || got[1].RejectedOn != "2026-01-20" {
		t.Errorf("forms list --json = %+v; want %s signed on 2026-01-20, %s rejected on 2026-01-20", got, chu, cli)
	}
	// forms print wrote the form as it was made, mode 0600.
	printed, err := os.ReadFile(filepath.Join(dir, chu+".pdf"))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	defs, _ := provision.DefaultHabilitations(templates.FS)
	if err := provision.WriteFormPDF(&want, forms[0], &provision.Config{Habilitations: defs, Templates: templates.FS}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(printed, want.Bytes()) {
		t.Errorf("forms print %s differs from the form as first rendered", chu)
	}
	if fi, err := os.Stat(filepath.Join(dir, chu+".pdf")); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("forms print %s: mode %v; want 0600", chu, fi.Mode().Perm())
	}
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	state, err := st.State(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]string{}
	for k, v := range state.Requests {
		statuses[k.Code] = v.Status
	}
	if statuses["COORDONNATEUR_RCP"] != provision.RequestActive || statuses["ADMIN_3C"] != provision.RequestRejected {
		t.Errorf("store after sign and reject: %v; want COORDONNATEUR_RCP active, ADMIN_3C rejected", statuses)
	}
	events, err := st.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The form events (each refused request has its own entry too).
	var last []store.Event
	for _, e := range events {
		if strings.HasPrefix(e.Action, "form-") && e.Action != "form-created" {
			last = append(last, e)
		}
	}
	if len(last) != 2 || last[0].Action != "form-signed" || last[0].Operator != "testeur" || last[0].Time != "2026-01-20T01:00:00+01:00" ||
		last[1].Action != "form-rejected" || last[1].Object != cli {
		t.Errorf("audit after sign and reject = %+v; want form-signed then form-rejected by testeur", last)
	}
}

func TestFormsBadConfig(t *testing.T) {
	path, _ := seedFormsStore(t)
	dir := t.TempDir()
	t.Chdir(dir)
	bad := filepath.Join(dir, "bad.yaml")
	writeFormsFile(t, bad, "habilitations:\n  - code: X\n    label: Y\n    holders: [anyone]\n    signatur: true\n")
	code, _, stderr := runFormsCLI(t, "forms", "list", "--config", bad, "--store", path)
	if code != 2 || !strings.Contains(stderr, "bad.yaml") || !strings.Contains(stderr, "signatur") {
		t.Errorf("forms list --config bad.yaml: exit %d, stderr %q; want 2 naming the file and the key", code, stderr)
	}
}

func writeFormsFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFormsPrintBadRefMakesNoDir checks that `forms print` checks the form
// before it makes DIR: an unknown REF, or a stored model that is not of a
// form reference, leaves nothing behind.
func TestFormsPrintBadRefMakesNoDir(t *testing.T) {
	path, forms := seedFormsStore(t)
	ref := forms[0].Ref
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE forms SET model = json_set(model, '$.ref', '../evil') WHERE ref = ?`, ref); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, r := range []string{"F-NOPE", ref} {
		dir := filepath.Join(t.TempDir(), "out")
		code, _, stderr := runFormsCLI(t, "forms", "print", r, "-o", dir, "--store", path)
		if code == 0 {
			t.Errorf("forms print %s with a bad form = 0; want an error", r)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("forms print %s (%s) created %s", r, strings.TrimSpace(stderr), dir)
		}
	}
}
