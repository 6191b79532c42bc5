package provision

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dccprov/dccprov/templates"
	"github.com/nyaruka/phonenumbers"
)

// This file generates and checks templates/reference/phone-prefix-routing.csv,
// the routing table of [Nomenclature.ParsePhone]:
//
//	go test ./provision -run '^TestPhonePrefixRouting$' -update
//
// rewrites it from the libphonenumber metadata of the module in go.mod.

// phoneVerdict is what libphonenumber says of the numbers of a block read
// with one calling code: typ is PhoneUnknown when they are not valid.
type phoneVerdict struct {
	code   int
	region string
	typ    PhoneType
}

func (pv phoneVerdict) valid() bool { return pv.typ != PhoneUnknown }

// phoneLabel is a row of the routing table without its prefix.
type phoneLabel struct {
	phoneVerdict
	source string
}

// phoneTypeSources names each type by its element in libphonenumber's
// PhoneNumberMetadata.xml, for the source column.
var phoneTypeSources = map[PhoneType]string{
	PhoneFixedLine:         "fixedLine",
	PhoneMobile:            "mobile",
	PhoneFixedLineOrMobile: "fixedLine+mobile",
	"TOLL_FREE":            "tollFree",
	"PREMIUM_RATE":         "premiumRate",
	"SHARED_COST":          "sharedCost",
	"VOIP":                 "voip",
	"PERSONAL_NUMBER":      "personalNumber",
	"PAGER":                "pager",
	"UAN":                  "uan",
	"VOICEMAIL":            "voicemail",
}

