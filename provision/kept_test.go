package provision

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dccprov/dccprov/samples/biglist"
)

// TestKeptPersons checks, row by row, that the person pass 1 keeps for a
// run ([checker.kept]) is the person pass 2 would get by checking the row
// again ([checker.second]), without a problem, and that what the check
// spool gives back of a row with problems ([checker.spooled]) is what
// checking it again gives, on the fixtures, the
// samples, generated lists and a list whose establishments are named
// without FINESS (rows the list decides, which pass 2 checks again), and
// that pass 1 keeps most rows of a list with few problems.
func TestKeptPersons(t *testing.T) {
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
		writeBigList(t, 2*firstsChunk+500, biglist.Realistic, "csv"), // three chunks of kept persons
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
			kept, spooled, rows := 0, 0, 0
			c.startChecks()
			defer c.endChecks()
			err = src.passRows(t.Context(), func(r Row, read []Problem) error {
				rows++
				i := c.next
				p, ok := c.kept(read)
				if !ok {
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
				}
				kept++
				c.next = i
				want, ps := c.second(r, read)
				if len(ps) != 0 {
					t.Errorf("row %d: kept, but checked again it has problems %v", r.Number, ps)
				}
				if diff := cmp.Diff(want, p); diff != "" {
					t.Errorf("row %d: kept person differs from the one checked again (-again +kept):\n%s", r.Number, diff)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if rows != c.nFirsts {
				t.Errorf("pass 2 read %d rows, pass 1 kept a place for %d", rows, c.nFirsts)
			}
			t.Logf("%d of %d rows kept, %d spooled", kept, rows, spooled)
			if kept+spooled == 0 && rows > 10 {
				t.Errorf("no row kept or spooled")
			}
			if filepath.Base(path) == "realistic-3000.xlsx" && kept < rows*8/10 {
				t.Errorf("pass 1 kept %d of %d rows of a list with few problems", kept, rows)
			}
			if path == named && kept != 2 {
				t.Errorf("pass 1 kept %d rows of the list naming establishments, want 2 (those with a FINESS)", kept)
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
