package store_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/dccprov/dccprov/provision/store"
)

// BenchmarkRecordRun measures a run of 100 000 people recorded in a new
// store (every person, establishment and request inserted, the audit
// trail included) and the same run recorded again in that store (every
// row found and its last run updated), as a national list does on its
// first and later runs.
func BenchmarkRecordRun(b *testing.B) {
	const n = 100_000
	list := func() *batch {
		bt := newBatch(b, "2026-01-15")
		for i := range n {
			est := chu
			if i%3 == 0 {
				est = clinique
			}
			codes := []string{"CONSULTATION"}
			if i%5 == 0 {
				codes = append(codes, "ACCES_ETENDU")
			}
			j := i * 48271 % n // a list is in no key order
			bt.add(fmt.Sprintf("Prenom%d", j), fmt.Sprintf("Nom%d", j), rppsFor(j), est, codes...)
		}
		return bt
	}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			st, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "dccprov.db"))
			if err != nil {
				b.Fatal(err)
			}
			bt := list()
			b.StartTimer()
			bt.run(st)
			b.StopTimer()
			st.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "people/s")
	})
	b.Run("again", func(b *testing.B) {
		st, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "dccprov.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		list().run(st)
		for b.Loop() {
			b.StopTimer()
			bt := list()
			b.StartTimer()
			bt.run(st)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "people/s")
	})
}

// rppsFor returns the i-th synthetic RPPS number: 11 digits, Luhn key.
func rppsFor(i int) string {
	s := fmt.Sprintf("1%09d", i)
	sum := 0
	for j := range len(s) {
		d := int(s[len(s)-1-j] - '0')
		if j%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + fmt.Sprint((10-sum%10)%10)
}
