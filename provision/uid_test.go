package provision

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var loginBaseTests = []struct {
	first, birth string
	want         string
}{
	{"Jean", "DUPONT", "jean.dupont"},
	{"Éloïse", "LÉGER", "eloise.leger"},
	{"Jean-Marie", "LE GOFF", "jean-marie.le-goff"},
	{"Anne", "D'ARGENT", "anne.d-argent"},
	{"Anne", "D’ARGENT", "anne.d-argent"},
	{"Cécile", "CŒUR", "cecile.coeur"},
	{"Lætitia", "STRAßE", "laetitia.strasse"},
	{"François", "GARÇON", "francois.garcon"},
	{"  Marie  ", "  DU   PONT  ", "marie.du-pont"},
	{"Jean--Luc", "MARTIN -", "jean-luc.martin"},
	{"Søren", "ŁUKASZ", "soren.lukasz"},
	{"", "DUPONT", "dupont"},
	{"", "", "compte"},
	{"???", "!!!", "compte"},
}

func TestLoginBase(t *testing.T) {
	t.Parallel()
	for _, tt := range loginBaseTests {
		if got := LoginBase(tt.first, tt.birth); got != tt.want {
			t.Errorf("LoginBase(%q, %q) = %q; want %q", tt.first, tt.birth, got, tt.want)
		}
	}
}

func TestLoginBaseIsASCII(t *testing.T) {
	t.Parallel()
	for _, tt := range loginBaseTests {
		got := LoginBase(tt.first, tt.birth)
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
				t.Errorf("LoginBase(%q, %q) = %q; has %q outside [a-z0-9.-]", tt.first, tt.birth, got, r)
			}
		}
	}
}

// person returns an accepted person with an RPPS number (or none when rpps
// is "") for tests.
func uidPerson(row int, first, birth, email, rpps string) Person {
	p := Person{Row: row, Status: StatusAccepted, FirstName: first, BirthName: birth, Email: email}
	if rpps != "" {
		p.ID = NationalID{Kind: KindRPPS, Value: rpps}
	}
	return p
}

func rejected(p Person) Person {
	p.Status = StatusRejected
	return p
}

func TestAssignUIDs(t *testing.T) {
	t.Parallel()
	people := []Person{
		uidPerson(2, "Jean", "DUPONT", "jd1@chu-exemple.fr", "10000000001"),
		uidPerson(3, "Jean", "DUPONT", "jd2@chu-exemple.fr", "10000000002"), // namesake
		uidPerson(4, "Jean", "DUPONT", "jd1@chu-exemple.fr", "10000000001"), // first one again, other establishment
		uidPerson(5, "Jean", "Dupont", "jd3@chu-exemple.fr", ""),            // known from an earlier run
		uidPerson(6, "Marie", "CURIE", "mc@chu-exemple.fr", ""),
		{Row: 7, Status: StatusRejected, FirstName: "Jean", BirthName: "DUPONT"},
		rejected(uidPerson(8, "Jean", "Dupont", "jd3@chu-exemple.fr", "")),            // known: keeps its login
		rejected(uidPerson(9, "Jean", "DUPONT", "jd1@chu-exemple.fr", "10000000001")), // given by this run only
		rejected(uidPerson(10, "Paul", "NOUVEAU", "pn@chu-exemple.fr", "")),           // unknown: no login
	}
	known := map[string]string{
		"mail:jd3@chu-exemple.fr": "jean.dupont",
		"810000000099":            "marie.curie",
	}
	given := AssignUIDs(people, known)
	var got []string
	for _, p := range people {
		got = append(got, p.UID)
	}
	want := []string{"jean.dupont2", "jean.dupont3", "jean.dupont2", "jean.dupont", "marie.curie2", "", "jean.dupont", "", ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AssignUIDs: UIDs (-want +got):\n%s", diff)
	}
	wantGiven := map[string]string{
		"810000000001":           "jean.dupont2",
		"810000000002":           "jean.dupont3",
		"mail:mc@chu-exemple.fr": "marie.curie2",
	}
	if diff := cmp.Diff(wantGiven, given); diff != "" {
		t.Errorf("AssignUIDs: given (-want +got):\n%s", diff)
	}

	// A later run with the logins now known gives the same ones, whatever the order.
	maps.Copy(known, given)
	again := []Person{people[4], people[1], people[0]}
	for i := range again {
		again[i].UID = ""
	}
	if g := AssignUIDs(again, known); len(g) != 0 {
		t.Errorf("AssignUIDs again gave new logins %v; want none", g)
	}
	if again[0].UID != "marie.curie2" || again[1].UID != "jean.dupont3" || again[2].UID != "jean.dupont2" {
		t.Errorf("AssignUIDs again = %q, %q, %q; want marie.curie2, jean.dupont3, jean.dupont2", again[0].UID, again[1].UID, again[2].UID)
	}
}

