package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision/store"
)

func TestFormFiles(t *testing.T) {
	t.Parallel()
	st, _ := mustOpen(t)
	ctx := t.Context()
	d1 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d2 := d1.AddDate(0, 0, 7)
	a, b := []byte("%PDF-a"), []byte("%PDF-b")
	for _, r := range []struct {
		data []byte
		date time.Time
	}{{a, d1}, {a, d2}, {b, d2}} {
		if err := st.RecordFormFile(ctx, "F-1", r.data, r.date); err != nil {
			t.Fatalf("RecordFormFile = %v", err)
		}
	}
	got, err := st.FormFiles(ctx, "F-1")
	want := []string{store.FileSHA256(a), store.FileSHA256(b)}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("FormFiles(F-1) = %v, %v; want %v (each distinct file once)", got, err, want)
	}
	if ref, ok, err := st.FormFileRef(ctx, store.FileSHA256(b)); ref != "F-1" || !ok || err != nil {
		t.Errorf("FormFileRef(b) = %q, %v, %v; want F-1", ref, ok, err)
	}
	if _, ok, err := st.FormFileRef(ctx, store.FileSHA256([]byte("other"))); ok || err != nil {
		t.Errorf("FormFileRef(unknown) = %v, %v; want not found", ok, err)
	}
}
