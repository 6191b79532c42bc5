package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/store"
)

func TestFormFiles(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	ctx := t.Context()
	forms, _ := newBatch(t, "2026-01-15").
		add("Jean", "DUPONT", "10000000001", chu, "ADMIN_3C").
		add("Paul", "DURAND", "10000000003", clinique, "ACCES_ETENDU").run(st)
	a, b := forms[0].Ref, forms[1].Ref
	d1, d2 := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []struct {
		ref, sum string
		date     time.Time
	}{{a, "aa01", d1}, {a, "aa01", d2}, {a, "aa02", d2}, {b, "bb01", d1}} {
		if err := st.RecordFormFile(ctx, r.ref, r.sum, r.date); err != nil {
			t.Fatalf("RecordFormFile(%s, %s) = %v", r.ref, r.sum, err)
		}
	}
	// The same file recorded again is kept once, with its first date.
	if got, err := st.FormFiles(ctx, a); err != nil || !slices.Equal(got, []string{"aa01", "aa02"}) {
		t.Errorf("FormFiles(%s) = %q, %v; want [aa01 aa02]", a, got, err)
	}
	if ref, err := st.FormFile(ctx, "bb01"); err != nil || ref != b {
		t.Errorf("FormFile(bb01) = %q, %v; want %s", ref, err, b)
	}
	if _, err := st.FormFile(ctx, "cc01"); !errors.Is(err, store.ErrUnknownFormFile) {
		t.Errorf("FormFile(cc01) = %v; want ErrUnknownFormFile", err)
	}
	if err := st.RecordFormFile(ctx, "F-NOPE", "dd01", d1); err == nil {
		t.Errorf("RecordFormFile of an unknown form = nil; want an error")
	}
}
