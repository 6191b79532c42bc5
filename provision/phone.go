package provision

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// PhoneType is the kind of line of a phone number, as libphonenumber names
// it: MOBILE, FIXED_LINE, VOIP, UNKNOWN…
type PhoneType string

// The phone types validation looks at.
const (
	PhoneMobile            PhoneType = "MOBILE"
	PhoneFixedLine         PhoneType = "FIXED_LINE"
	PhoneFixedLineOrMobile PhoneType = "FIXED_LINE_OR_MOBILE"
	PhoneUnknown           PhoneType = "UNKNOWN"
)

var phoneTypeNames = map[phonenumbers.PhoneNumberType]PhoneType{
	phonenumbers.FIXED_LINE:           PhoneFixedLine,
	phonenumbers.MOBILE:               PhoneMobile,
	phonenumbers.FIXED_LINE_OR_MOBILE: PhoneFixedLineOrMobile,
	phonenumbers.TOLL_FREE:            "TOLL_FREE",
	phonenumbers.PREMIUM_RATE:         "PREMIUM_RATE",
	phonenumbers.SHARED_COST:          "SHARED_COST",
	phonenumbers.VOIP:                 "VOIP",
	phonenumbers.PERSONAL_NUMBER:      "PERSONAL_NUMBER",
	phonenumbers.PAGER:                "PAGER",
	phonenumbers.UAN:                  "UAN",
	phonenumbers.VOICEMAIL:            "VOICEMAIL",
	phonenumbers.UNKNOWN:              PhoneUnknown,
}

