package provision

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dccprov/dccprov/samples/biglist"
)

// TestSpooledChecks checks, row by row, that what the check spool gives
// back of a row ([checker.spooled]), its person and problems, is what
// checking the row again gives, when pass 2 needs every row's person (a
// run): on the fixtures, the samples, generated lists and a list whose
// establishments are named without FINESS (rows the list decides, which
// pass 2 checks again); and that pass 1 keeps most rows of a list with
// few problems.
func TestSpooledChecks(t *testing.T) {
	named := filepath.Join(t.TempDir(), "noms.csv")
	if err := os.WriteFile(named, []byte("Nom,Prénom,Email,Profession,Établissement,FINESS,Habilitations,Mode de connexion\n"+
		"DUPONT,Jean,jean.dupont@chu-exemple.fr,Secrétaire médicale,CHU Exemple,,CONSULTATION,Mail\n"+
		"MARTIN,Marie,marie.martin@chu-exemple.fr,Secrétaire médicale,chu exemple,010000016,CONSULTATION,Mail\n"+
		"BERNARD,Paul,paul.bernard@chu-exemple.fr,Secrétaire médicale,Clinique Sud,,CONSULTATION,Mail\n"+
		"PETIT,Anne,anne.petit@chu-exemple.fr,Secrétaire médicale,,010000024,CONSULTATION,Mail\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"testdata/fixtures/liste-openpyxl.xlsx",
		"testdata/fixtures/liste-libreoffice.xlsx",
		"testdata/fixtures/liste-excel-fr.csv",
		"../samples/liste-personnels.xlsx",
		"../samples/liste-personnels.csv",
		writeBigList(t, 3000, biglist.Realistic, "xlsx"),
		writeBigList(t, 3000, biglist.Realistic, "csv"),
		writeBigList(t, 1000, biglist.Heavy, "csv"),
		named,
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cfg := testConfig(t)
			if filepath.Ext(path) == ".csv" && filepath.Base(path) != "liste-excel-fr.csv" {
				cfg.CSV = CSVOptions{}
			}
			c, src, _, _, err := firstPass(t.Context(), path, cfg, true)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			spooled, rows := 0, 0
			c.startChecks()
			defer c.endChecks()
			err = src.passRows(t.Context(), func(r Row, read []Problem) error {
				rows++
				if rc, ok := c.spooled(r); ok {
					spooled++
					again := c.v.checkRow(r, c.listed)
					if diff := cmp.Diff(again.person, rc.person); diff != "" {
						t.Errorf("row %d: spooled person differs from the one checked again (-again +spooled):\n%s", r.Number, diff)
					}
					if diff := cmp.Diff(again.problems, rc.problems); diff != "" {
						t.Errorf("row %d: spooled problems differ from those checked again (-again +spooled):\n%s", r.Number, diff)
					}
				}
				c.second(r, read)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d of %d rows spooled", spooled, rows)
			if spooled == 0 && rows > 10 {
				t.Errorf("no row spooled")
			}
			if filepath.Base(path) == "realistic-3000.xlsx" && spooled < rows*8/10 {
				t.Errorf("pass 1 spooled %d of %d rows of a list with few problems", spooled, rows)
			}
			if path == named && spooled != 2 {
				t.Errorf("pass 1 spooled %d rows of the list naming establishments, want 2 (those with a FINESS)", spooled)
			}
		})
	}
}

// TestCheckSpoolUnavailable checks that when no check spool can be made
// (its folder is missing) pass 2 checks every row again and writes the
// same corrections workbook as with it.
func TestCheckSpoolUnavailable(t *testing.T) {
	path := writeBigList(t, 1000, biglist.Heavy, "csv")
	cfg := testConfig(t)
	cfg.CSV = CSVOptions{}
	var with, without bytes.Buffer
	if _, err := CheckFile(t.Context(), path, cfg, &with, false); err != nil {
		t.Fatal(err)
	}
	checkSpoolDir = filepath.Join(t.TempDir(), "missing")
	defer func() { checkSpoolDir = "" }()
	if s := newCheckSpool(); s != nil {
		s.Close()
		t.Fatal("a check spool was made in a missing folder")
	}
	if _, err := CheckFile(t.Context(), path, cfg, &without, false); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(with.Bytes(), without.Bytes()) {
		t.Errorf("the corrections workbook differs without the check spool (%d bytes, %d with)", without.Len(), with.Len())
	}
}
