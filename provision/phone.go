package provision

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
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

// phoneRoute sends a national prefix (0690…) to the regions that own it.
type phoneRoute struct {
	prefix  string   // national digits, with the trunk 0
	regions []string // tried in order
}

// loadPhoneRoutes reads reference/phone-mobile-prefix-routing.csv. Rows
// whose prefix is not plain digits ("06 (other)", "073-079") stay in FR,
// the default.
func loadPhoneRoutes(templates fs.FS) ([]phoneRoute, error) {
	recs, err := readReferenceCSV(templates, "reference/phone-mobile-prefix-routing.csv")
	if err != nil {
		return nil, err
	}
	var routes []phoneRoute
	for _, r := range recs {
		prefix := r["national_prefix"]
		if prefix == "" || strings.Trim(prefix, "0123456789") != "" {
			continue
		}
		var regions []string
		for _, f := range strings.FieldsFunc(r["region"], func(c rune) bool { return c == '/' || c == ' ' }) {
			if f != "or" {
				regions = append(regions, f)
			}
		}
		if len(regions) == 0 {
			return nil, fmt.Errorf("phone routing: prefix %s has no region", prefix)
		}
		routes = append(routes, phoneRoute{prefix, regions})
	}
	// Longest prefix first, so 07090 wins over a shorter one.
	slices.SortStableFunc(routes, func(a, b phoneRoute) int { return len(b.prefix) - len(a.prefix) })
	return routes, nil
}

// ParsePhone parses s as a French number: a national number (0…) whose
// prefix belongs to an overseas territory (0690 Guadeloupe, 0692 La
// Réunion, 0639 Mayotte…) is read in that territory, so it gets its own
// calling code (+590, +262…); any other national number is read in FR.
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
	if strings.HasPrefix(digits, "0") && !strings.HasPrefix(digits, "00") {
		for _, rt := range n.routes {
			if !strings.HasPrefix(digits, rt.prefix) {
				continue
			}
			var first Phone
			for i, region := range rt.regions {
				p, err := ParsePhone(s, region)
				if err != nil {
					return Phone{}, err
				}
				if p.Valid {
					return p, nil
				}
				if i == 0 {
					first = p
				}
			}
			return first, nil
		}
	}
	return ParsePhone(s, "FR")
}

// phoneBlockDigits is how many significant digits (after the trunk 0 or
// +33) decide what libphonenumber says of a French number: its validity,
// type and region, and the calling code of its E.164 form. Past them, the
// numbering plan allocates whole blocks. Four digits do for every block but
// those of phoneDeepBlocks, which take five. TestPhoneFastPath checks every
// block of five digits against libphonenumber.
const phoneBlockDigits = 4

// phoneDeepBlocks are the 4-digit blocks (national, or "+" and the digits
// after +33) whose numbers libphonenumber does not all judge alike: the
// overseas ranges cut finer (0639 Mayotte, 0691–0694 Antilles and Réunion,
// 0709 overseas mobiles, 08360). It is a table, never written.
var phoneDeepBlocks = map[string]bool{
	"6390": true, "6391": true, "6393": true, "6394": true, "6395": true, "6399": true,
	"6912": true, "6913": true, "6930": true, "6931": true, "6932": true, "6933": true,
	"6935": true, "6936": true, "6937": true, "6938": true, "6939": true, "6943": true,
	"7090": true, "7091": true, "7092": true, "7093": true, "8360": true, "+8360": true,
}

// phoneBlock is what libphonenumber said of the numbers of one block.
type phoneBlock struct {
	valid  bool
	typ    PhoneType
	region string
	code   string // calling code, digits ("33", "590", "262")
	slow   bool   // the block's numbers are not of the fast shape: always ask libphonenumber
}

// fastPhoneShape returns the 9 significant digits of the shapes people
// type — 10 national digits 0XXXXXXXXX, or +33 / 0033 followed by 9
// digits, grouped by spaces, dots, dashes or slashes — and whether the
// number was international.
func fastPhoneShape(s string) (digits string, intl, ok bool) {
	var b [13]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9' || c == '+' && n == 0:
			if n == len(b) {
				return "", false, false
			}
			b[n] = c
			n++
		case c == ' ' || c == '.' || c == '-' || c == '/':
		default:
			return "", false, false
		}
	}
	d := b[:n]
	switch {
	case n == 10 && d[0] == '0' && d[1] != '0':
		return string(d[1:]), false, true
	case n == 12 && string(d[:3]) == "+33" && d[3] != '0':
		return string(d[3:]), true, true
	case n == 13 && string(d[:4]) == "0033" && d[4] != '0':
		return string(d[4:]), true, true
	}
	return "", false, false
}

// parsePhone is [Nomenclature.ParsePhone] with a fast path: for the
// shapes of [fastPhoneShape], what libphonenumber said of the first number
// of a block ([phoneBlockDigits]) is reused for the others. Blocks are
// bounded by the numbering plan (some 2×9 000), not by the list.
func (v *Validator) parsePhone(s string) (Phone, error) {
	digits, intl, ok := fastPhoneShape(s)
	if !ok {
		return v.nom.ParsePhone(s)
	}
	key := digits[:phoneBlockDigits]
	if intl {
		key = "+" + key
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
	// Only a parse that gave the E.164 form "+" code digits is reused.
	blk.slow = err != nil || !found || code == "" || !strings.HasPrefix(p.E164, "+")
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