// frenchRegions are the libphonenumber regions of France, metropolitan and
// overseas: a valid number of another region is PHONE_INVALID.
var frenchRegions = []string{"FR", "GP", "BL", "MF", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF", "TF"}

// Phone is a parsed phone number.
type Phone struct {
	E164   string    // +33612345678
	Valid  bool      // a number libphonenumber knows as allocated
	Type   PhoneType // MOBILE, FIXED_LINE…
	Region string    // libphonenumber region (FR, GP, RE…), "" when invalid
}

// String returns the number in E.164 form; ParsePhone(p.String(), "")
// gives p back.
func (p Phone) String() string { return p.E164 }

// IsMobile reports whether an SMS can reach the number.
func (p Phone) IsMobile() bool {
	return p.Valid && (p.Type == PhoneMobile || p.Type == PhoneFixedLineOrMobile)
}

// IsFrench reports whether the number is a valid number of France or its
// overseas territories.
func (p Phone) IsFrench() bool { return p.Valid && slices.Contains(frenchRegions, p.Region) }

// ParsePhone parses s as libphonenumber does, a national number being read
// in defaultRegion (FR, GP, RE…). A number that parses but is not allocated
// gives Valid false and no error; the error is for text that is not a
// phone number at all. It never routes overseas prefixes: for that, see
// [Nomenclature.ParsePhone].
func ParsePhone(s, defaultRegion string) (Phone, error) {
	n, err := phonenumbers.Parse(s, defaultRegion)
	if err != nil {
		return Phone{}, errors.New("not a phone number")
	}
	p := Phone{
		E164:  phonenumbers.Format(n, phonenumbers.E164),
		Valid: phonenumbers.IsValidNumber(n),
		Type:  phoneTypeNames[phonenumbers.GetNumberType(n)],
	}
	if p.Type == "" {
		p.Type = PhoneUnknown
	}
	if p.Valid {
		p.Region = phonenumbers.GetRegionCodeForNumber(n)
	}
	return p, nil
}

// phoneRoute sends the national numbers that start with prefix to the
// region they are parsed in. It is a row of
// reference/phone-prefix-routing.csv.
type phoneRoute struct {
	prefix string // national digits as written: with the trunk 0 for 10-digit numbers
	digits int    // length of the national numbers the row is for: 10, or 6 (Saint-Pierre-et-Miquelon)
	region string // libphonenumber region to parse in
}

// phoneRoutingFile is the routing table, every national prefix block of
// the French numbering plan (mobile, fixed and the rest) with the
// territory libphonenumber gives it. TestPhonePrefixRouting generates it
// from libphonenumber's metadata (-update) and checks it block by block.
const phoneRoutingFile = "reference/phone-prefix-routing.csv"

// loadPhoneRoutes reads [phoneRoutingFile], sorted by length then prefix
// for [Nomenclature.phoneRegion].
func loadPhoneRoutes(templates fs.FS) ([]phoneRoute, error) {
	recs, err := readReferenceCSV(templates, phoneRoutingFile)
	if err != nil {
		return nil, err
	}
	routes := make([]phoneRoute, 0, len(recs))
	for i, r := range recs {
		rt, err := parsePhoneRoute(r)
		if err != nil {
			return nil, fmt.Errorf("reading nomenclature %s: line %d: %w", phoneRoutingFile, i+2, err)
		}
		routes = append(routes, rt)
	}
	slices.SortFunc(routes, func(a, b phoneRoute) int {
		if a.digits != b.digits {
			return a.digits - b.digits
		}
		return strings.Compare(a.prefix, b.prefix)
	})
	for i := 1; i < len(routes); i++ {
		if routes[i].digits == routes[i-1].digits && routes[i].prefix == routes[i-1].prefix {
			return nil, fmt.Errorf("reading nomenclature %s: prefix %s twice", phoneRoutingFile, routes[i].prefix)
		}
	}
	return routes, nil
}

// parsePhoneRoute reads one row of [phoneRoutingFile]. An unallocated
// block (type UNKNOWN, no region) is parsed in the main region of its
// calling code, so that its E.164 form keeps the code of its neighbours.
func parsePhoneRoute(r map[string]string) (phoneRoute, error) {
	rt := phoneRoute{prefix: r["national_prefix"], region: r["region"]}
	switch r["digits"] {
	case "10":
		rt.digits = 10
		if len(rt.prefix) < 2 || rt.prefix[0] != '0' || rt.prefix[1] == '0' {
			return rt, fmt.Errorf("prefix %q of a 10-digit number must start with 0 then 1-9", rt.prefix)
		}
	case "6":
		rt.digits = 6
		if rt.prefix == "" || rt.prefix[0] == '0' {
			return rt, fmt.Errorf("prefix %q of a 6-digit number must start with 1-9", rt.prefix)
		}
	default:
		return rt, fmt.Errorf("digits %q: want 10 or 6", r["digits"])
	}
	if len(rt.prefix) > rt.digits || strings.Trim(rt.prefix, "0123456789") != "" {
		return rt, fmt.Errorf("prefix %q is not digits", rt.prefix)
	}
	cc, err := strconv.Atoi(r["calling_code"])
	if err != nil {
		return rt, fmt.Errorf("calling code %q is not a number", r["calling_code"])
	}
	main := phonenumbers.GetRegionCodeForCountryCode(cc)
	switch {
	case rt.region == "" && r["type"] == string(PhoneUnknown):
		rt.region = main
	case rt.region == "" || r["type"] == string(PhoneUnknown):
		return rt, fmt.Errorf("prefix %s: a region is given for, and only for, an allocated type", rt.prefix)
	case !slices.Contains(phonenumbers.GetRegionCodesForCountryCode(cc), rt.region):
		return rt, fmt.Errorf("prefix %s: region %s has not calling code %d", rt.prefix, rt.region, cc)
	}
	if !slices.Contains(frenchRegions, rt.region) {
		return rt, fmt.Errorf("prefix %s: calling code %d is not French", rt.prefix, cc)
	}
	return rt, nil
}

// phoneRegion returns the region a national number is parsed in: that of
// the longest row of n.routes that begins it. digits is the number with
// its separators removed, other characters as 'x'; a 6-digit number
// without the trunk 0 is Saint-Pierre-et-Miquelon's national form, any
// other that does not begin with a single 0 is read in FR.
func (n *Nomenclature) phoneRegion(digits string) string {
	length := 10
	switch {
	case len(digits) == 6 && digits[0] != '0' && strings.Trim(digits, "0123456789") == "":
		length = 6
	case len(digits) < 2 || digits[0] != '0' || digits[1] == '0':
		return "FR"
	}
	for l := min(len(digits), length); l > 0; l-- {
		i, found := slices.BinarySearchFunc(n.routes, phoneRoute{prefix: digits[:l], digits: length}, func(a, b phoneRoute) int {
			if a.digits != b.digits {
				return a.digits - b.digits
			}
			return strings.Compare(a.prefix, b.prefix)
		})
		if found {
			return n.routes[i].region
		}
	}
	return "FR"
}

// ParsePhone parses s as a French number. A national number is read in the
// territory [phoneRoutingFile] gives its prefix (0690 Guadeloupe, 0262 and
// 0692 La Réunion, 0269 and 0639 Mayotte, 0596 Martinique…), so it gets
// that territory's calling code (+590, +262, +596…); a 6-digit number
// (41 12 34) is Saint-Pierre-et-Miquelon's (+508). Anything else, and
// every international form, is read as libphonenumber reads it in FR.
func (n *Nomenclature) ParsePhone(s string) (Phone, error) {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if strings.ContainsRune(" .-/()\u00a0\u202f", r) {
			return -1
		}
		return 'x'
	}, strings.TrimSpace(s))
	return ParsePhone(s, n.phoneRegion(digits))
}