// phoneTrunkCodes are the calling codes of the French regions whose
// numbers are written nationally with the trunk 0 (FR, the overseas
// departments, Saint-Pierre-et-Miquelon): the only ones a national number
// can belong to. New Caledonia, French Polynesia and Wallis-et-Futuna
// have no trunk prefix and are written with their calling code.
func phoneTrunkCodes() []int {
	var codes []int
	for _, r := range frenchRegions {
		if phonenumbers.GetNddPrefixForRegion(r, true) == "0" {
			codes = append(codes, phonenumbers.GetCountryCodeForRegion(r))
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// phoneHolders returns what libphonenumber says of the national
// significant number nsn with each of codes, for those that find it valid.
func phoneHolders(codes []int, nsn string) []phoneVerdict {
	u, err := strconv.ParseUint(nsn, 10, 64)
	if err != nil {
		panic(err)
	}
	var hs []phoneVerdict
	for _, cc := range codes {
		n := &phonenumbers.PhoneNumber{CountryCode: new(int32(cc)), NationalNumber: new(u)}
		if phonenumbers.IsValidNumber(n) {
			hs = append(hs, phoneVerdict{cc, phonenumbers.GetRegionCodeForNumber(n), phoneTypeNames[phonenumbers.GetNumberType(n)]})
		}
	}
	return hs
}

// phoneRouteOf decides, from the calling codes that hold a block (hs), the
// one its national numbers are read with:
//   - none: the block is unallocated;
//   - one: that one;
//   - a single overseas territory holding it as a fixed line or a mobile:
//     that territory, over FR, whose metadata holds 0260–0269, 0596 and
//     0598 in bulk while the territory's own plan is the precise claim;
//   - otherwise FR when it holds the block: the 08 and 09 numbers that FR
//     and one or more territories all hold, which no territory owns;
//   - otherwise nothing decides, and a person must.
func phoneRouteOf(hs []phoneVerdict) (phoneLabel, error) {
	if len(hs) == 0 {
		return phoneLabel{phoneVerdict{typ: PhoneUnknown}, "none"}, nil
	}
	pick, fr := -1, -1
	if len(hs) == 1 {
		pick = 0
	} else {
		var geo []int
		for i, h := range hs {
			switch {
			case h.code == 33:
				fr = i
			case h.typ == PhoneFixedLine || h.typ == PhoneMobile || h.typ == PhoneFixedLineOrMobile:
				geo = append(geo, i)
			}
		}
		switch {
		case len(geo) == 1:
			pick = geo[0]
		case fr >= 0:
			pick = fr
		default:
			return phoneLabel{}, fmt.Errorf("held by %v, no rule decides", hs)
		}
	}
	h := hs[pick]
	src := h.region + " " + phoneTypeSources[h.typ]
	var also []string
	for i, o := range hs {
		if i != pick {
			also = append(also, o.region+" "+phoneTypeSources[o.typ])
		}
	}
	if len(also) > 0 {
		src += "; also " + strings.Join(also, ", ")
	}
	return phoneLabel{h, src}, nil
}

// phoneForms are the two shapes of national numbers the table routes: the
// 10-digit form with the trunk 0, decided (like every pattern of the
// metadata) by its first 5 significant digits, and Saint-Pierre-et-
// Miquelon's 6-digit form, decided by its first 2 (checked on 3).
var phoneForms = []struct {
	digits int    // national length
	trunk  string // written before the significant digits
	depth  int    // significant digits that decide
}{
	{10, "0", 5},
	{6, "", 3},
}

// phoneTableRow is a row of the routing table.
type phoneTableRow struct {
	prefix string // national, as written
	digits int
	label  phoneLabel
}

// phoneRoutingRows asks libphonenumber about every block of both forms and
// returns the routing table: rows whose longest matching prefix gives each
// block its label. A prefix takes the label most of its ten children have
// (the lowest digit's on a tie) and a child gets a row when it differs. An
// unallocated row keeps the calling code of the row that encloses it, so
// its numbers keep their neighbours' E.164 form.
func phoneRoutingRows() ([]phoneTableRow, error) {
	codes := phoneTrunkCodes()
	var rows []phoneTableRow
	var errs []string
	for _, f := range phoneForms {
		leaf := func(sig string) phoneLabel {
			l, err := phoneRouteOf(phoneHolders(codes, sig+strings.Repeat("0", f.digits-len(f.trunk)-len(sig))))
			if err != nil {
				errs = append(errs, f.trunk+sig+": "+err.Error())
			}
			return l
		}
		var form []phoneTableRow
		for d := '1'; d <= '9'; d++ {
			l, sub := compressPhoneBlocks(string(d), f.depth, leaf)
			form = append(form, phoneTableRow{prefix: string(d), label: l})
			form = append(form, sub...)
		}
		// Unallocated rows take the code of the row that encloses them, or
		// for a top row the code most valid rows of the form have.
		count := map[int]int{}
		for _, r := range form {
			if r.label.valid() {
				count[r.label.code]++
			}
		}
		top := 0
		for _, c := range slices.Sorted(maps.Keys(count)) {
			if count[c] > count[top] {
				top = c
			}
		}
		byPrefix := map[string]int{}
		for i := range form {
			r := &form[i]
			byPrefix[r.prefix] = i
			if r.label.valid() {
				continue
			}
			r.label.code = top
			for l := len(r.prefix) - 1; l > 0; l-- {
				if j, ok := byPrefix[r.prefix[:l]]; ok {
					r.label.code = form[j].label.code
					break
				}
			}
		}
		for _, r := range form {
			r.prefix, r.digits = f.trunk+r.prefix, f.digits
			rows = append(rows, r)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%d blocks without a route: %s", len(errs), strings.Join(errs[:min(len(errs), 5)], "; "))
	}
	return rows, nil
}

// compressPhoneBlocks returns the label of the block p (significant
// digits) and the rows under it, given the label of every block of depth
// digits.
func compressPhoneBlocks(p string, depth int, leaf func(string) phoneLabel) (phoneLabel, []phoneTableRow) {
	if len(p) == depth {
		return leaf(p), nil
	}
	var labels [10]phoneLabel
	var subs [10][]phoneTableRow
	count := map[phoneLabel]int{}
	best := 0
	for i := range 10 {
		labels[i], subs[i] = compressPhoneBlocks(p+strconv.Itoa(i), depth, leaf)
		if count[labels[i]]++; count[labels[i]] > count[labels[best]] {
			best = i
		}
	}
	var rows []phoneTableRow
	for i, l := range labels {
		if l != labels[best] {
			rows = append(rows, phoneTableRow{prefix: p + strconv.Itoa(i), label: l})
		}
		rows = append(rows, subs[i]...)
	}
	return labels[best], rows
}

// writePhoneRoutingTable returns rows as the CSV of the routing table.
func writePhoneRoutingTable(rows []phoneTableRow) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"national_prefix", "digits", "calling_code", "region", "type", "source"})
	for _, r := range rows {
		w.Write([]string{r.prefix, strconv.Itoa(r.digits), strconv.Itoa(r.label.code), r.label.region, string(r.label.typ), r.label.source})
	}
	w.Flush()
	return buf.Bytes()
}

// phoneTable is the routing table as a test reads it, to look a number up.
type phoneTable map[string]phoneTableRow // by digits and prefix: "10:0690"

// mustReadPhoneTable reads the embedded routing table.
func mustReadPhoneTable(tb testing.TB) phoneTable {
	tb.Helper()
	data, err := fs.ReadFile(templates.FS, phoneRoutingFile)
	if err != nil {
		tb.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	t := phoneTable{}
	for _, rec := range recs[1:] {
		digits, _ := strconv.Atoi(rec[1])
		code, _ := strconv.Atoi(rec[2])
		t[rec[1]+":"+rec[0]] = phoneTableRow{rec[0], digits, phoneLabel{phoneVerdict{code, rec[3], PhoneType(rec[4])}, rec[5]}}
	}
	return t
}

// lookup returns the row of the national number s (digits only) and
// whether there is one.
func (t phoneTable) lookup(s string) (phoneTableRow, bool) {
	for l := len(s); l > 0; l-- {
		if r, ok := t[strconv.Itoa(len(s))+":"+s[:l]]; ok {
			return r, true
		}
	}
	return phoneTableRow{}, false
}

// agrees reports whether p is what row r says of its numbers.
func (r phoneTableRow) agrees(p Phone) bool {
	return p.Valid == r.label.valid() && p.Type == r.label.typ && p.Region == r.label.region &&
		strings.HasPrefix(p.E164, "+"+strconv.Itoa(r.label.code))
}

// TestPhonePrefixRouting checks the routing table against libphonenumber,
// block by block: every national block of 5 significant digits (and every
// 3-digit block of the 6-digit form) is looked up in the table, and what
// the table says (valid or not, type, region, calling code) must be what
// libphonenumber says with the calling code [phoneRouteOf] picks. Under the
// race detector it samples one block in thirty-one; without it, it also
// regenerates the table and compares it byte for byte (-update rewrites
// it), and checks that [phoneDeepBlocks] are exactly the blocks the fast
// path must cut finer. Then [Nomenclature.ParsePhone] must read a number
// of every row as the row says.
func TestPhonePrefixRouting(t *testing.T) {
	t.Parallel()
	const file = "../templates/" + phoneRoutingFile
	full := !raceEnabled() || *update
	if full {
		rows, err := phoneRoutingRows()
		if err != nil {
			t.Fatal(err)
		}
		got := writePhoneRoutingTable(rows)
		if *update {
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			return // the embedded table is the old one: the next run checks the new one
		}
		want, err := fs.ReadFile(templates.FS, phoneRoutingFile)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Fatalf("%s line %d = %q; libphonenumber gives %q (go test ./provision -run '^TestPhonePrefixRouting$' -update rewrites it)", file, i+1, wl[i], gl[i])
				}
			}
			t.Fatalf("%s has %d lines; libphonenumber gives %d", file, len(wl), len(gl))
		}
	}
	table := mustReadPhoneTable(t)

	step := 1
	if !full {
		step = 31
	}
	codes := phoneTrunkCodes()
	checked, bad := 0, 0
	// cuts collects what the 5-digit blocks of each 4-digit block get, in
	// national ("6390") and international ("+6390") form.
	cuts := map[string]map[phoneVerdict]bool{}
	note := func(key string, v phoneVerdict) {
		if cuts[key] == nil {
			cuts[key] = map[phoneVerdict]bool{}
		}
		cuts[key][v] = true
	}
	for _, f := range phoneForms {
		lo := 1
		for range f.depth - 1 {
			lo *= 10
		}
		for b := lo; b < 10*lo; b += step {
			sig := strconv.Itoa(b)
			nsn := sig + strings.Repeat("0", f.digits-len(f.trunk)-len(sig))
			hs := phoneHolders(codes, nsn)
			want, err := phoneRouteOf(hs)
			row, ok := table.lookup(f.trunk + nsn)
			checked++
			switch {
			case err != nil:
				t.Errorf("block %s%s: %v", f.trunk, sig, err)
			case !ok:
				t.Errorf("block %s%s: no row", f.trunk, sig)
			case want.valid() != row.label.valid() || want.valid() && want.phoneVerdict != row.label.phoneVerdict:
				if bad++; bad <= 10 {
					t.Errorf("block %s%s: row %s says %+v; libphonenumber: %v, so %+v", f.trunk, sig, row.prefix, row.label, hs, want)
				}
			}
			if f.digits == 10 && full {
				note(sig[:phoneBlockDigits], row.label.phoneVerdict)
				fr := phoneVerdict{code: 33, typ: PhoneUnknown}
				if len(hs) > 0 && hs[0].code == 33 {
					fr = hs[0]
				}
				note("+"+sig[:phoneBlockDigits], fr)
			}
		}
	}
	t.Logf("%d blocks checked against libphonenumber: %d disagreements", checked, bad)
	if bad > 0 {
		t.Errorf("%d blocks disagree with libphonenumber", bad)
	}
	if full {
		var need []string
		for _, k := range slices.Sorted(maps.Keys(cuts)) {
			if len(cuts[k]) > 1 {
				need = append(need, k)
			}
		}
		if have := slices.Sorted(maps.Keys(phoneDeepBlocks)); !slices.Equal(have, need) {
			t.Errorf("phoneDeepBlocks = %q; the blocks libphonenumber cuts finer are %q", have, need)
		}
	}

	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range slices.SortedFunc(maps.Values(table), func(a, b phoneTableRow) int { return strings.Compare(a.prefix, b.prefix) }) {
		s := r.prefix + strings.Repeat("0", r.digits-len(r.prefix))
		got, err := n.ParsePhone(s)
		if row, _ := table.lookup(s); err != nil || !row.agrees(got) {
			t.Errorf("ParsePhone(%q) = %+v, %v; want %+v (row %s)", s, got, err, row.label, row.prefix)
		}
	}
}
