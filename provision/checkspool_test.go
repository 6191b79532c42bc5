package provision

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fillAll sets every field reachable from v (a pointer) to a value of its
// own: strings "s1", "s2" …, numbers, true, one-element slices, non-nil
// pointers. A field added to Person or Problem later is filled too, so a
// record that forgot it fails the round trip.
func fillAll(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), n)
	case reflect.Struct:
		for _, field := range v.Fields() {
			fillAll(field, n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fillAll(v.Index(i), n)
		}
	case reflect.String:
		*n++
		v.SetString(fmt.Sprintf("s%d é\"\n", *n))
	case reflect.Int:
		*n++
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	default:
		panic("fillAll: a field of kind " + v.Kind().String() + " the check record does not know")
	}
}

// filledCheck returns a person and problems with every field set
// ([fillAll]), each to a value of its own.
func filledCheck() (Person, []Problem) {
	var p Person
	var problems []Problem
	n := 0
	fillAll(reflect.ValueOf(&p).Elem(), &n)
	fillAll(reflect.ValueOf(&problems).Elem(), &n)
	return p, problems
}

// TestCheckRecordRoundTrip checks that a record of the check spool gives
// back every field of the person and problems it was made of, with every
// field set, and with the optional ones absent (nil pointers, nil and
// empty lists).
func TestCheckRecordRoundTrip(t *testing.T) {
	full, problems := filledCheck()
	sparse := Person{Row: 7, Habilitations: []Request{{Code: "CONSULTATION"}}}
	empty := Person{Habilitations: []Request{}}
	for i, tc := range []struct {
		p        Person
		problems []Problem
	}{{full, problems}, {sparse, nil}, {empty, problems[:1]}, {Person{}, nil}} {
		rec := appendCheck(nil, 1000+i, &tc.p, tc.problems)
		got, ok := decodeCheck(rec)
		if !ok {
			t.Fatalf("record %d: not decoded", i)
		}
		if got.index != 1000+i {
			t.Errorf("record %d: index %d", i, got.index)
		}
		if diff := cmp.Diff(tc.p, got.person); diff != "" {
			t.Errorf("record %d: person (-added +read back):\n%s", i, diff)
		}
		if diff := cmp.Diff(tc.problems, got.problems); len(tc.problems) > 0 && diff != "" {
			t.Errorf("record %d: problems (-added +read back):\n%s", i, diff)
		}
		// A record cut short or with a byte more is damaged, never a panic.
		for cut := range len(rec) {
			if _, ok := decodeCheck(rec[:cut]); ok {
				t.Fatalf("record %d cut to %d bytes of %d decoded", i, cut, len(rec))
			}
		}
		if _, ok := decodeCheck(append(rec, 0)); ok {
			t.Errorf("record %d with a byte more decoded", i)
		}
	}
}

// FuzzDecodeCheck feeds the check spool's decoder damaged records: it
// must never panic, and what it accepts must encode back to the record.
func FuzzDecodeCheck(f *testing.F) {
	p, problems := filledCheck()
	f.Add(appendCheck(nil, 3, &p, problems))
	f.Add(appendCheck(nil, 0, &Person{}, nil))
	f.Fuzz(func(t *testing.T, rec []byte) {
		c, ok := decodeCheck(rec)
		if !ok {
			return
		}
		if again := appendCheck(nil, c.index, &c.person, c.problems); string(again) != string(rec) {
			t.Errorf("record %x decoded, encodes back as %x", rec, again)
		}
	})
}