// TestAdoptedKeys checks that a person known by email keeps their login
// when their RPPS first appears, and that an ambiguous email adopts nobody.
func TestAdoptedKeys(t *testing.T) {
	t.Parallel()
	known := map[string]string{"mail:jd@chu-exemple.fr": "jean.dupont", "mail:am@chu-exemple.fr": "anne.martin"}
	people := []Person{
		uidPerson(2, "Jean", "DUPONT", "jd@chu-exemple.fr", "10000000001"), // RPPS given now
		uidPerson(3, "Anne", "MARTIN", "am@chu-exemple.fr", "10000000002"), // RPPS given now…
		uidPerson(4, "Anne", "MARTIN", "am@chu-exemple.fr", ""),            // …but still a row without
		uidPerson(5, "Jean", "DUPONT", "jd@chu-exemple.fr", "10000000001"), // the same person again
	}
	jean := people[0].Key()
	if diff := cmp.Diff(map[string]string{jean: "mail:jd@chu-exemple.fr"}, AdoptedKeys(people, known)); diff != "" {
		t.Errorf("AdoptedKeys (-want +got):\n%s", diff)
	}
	AssignUIDs(people, known)
	if people[0].UID != "jean.dupont" || people[3].UID != "jean.dupont" {
		t.Errorf("AssignUIDs with the RPPS first given: %q, %q; want jean.dupont (kept)", people[0].UID, people[3].UID)
	}
	// Two identifiers for one email: neither is adopted.
	two := []Person{
		uidPerson(2, "Jean", "DUPONT", "jd@chu-exemple.fr", "10000000001"),
		uidPerson(3, "Jean", "DUPONT", "jd@chu-exemple.fr", "10000000003"),
	}
	if got := AdoptedKeys(two, known); len(got) != 0 {
		t.Errorf("AdoptedKeys(two identifiers, one email) = %v; want none", got)
	}
}

// TestAssignUIDsNumbering checks the per-base counter against the plain
// rule (the first free base+n from 2 up) on lists full of namesakes, some
// of whose logins are known already, one of them a numbered one.
func TestAssignUIDsNumbering(t *testing.T) {
	firsts := []string{"Marie", "Jean", "Léa"}
	lasts := []string{"Martin", "Martin2", "Petit"}
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 9))
		var people []Person
		for i := range 300 {
			people = append(people, Person{Row: i + 2, Status: StatusAccepted, FirstName: firsts[r.IntN(3)], BirthName: lasts[r.IntN(3)],
				Email: fmt.Sprintf("p%d@chu-exemple.fr", r.IntN(280))})
		}
		known := map[string]string{"mail:x@y.fr": "marie.martin3", "mail:z@y.fr": "jean.martin"}
		got := slices.Clone(people)
		assignUIDs(got, known, nil)
		// The plain rule, as it was.
		taken := map[string]bool{"marie.martin3": true, "jean.martin": true}
		given := map[string]string{}
		for i := range people {
			p := &people[i]
			if uid, ok := given[p.Key()]; ok {
				p.UID = uid
				continue
			}
			base := LoginBase(p.FirstName, p.BirthName)
			uid := base
			for n := 2; taken[uid]; n++ {
				uid = base + strconv.Itoa(n)
			}
			taken[uid], given[p.Key()], p.UID = true, uid, uid
		}
		for i := range people {
			if got[i].UID != people[i].UID {
				t.Fatalf("seed %d, row %d (%s %s): uid %q, the plain rule gives %q", seed, people[i].Row, people[i].FirstName, people[i].BirthName, got[i].UID, people[i].UID)
			}
		}
	}
}
