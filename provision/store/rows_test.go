package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// TestRowsJSONChunks checks that a table's rows come in chunks of at most
// chunkRows, sorted on their key across chunks (stable: equal keys keep
// their order), and that text JSON must escape survives.
func TestRowsJSONChunks(t *testing.T) {
	n := chunkRows*2 + 3
	r := newRows(2, n)
	var want [][]string
	for i := range n {
		row := []string{fmt.Sprintf("k%07d", (i*7919)%(n/2)), fmt.Sprintf("v%d \"é\"\n\\", i)}
		r.add(row...)
		want = append(want, row)
	}
	slices.SortStableFunc(want, func(a, b []string) int {
		if a[0] < b[0] {
			return -1
		}
		if a[0] > b[0] {
			return 1
		}
		return 0
	})
	var got [][]string
	chunks := 0
	for chunk := range r.json(1) {
		var rows [][]string
		if err := json.Unmarshal([]byte(chunk), &rows); err != nil {
			t.Fatalf("chunk %d: %v", chunks, err)
		}
		if len(rows) > chunkRows {
			t.Errorf("chunk %d has %d rows, more than %d", chunks, len(rows), chunkRows)
		}
		got = append(got, rows...)
		chunks++
	}
	if chunks != 3 {
		t.Errorf("%d chunks, want 3", chunks)
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows out of key order or changed across chunks")
	}
}
