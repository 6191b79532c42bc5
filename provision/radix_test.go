package provision

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp/cmpopts"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestRadixSort checks radixSort against a stable comparison sort on keys
// of several shapes: random hashes, few distinct keys (ties keep their
// order), keys that differ in one byte only, keys equal in every byte.
func TestRadixSort(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	shapes := map[string]func() uint64{
		"random":   r.Uint64,
		"few":      func() uint64 { return uint64(r.IntN(5)) << 40 },
		"one byte": func() uint64 { return 0xdead_beef_0000_0000 | uint64(r.IntN(256))<<16 },
		"same":     func() uint64 { return 42 },
		"high":     func() uint64 { return uint64(r.IntN(4)) << 62 },
	}
	for name, key := range shapes {
		for _, n := range []int{0, 1, 2, 3, 100, 5000} {
			ks := make([]keyed, n)
			for i := range ks {
				ks[i] = keyed{key(), int32(i)}
			}
			want := slices.Clone(ks)
			slices.SortStableFunc(want, func(a, b keyed) int { return cmp.Compare(a.k, b.k) })
			got := radixSort(slices.Clone(ks), make([]keyed, n))
			if diff := gocmp.Diff(want, got, gocmp.AllowUnexported(keyed{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s, %d keys: radixSort differs from a stable sort (-want +got):\n%s", name, n, diff)
			}
		}
	}
}

// TestSortFindings compares sortFindings with the stable sort it replaces,
// on findings of many rows, several a row, of every rank.
func TestSortFindings(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 7, 1000, 20000} {
		found := make([]crossFinding, n)
		for i := range found {
			// other tells findings equal in row and rank apart.
			found[i] = crossFinding{idx: int32(r.IntN(n/3 + 1)), rank: uint8(r.IntN(len(crossCodes))), other: int32(i)}
		}
		want := slices.Clone(found)
		slices.SortStableFunc(want, func(a, b crossFinding) int {
			return cmp.Or(cmp.Compare(a.idx, b.idx), cmp.Compare(crossRank(a.code()), crossRank(b.code())))
		})
		sortFindings(found, &sortScratch{})
		for i := range want {
			if found[i].idx != want[i].idx || found[i].code() != want[i].code() || found[i].other != want[i].other {
				t.Fatalf("%d findings: at %d got %+v, want %+v (the stable sort's)", n, i, found[i], want[i])
			}
		}
	}
}

// TestCrossFinding checks that the findings' ranks name their codes, in
// the order of crossRank, and that a finding stays as small as its
// comment says (a national list holds one or more a row).
func TestCrossFinding(t *testing.T) {
	for i, code := range crossCodes {
		f := crossFinding{rank: crossRank(code)}
		if int(f.rank) != i || f.code() != code {
			t.Errorf("crossRank(%s) = %d, code() = %s; want %d and %s", code, f.rank, f.code(), i, code)
		}
	}
	// The codes the Annuaire Santé's verdicts give ([dirVerdict]) are
	// findings too.
	for _, code := range []Code{IDNotInDirectory, IDNameMismatch, ProfessionMismatch, EstablishmentNotInDirectory} {
		if f := (crossFinding{rank: crossRank(code)}); f.code() != code {
			t.Errorf("crossRank(%s) gives back %s", code, f.code())
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("crossRank(%s) did not panic", EmailInvalid)
			}
		}()
		crossRank(EmailInvalid) // a check of one row, not across rows
	}()
	if len(crossCodes) > 8 {
		t.Errorf("%d codes across rows: the sort keeps 3 bits for them", len(crossCodes))
	}
	if n := unsafe.Sizeof(crossFinding{}); n > 48 {
		t.Errorf("a crossFinding takes %d bytes; want 48 at most", n)
	}
}