// phoneBlockDigits is how many significant digits (after the trunk 0 or
// +33) decide what libphonenumber says of a French number: its validity,
// type and region, and the calling code of its E.164 form. Past them, the
// numbering plan allocates whole blocks. Four digits do for every block but
// those of phoneDeepBlocks, which take five; the 6-digit numbers of
// Saint-Pierre-et-Miquelon have blocks of their own. TestPhoneFastPath
// checks every block of five digits against libphonenumber.
const phoneBlockDigits = 4

// phoneDeepBlocks are the 4-digit blocks (national, or "+" and the digits
// after +33) whose numbers libphonenumber does not all judge alike: the
// overseas ranges cut finer (0262–0269 Réunion and Mayotte, 0590–0598
// Antilles and Guyane, 0639 Mayotte, 0691–0694, 0708 Saint-Pierre-et-
// Miquelon, 0709 overseas mobiles, 0947 and 0976 Martinique), and 08360.
// TestPhonePrefixRouting checks that they are exactly the blocks the
// routing table and libphonenumber cut finer. It is a table, never written.
var phoneDeepBlocks = map[string]bool{
	"2631": true, "2690": true, "2691": true, "2695": true, "2697": true, "2698": true,
	"5900": true, "5901": true, "5902": true, "5903": true, "5904": true, "5905": true,
	"5906": true, "5907": true, "5908": true, "5941": true, "5945": true, "5946": true,
	"5948": true, "5961": true, "5962": true, "5968": true, "5969": true,
	"6390": true, "6391": true, "6393": true, "6394": true, "6395": true, "6399": true,
	"6912": true, "6913": true, "6930": true, "6931": true, "6932": true, "6933": true,
	"6935": true, "6936": true, "6937": true, "6938": true, "6939": true, "6943": true,
	"7084": true, "7085": true, "7090": true, "7091": true, "7092": true, "7093": true,
	"8360": true, "9477": true, "9767": true, "+8360": true,
}

// phoneBlock is what libphonenumber said of the numbers of one block.
type phoneBlock struct {
	valid  bool
	typ    PhoneType
	region string
	code   string // calling code, digits ("33", "590", "262")
	slow   bool   // the block's numbers are not of the fast shape: always ask libphonenumber
}

// fastPhoneShape returns the significant digits of the shapes people
// type — 10 national digits 0XXXXXXXXX, +33 / 0033 followed by 9 digits,
// or the 6 digits of a Saint-Pierre-et-Miquelon number, grouped by spaces,
// dots, dashes or slashes — and whether the number was international.
func fastPhoneShape(s string) (digits string, intl, ok bool) {
	b, n, ok := typedDigits(s)
	if !ok {
		return "", false, false
	}
	return fastShape(b[:n])
}

// typedDigits returns the digits of s, and a leading '+', when s is
// written as people type a number: digits grouped by spaces, dots,
// dashes or slashes, 13 at most.
func typedDigits(s string) (b [13]byte, n int, ok bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9' || c == '+' && n == 0:
			if n == len(b) {
				return b, 0, false
			}
			b[n] = c
			n++
		case c == ' ' || c == '.' || c == '-' || c == '/':
		default:
			return b, 0, false
		}
	}
	return b, n, true
}

// fastShape is [fastPhoneShape] of the typed digits d.
func fastShape(d []byte) (digits string, intl, ok bool) {
	switch n := len(d); {
	case n == 10 && d[0] == '0' && d[1] != '0':
		return string(d[1:]), false, true
	case n == 12 && string(d[:3]) == "+33" && d[3] != '0':
		return string(d[3:]), true, true
	case n == 13 && string(d[:4]) == "0033" && d[4] != '0':
		return string(d[4:]), true, true
	case n == 6 && d[0] >= '1' && d[0] <= '9':
		return string(d), false, true
	}
	return "", false, false
}

// wrongLengthShape returns the digits, 0 included, of a national number
// typed as people type them but with a digit or more missing or too many
// (7 to 13 digits but 10): PHONE_INVALID. libphonenumber keeps the 0 of
// a short one (+33 0…), so its digits keep it too, and drops that of a
// long one, so its digits do not.
func wrongLengthShape(s string) (digits string, ok bool) {
	b, n, ok := typedDigits(s)
	if !ok {
		return "", false
	}
	return wrongLength(b[:n])
}

// wrongLength is [wrongLengthShape] of the typed digits d.
func wrongLength(d []byte) (digits string, ok bool) {
	if n := len(d); n < 7 || n == 10 || d[0] != '0' || d[1] == '0' {
		return "", false
	}
	if len(d) > 10 {
		return string(d[1:]), true
	}
	return string(d), true
}

// parsePhone is [Nomenclature.ParsePhone] with a fast path: for the
// shapes of [fastPhoneShape], what libphonenumber said of the first number
// of a block ([phoneBlockDigits]) is reused for the others. Blocks are
// bounded by the numbering plan (some 3×9 000), not by the list.
func (v *Validator) parsePhone(s string) (Phone, error) {
	b, n, ok := typedDigits(s)
	if !ok {
		return v.nom.ParsePhone(s)
	}
	digits, intl, ok := fastShape(b[:n])
	wrong := false // a national number of a wrong length
	if !ok {
		if digits, wrong = wrongLength(b[:n]); !wrong {
			return v.nom.ParsePhone(s)
		}
	}
	key := digits[:phoneBlockDigits]
	switch {
	case intl:
		key = "+" + key
	case len(digits) == 6:
		key = "#" + key // not the block of a 9-digit number
	case wrong:
		block := strings.TrimPrefix(digits, "0")[:phoneBlockDigits]
		if phoneDeepBlocks[block] {
			return v.nom.ParsePhone(s) // overseas ranges of a wrong length: ask each time
		}
		key = string(rune('a'+len(digits))) + block // nor the block of another length
	}
	if phoneDeepBlocks[key] {
		key += digits[phoneBlockDigits : phoneBlockDigits+1]
	}
	if blk, ok := v.phoneBlocks[key]; ok && !blk.slow {
		p := Phone{E164: "+" + blk.code + digits, Valid: blk.valid, Type: blk.typ, Region: blk.region}
		return p, nil
	}
	p, err := v.nom.ParsePhone(s)
	if v.phoneBlocks == nil {
		v.phoneBlocks = map[string]phoneBlock{}
	}
	code, found := strings.CutSuffix(strings.TrimPrefix(p.E164, "+"), digits)
	blk := phoneBlock{valid: p.Valid, typ: p.Type, region: p.Region, code: code}
	// Only a parse that gave the E.164 form "+" code digits is reused; for
	// a wrong length, only "+33" and the digits.
	blk.slow = err != nil || !found || code == "" || !strings.HasPrefix(p.E164, "+") || wrong && code != "33"
	v.phoneBlocks[key] = blk
	return p, err
}

// checkPhone reads the mobile column; it returns the parsed number, or a
// zero Phone when the cell is empty or invalid.
func (v *Validator) checkPhone(rc *rowCheck) Phone {
	c := rc.row.Get(FieldMobile)
	val := clean(c.Value)
	if val == "" {
		return Phone{}
	}
	p, err := v.parsePhone(val)
	if err != nil || !p.IsFrench() {
		rc.add(PhoneInvalid, c, "Le numéro "+quote(val)+" n'est pas un numéro de téléphone français valide.", "")
		return Phone{}
	}
	rc.person.Mobile = p.E164
	return p
}
