package provision

import (
	"errors"
	"net/mail"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// domainOf returns a printable-ASCII domain of exactly n bytes, labels of
// at most 63 letters ending in ".fr", for the RFC 5321 length limits.
func domainOf(n int) string {
	var labels []string
	for rest := n - len(".fr"); rest > 0; {
		l := min(63, rest)
		if rest-l == 1 {
			l-- // a label alone after the last dot would need 0 letters
		}
		labels = append(labels, strings.Repeat(string(rune('a'+len(labels))), l))
		rest -= l + 1
	}
	return strings.Join(labels, ".") + ".fr"
}

// parseEmailTests are the address cases. Each names where its kind of case
// comes from; the addresses themselves are synthetic:
//
//   - isemail: Dominic Sayers' is_email test set, test/tests.xml (numbers
//     are its test ids), also carried by pyIsEmail and by
//     python-email-validator's tests/test_syntax.py;
//   - email-validator: JoshData/python-email-validator tests/test_syntax.py
//     (test_email_valid*, test_email_invalid_syntax,
//     test_email_invalid_reserved_domain, test_email_unsafe_character);
//   - RFC 5321 §4.5.3.1: the length limits; RFC 6761: special-use names;
//   - UTS 46 / RFC 5891: what IDNA lookup would map or drop silently;
//   - ours: what referents type into a staff list.
//
// We depart from them deliberately in two ways: surrounding white space
// (a trailing "\n" included) is trimmed, as every cell is, and quoted local
// parts, comments and domain literals are refused (nobody's professional
// mailbox needs them, and the directory and the mail relay would not
// take them).
var parseEmailTests = []struct {
	src  string
	in   string
	want string   // the address, when accepted
	why  emailWhy // why it is refused
	r    rune     // the character named, for whyLocalChar, whyDomainChar and marks
}{
	// Accepted.
	{src: "ours", in: "Zoe.Martin@CHU-Exemple.fr", want: "zoe.martin@chu-exemple.fr"},
	{src: "ours", in: " zoe@chu-exemple.fr ", want: "zoe@chu-exemple.fr"},
	{src: "ours", in: "zoe@chu-exemple.fr\n", want: "zoe@chu-exemple.fr"}, // isemail: ERR_EXPECTING_ATEXT; a cell is trimmed
	{src: "ours", in: "mailto:zoe@chu-exemple.fr", want: "zoe@chu-exemple.fr"},
	{src: "ours", in: "zoe+rcp@chu-exemple.fr", want: "zoe+rcp@chu-exemple.fr"},
	{src: "ours", in: "zoé.martin@chu-exemple.fr", want: "zoé.martin@chu-exemple.fr"},
	{src: "ours", in: "zoe@hôpital-exemple.fr", want: "zoe@hôpital-exemple.fr"},
	{src: "ours", in: "ZOE@HÔPITAL-EXEMPLE.FR", want: "zoe@hôpital-exemple.fr"},
	{src: "ours", in: "zoe@ho\u0302pital-exemple.fr", want: "zoe@hôpital-exemple.fr"}, // decomposed (macOS): NFC
	{src: "ours", in: "zoe@xn--hpital-fua.fr", want: "zoe@xn--hpital-fua.fr"},
	{src: "ours", in: "zoe@chu-exemple.mssante.fr", want: "zoe@chu-exemple.mssante.fr"},
	{src: "isemail #11", in: "z@chu-exemple.fr", want: "z@chu-exemple.fr"},
	{src: "isemail #19", in: "!#$%&'*+-/=?^_`{|}~@chu-exemple.fr", want: "!#$%&'*+-/=?^_`{|}~@chu-exemple.fr"},
	{src: "isemail #21", in: "123@chu-exemple.fr", want: "123@chu-exemple.fr"},
	{src: "isemail #22", in: "zoe@123.chu-exemple.fr", want: "zoe@123.chu-exemple.fr"},
	{src: "isemail #29", in: "zoe@mason-dixon-exemple.fr", want: "zoe@mason-dixon-exemple.fr"},
	{src: "isemail #32", in: "zoe@c--h.fr", want: "zoe@c--h.fr"}, // hyphens 2nd and 3rd: not reserved
	{src: "isemail", in: "xn--zoe@chu-exemple.fr", want: "xn--zoe@chu-exemple.fr"},
	{src: "email-validator", in: "zoe+rcp/onco=sein@chu-exemple.fr", want: "zoe+rcp/onco=sein@chu-exemple.fr"},
	{src: "email-validator", in: "зоя@больница-пример.рф", want: "зоя@больница-пример.рф"},
	{src: "email-validator", in: "ζωή@νοσοκομείο.gr", want: "ζωή@νοσοκομείο.gr"},
	{src: "email-validator", in: "医生@医院-例子.中国", want: "医生@医院-例子.中国"},
	{src: "email-validator", in: "डॉक्टर@chu-exemple.fr", want: "डॉक्टर@chu-exemple.fr"}, // marks inside, not first
	{src: "UTS 46", in: "zoe@straße-exemple.de", want: "zoe@straße-exemple.de"},          // nontransitional: ß kept
	{src: "RFC 5321 §4.5.3.1.1", in: strings.Repeat("a", 64) + "@chu-exemple.fr", want: strings.Repeat("a", 64) + "@chu-exemple.fr"},
	{src: "RFC 5321 §4.5.3.1.2", in: "zoe@" + strings.Repeat("a", 63) + ".fr", want: "zoe@" + strings.Repeat("a", 63) + ".fr"},
	{src: "RFC 5321 §4.5.3.1.3", in: "z@" + domainOf(252), want: "z@" + domainOf(252)},

	// Structure (isemail, email-validator).
	{src: "isemail #1", in: "", why: whyAtMissing},
	{src: "isemail #2", in: "zoe", why: whyAtMissing},
	{src: "isemail #17", in: "zoe..chu-exemple.fr", why: whyAtMissing},
	{src: "isemail #18", in: "zoe_chu-exemple.fr", why: whyAtMissing},
	{src: "isemail #3", in: "@", why: whyLocalMissing},
	{src: "isemail #7", in: "@chu-exemple.fr", why: whyLocalMissing},
	{src: "isemail #4", in: "zoe@", why: whyDomainMissing},
	{src: "isemail #20", in: `zoe\@martin@chu-exemple.fr`, why: whyAtMany},
	{src: "ours", in: "zoe@@chu-exemple.fr", why: whyAtMany},
	{src: "ours", in: "zoe@chu-exemple.fr; leo@chu-exemple.fr", why: whyMany},
	{src: "ours", in: "zoe@chu-exemple.fr,leo@chu-exemple.fr", why: whyMany},
	{src: "ours", in: "zoe@chu-exemple.fr leo@chu-exemple.fr", why: whyMany},
	{src: "ours", in: "Zoé Martin <zoe@chu-exemple.fr>", why: whyDisplayName},
	{src: "ours", in: "<zoe@chu-exemple.fr>", why: whyDisplayName},
	{src: "isemail #42", in: `"zoe"@chu-exemple.fr`, why: whyQuoted},
	{src: "isemail #43", in: `""@chu-exemple.fr`, why: whyQuoted},
	{src: "email-validator", in: `"zoe martin"@chu-exemple.fr`, why: whyQuoted},
	{src: "isemail #49", in: `zoe"@chu-exemple.fr`, why: whyLocalChar, r: '"'},
	{src: "email-validator", in: `zoe"rcp"@chu-exemple.fr`, why: whyLocalChar, r: '"'},
	{src: "isemail CFWS", in: "(rcp)zoe@chu-exemple.fr", why: whyLocalChar, r: '('},
	{src: "isemail CFWS", in: "zoe@(rcp)chu-exemple.fr", why: whyDomainChar, r: '('},
	{src: "isemail domain literal", in: "zoe@[192.0.2.1]", why: whyDomainChar, r: '['},
	{src: "isemail CFWS", in: " zoe @chu-exemple.fr", why: whySpace},
	{src: "isemail CFWS", in: "zoe . martin@chu-exemple.fr", why: whySpace},
	{src: "email-validator", in: "zoe martin@chu-exemple.fr", why: whySpace},
	{src: "email-validator", in: "zoe@chu exemple.fr", why: whySpace},
	{src: "isemail #15", in: ".zoe@chu-exemple.fr", why: whyLocalDotStart},
	{src: "isemail #16", in: "zoe.@chu-exemple.fr", why: whyLocalDotEnd},
	{src: "email-validator", in: "zoe..martin@chu-exemple.fr", why: whyLocalDots},
	{src: "isemail #34", in: "zoe@.chu-exemple.fr", why: whyDomainDotStart},
	{src: "isemail #35", in: "zoe@chu-exemple.fr.", why: whyDomainDotEnd},
	{src: "isemail #36", in: "zoe@chu..fr", why: whyDomainDots},
	{src: "isemail #5", in: "zoe@fr", why: whyNoDot},
	{src: "email-validator", in: "zoe@localhost", why: whyNoDot},
	{src: "isemail #30", in: "zoe@-chu-exemple.fr", why: whyLabelHyphen},
	{src: "isemail #31", in: "zoe@chu-exemple-.fr", why: whyLabelHyphen},
	{src: "email-validator", in: "zoe@chu.-exemple.fr", why: whyLabelHyphen},
	{src: "email-validator", in: "zoe@chu.-.fr", why: whyLabelHyphen},
	{src: "email-validator", in: "zoe@ab--exemple.fr", why: whyLabelHyphens},
	{src: "email-validator", in: "zoe@xn--0.fr", why: whyIDNA},
	{src: "isemail #23", in: "zoe@chu-exemple.123", why: whyTLD},
	{src: "isemail #24", in: "zoe@192.0.2.1", why: whyTLD},
	{src: "isemail #13", in: "zoe@chu-exemple.f", why: whyTLD},
	{src: "email-validator", in: "zoe@chu-exemple.fr-2", why: whyTLD},

	// Characters (isemail, email-validator test_email_unsafe_character).
	{src: "isemail", in: "\x7f@chu-exemple.fr", why: whyLocalChar, r: 0x7f},
	{src: "isemail", in: "zo\ne@chu-exemple.fr", why: whyLocalChar, r: '\n'},
	{src: "isemail", in: "zoe@chu\x07.fr", why: whyDomainChar, r: 7},
	{src: "email-validator", in: "zoe@chu-exemple\n.fr", why: whyDomainChar, r: '\n'},
	{src: "email-validator", in: "zoe@chu!.fr", why: whyDomainChar, r: '!'},
	{src: "email-validator", in: "zoe@chu_exemple.fr", why: whyDomainChar, r: '_'},
	{src: "email-validator", in: "zoe@⒈chu-exemple.fr", why: whyDomainChar, r: '⒈'},
	{src: "email-validator", in: "zo\u200be@chu-exemple.fr", why: whyLocalChar, r: '\u200b'},
	{src: "email-validator", in: "zoe@chu\u200b-exemple.fr", why: whyDomainChar, r: '\u200b'},
	{src: "email-validator", in: "zoe\u2005@chu-exemple.fr", why: whyLocalChar, r: '\u2005'},
	{src: "email-validator", in: "zoe@chu\u2005.fr", why: whyDomainChar, r: '\u2005'},
	{src: "email-validator", in: "zoe\u2028@chu-exemple.fr", why: whyLocalChar, r: '\u2028'},
	{src: "email-validator", in: "zoe@chu\u2029.fr", why: whyDomainChar, r: '\u2029'},
	{src: "email-validator", in: "\u0300zoe@chu-exemple.fr", why: whyLocalMark, r: '\u0300'},
	{src: "email-validator", in: "zoe@\u0300chu-exemple.fr", why: whyDomainMark, r: '\u0300'},
	{src: "email-validator", in: "zoe@chu.\u0301fr", why: whyDomainMark, r: '\u0301'}, // each label, not only the first
	{src: "email-validator", in: "zoe\u009c@chu-exemple.fr", why: whyLocalChar, r: '\u009c'},
	{src: "email-validator", in: "zoe@chu\u009c.fr", why: whyDomainChar, r: '\u009c'},
	{src: "email-validator", in: "\u202dzoe\u202e@chu-exemple.fr", why: whyLocalChar, r: '\u202d'},
	{src: "email-validator", in: "zoe@\u202echu-exemple.fr", why: whyDomainChar, r: '\u202e'},
	{src: "email-validator", in: "zoe@chu-exemple\u2067.fr", why: whyDomainChar, r: '\u2067'},
	{src: "email-validator", in: "zoe\ue000@chu-exemple.fr", why: whyLocalChar, r: '\ue000'},
	{src: "email-validator", in: "zoe@chu\ue000.fr", why: whyDomainChar, r: '\ue000'},
	{src: "email-validator", in: "zoe@chu\U0010fdef.fr", why: whyDomainChar, r: '\U0010fdef'},
	{src: "email-validator", in: "zoe\ufdef@chu-exemple.fr", why: whyLocalChar, r: '\ufdef'},
	{src: "email-validator", in: "zoe@chu\ufdd0.fr", why: whyDomainChar, r: '\ufdd0'},
	{src: "email-validator", in: "zoe@chu\U0001fffe.fr", why: whyDomainChar, r: '\U0001fffe'},
	{src: "ours", in: "zoe\u0378@chu-exemple.fr", why: whyLocalChar, r: '\u0378'}, // unassigned in Unicode 15.0
	{src: "ours", in: "zoe@chu\u0378.fr", why: whyDomainChar, r: '\u0378'},
	{src: "ours", in: "zoe@chu\xff.fr", why: whyUTF8},
	{src: "UTS 46", in: "zoe@chu\u200d.fr", why: whyDomainChar, r: '\u200d'}, // a joiner IDNA would check in context
	{src: "UTS 46", in: "zoe@chu\u00ad-exemple.fr", why: whyDomainChar, r: '\u00ad'},
	{src: "UTS 46", in: "zoe@chu\ufe0f-exemple.fr", why: whyDomainChar, r: '\ufe0f'}, // lookup drops it
	{src: "UTS 46", in: "zoe@ｃｈｕ-exemple.fr", why: whyDomainChar, r: 'ｃ'},            // lookup maps it to "c"
	{src: "email-validator", in: "zoe@chu-exemple．fr", why: whyDomainChar, r: '．'},
	{src: "email-validator", in: "zoe@．chu-exemple.fr", why: whyDomainChar, r: '．'},
	{src: "email-validator", in: "zoe@－chu-exemple.fr", why: whyDomainChar, r: '－'},
	{src: "UTS 46", in: "zoe@chu-exemple。fr", why: whyDomainChar, r: '。'},
	{src: "RFC 5893", in: "zoe@chuא.fr", why: whyIDNA}, // the bidi rule: left-to-right then Hebrew

	// Lengths (RFC 5321 §4.5.3.1; isemail #26, #28, #39-#41; email-validator).
	{src: "isemail #26", in: strings.Repeat("a", 65) + "@chu-exemple.fr", why: whyLocalLong},
	{src: "email-validator", in: strings.Repeat("é", 33) + "@chu-exemple.fr", why: whyLocalLong}, // 66 bytes
	{src: "isemail #28", in: "zoe@" + strings.Repeat("a", 64) + ".fr", why: whyLabelLong},
	{src: "email-validator", in: "zoe@é" + strings.Repeat("a", 58) + ".fr", why: whyLabelLong}, // 66 as xn--
	{src: "isemail #41", in: "z@" + domainOf(254), why: whyDomainLong},
	{src: "email-validator", in: "zoe@" + strings.Repeat("é"+strings.Repeat("a", 44)+".", 5) + "fr", why: whyDomainLong}, // 237 bytes, 267 as xn--
	{src: "isemail #40", in: "z@" + domainOf(253), why: whyAddressLong},
	{src: "isemail #39", in: strings.Repeat("a", 64) + "@" + domainOf(190), why: whyAddressLong},
	{src: "email-validator", in: "zoé@" + domainOf(250), why: whyAddressLong}, // 254 characters, 255 bytes

	// Special-use domains (RFC 6761; email-validator test_email_invalid_reserved_domain).
	{src: "RFC 6761 §6.4", in: "zoe@chu-exemple.invalid", why: whySpecialUse},
	{src: "RFC 6761 §6.3", in: "zoe@poste.localhost", why: whySpecialUse},
	{src: "RFC 6762", in: "zoe@imprimante.local", why: whySpecialUse},
	{src: "RFC 3172", in: "zoe@1.2.0.192.in-addr.arpa", why: whySpecialUse},
	{src: "RFC 7686", in: "zoe@abcdefghijklmnop.onion", why: whySpecialUse},
	{src: "RFC 6761 §6.2", in: "zoe@chu.test", why: whySpecialUse},
	{src: "RFC 6761 §6.5", in: "zoe@chu.example", why: whySpecialUse},
	{src: "email-validator", in: "zoe@CHU.TEST", why: whySpecialUse},
}

func TestParseEmail(t *testing.T) {
	t.Parallel()
	for _, tt := range parseEmailTests {
		got, err := ParseEmail(tt.in)
		if tt.want != "" {
			if string(got) != tt.want || err != nil {
				t.Errorf("%s: ParseEmail(%q) = %q, %v; want %q", tt.src, tt.in, got, err, tt.want)
			}
			continue
		}
		e, ok := errors.AsType[*emailError](err)
		if !ok || e.why != tt.why || tt.r != 0 && e.r != tt.r {
			t.Errorf("%s: ParseEmail(%q) = %q, %#v; want why %d, rune %U", tt.src, tt.in, got, err, tt.why, tt.r)
		}
	}
}

// TestParseEmailOthers checks every accepted address against what others
// wrote: net/mail parses it as the same bare address, and IDNA lookup gives
// its domain the same ASCII form (so nothing we accept is mapped by it).
func TestParseEmailOthers(t *testing.T) {
	t.Parallel()
	for _, tt := range parseEmailTests {
		if tt.want == "" {
			continue
		}
		in := strings.TrimPrefix(strings.TrimSpace(tt.in), "mailto:")
		a, err := mail.ParseAddress(in)
		if err != nil || a.Name != "" || norm.NFC.String(strings.ToLower(a.Address)) != tt.want {
			t.Errorf("%s: mail.ParseAddress(%q) = %+v, %v; want %q", tt.src, in, a, err, tt.want)
		}
		e := Email(tt.want)
		ours := checkDomain(e.Domain())
		lookup, err := idna.Lookup.ToASCII(e.Domain())
		if err != nil || ours.err != nil || lookup != ours.ascii {
			t.Errorf("%s: idna.Lookup.ToASCII(%q) = %q, %v; checkDomain = %q, %v", tt.src, e.Domain(), lookup, err, ours.ascii, ours.err)
		}
		if back, err := idna.Lookup.ToUnicode(lookup); err != nil || back != norm.NFC.String(strings.ToLower(e.Domain())) && !strings.Contains(e.Domain(), "xn--") {
			t.Errorf("%s: idna.Lookup.ToUnicode(%q) = %q, %v; want %q", tt.src, lookup, back, err, e.Domain())
		}
	}
}

// TestEmailReasons checks the French clause of every reason: each has one
// (no fallback), the table exercises each, a character is named by its
// code point, and an invisible character is never written into the
// message itself.
func TestEmailReasons(t *testing.T) {
	t.Parallel()
	seen := map[emailWhy]bool{}
	for _, tt := range parseEmailTests {
		if tt.want != "" {
			continue
		}
		seen[tt.why] = true
		_, err := ParseEmail(tt.in)
		e, ok := errors.AsType[*emailError](err)
		if !ok {
			continue // TestParseEmail says so
		}
		msg := e.reason()
		if msg == "" || msg == (&emailError{}).reason() {
			t.Errorf("%s: ParseEmail(%q): reason() = %q; want a French reason", tt.src, tt.in, msg)
		}
		if tt.r != 0 && !strings.Contains(msg, codePoint(tt.r)) {
			t.Errorf("%s: ParseEmail(%q): reason() = %q; want it to name %s", tt.src, tt.in, msg, codePoint(tt.r))
		}
		if i := strings.IndexFunc(msg, func(r rune) bool {
			return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co) || unicode.In(r, unicode.Z) && r != ' ' || !assigned(r)
		}); i >= 0 {
			t.Errorf("%s: ParseEmail(%q): reason() = %q has an invisible character at byte %d", tt.src, tt.in, msg, i)
		}
		if strings.Contains(e.Error(), "zoe") || strings.Contains(e.Error(), "exemple") || e.Error() == "" {
			t.Errorf("%s: ParseEmail(%q).Error() = %q; want English without the address", tt.src, tt.in, e.Error())
		}
	}
	for why := whyUTF8; why <= whyAddressLong; why++ {
		if !seen[why] {
			t.Errorf("no parseEmailTests case for reason %d (%s)", why, (&emailError{why: why}).Error())
		}
	}
	// A fix IDNA lookup knows is offered.
	_, err := ParseEmail("zoe@ｃｈｕ-exemple.fr")
	if e, _ := errors.AsType[*emailError](err); e == nil || !strings.Contains(e.reason(), "écrivez « c »") {
		t.Errorf(`ParseEmail("zoe@ｃｈｕ-exemple.fr") = %v; want the fix « c »`, err)
	}
}

// checkEmailTests run through [Validator.Validate], with the cell read as
// the reader gives it: repaired (Value) and as stored (Raw).
var checkEmailTests = []struct {
	raw  string
	code Code   // "" for no email problem
	msg  string // a piece of the message
}{
	{"zoe.martin@chu-exemple.fr", "", ""},
	{"zoe@@chu-exemple.fr", EmailInvalid, "L'adresse électronique « zoe@@chu-exemple.fr » n'est pas valide : elle doit contenir une seule arobase (@)."},
	{"zoe@chu-exemple", EmailInvalid, "le nom de domaine est incomplet : « chu-exemple » n'a pas d'extension (.fr, .com…)."},
	{"zoe@chu\u200b-exemple.fr", EmailInvalid, "le caractère invisible U+200B (espace sans chasse) n'est pas accepté dans un nom de domaine."},
	{"zoe@\u202echu-exemple.fr", EmailInvalid, "U+202E (forçage droite-à-gauche)"},
	{"zoe@chu-exemple.fr\ufeff", EmailInvalid, "U+FEFF"},
	{"zo\u200be.martin@chu-exemple.fr", "", ""}, // in the local part it stays a repair (CELL_REPAIRED when read)
	{"zoe.martin@chu-exemple.fr\u00a0", "", ""},
	{"zoe.martin@chu-exemple.fr\n", "", ""},
	{"zoe@" + strings.Repeat("a", 64) + ".fr", EmailInvalid, "compte 64 caractères, 63 au plus"},
	{"zoe@chu.test", EmailInvalid, "le domaine « .test » est réservé"},
	{"zoe@ｃｈｕ-exemple.fr", EmailInvalid, "le caractère « ｃ » (U+FF43) n'est pas accepté dans un nom de domaine ; écrivez « c » à la place."},
}

func TestCheckEmail(t *testing.T) {
	t.Parallel()
	v := mustValidator(t, testConfig(t))
	for _, tt := range checkEmailTests {
		m := baseRow()
		m["Courriel"] = tt.raw
		tab := newTable(t, 1, ruleHeader, rowValues(m))
		c := tab.Rows[0].Cells[FieldEmail]
		c.Value, _ = RepairCell(FieldEmail, tt.raw)
		tab.Rows[0].Cells[FieldEmail] = c
		_, problems := v.Validate(tab)
		var got []Problem
		for _, p := range problems {
			if p.Cell == "G2" {
				got = append(got, p)
			}
		}
		switch {
		case tt.code == "" && len(got) != 0:
			t.Errorf("Validate(Courriel %q) = %+v; want no email problem", tt.raw, got)
		case tt.code != "" && (len(got) != 1 || got[0].Code != tt.code || !strings.Contains(got[0].Message, tt.msg)):
			t.Errorf("Validate(Courriel %q) = %+v; want %s with %q", tt.raw, got, tt.code, tt.msg)
		}
	}
}

func BenchmarkParseEmail(b *testing.B) {
	for _, s := range []string{"zoe.martin@chu-exemple.fr", "zoé.martin@hôpital-exemple.fr"} {
		b.Run(s, func(b *testing.B) {
			v := mustValidator(b, testConfig(b))
			for b.Loop() {
				if _, err := parseEmail(s, func(d string) asciiDomain { return v.asciiDomains.get(d, checkDomain) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var domainTypoTests = []struct{ domain, want string }{
	{"gmial.com", "gmail.com"},
	{"gmail.con", "gmail.com"},
	{"hotmial.com", "hotmail.com"},
	{"wanadoo.ft", "wanadoo.fr"},
	{"yahoo.fr.fr", "yahoo.fr"},
	{"chu-exemple.con", "chu-exemple.com"},
	{"orage.fr", "orange.fr"},
	{"gmail.com", ""},
	{"chu-exemple.fr", ""},
	{"chr.fr", ""},
	{"chu.fr", ""},
	{"free.fr", ""},
	{"ch-exemple.mssante.fr", ""},
	{"clinique-sainte-an.fr", ""},
}

func TestDomainTypo(t *testing.T) {
	t.Parallel()
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range domainTypoTests {
		if got := n.domainTypo(tt.domain); got != tt.want {
			t.Errorf("domainTypo(%q) = %q; want %q", tt.domain, got, tt.want)
		}
	}
}

var genericTests = []struct {
	local string
	want  bool
}{
	{"secretariat", true}, {"secretariat.onco", true}, {"secretariatonco", true}, {"rcp", true},
	{"rcp-sein", true}, {"contact", true}, {"accueil", true}, {"noreply", true}, {"no-reply", true},
	{"ne-pas-repondre", true}, {"3c", true}, {"dim", true}, {"onco", true}, {"direction.generale", true},
	{"zoe.martin", false}, {"zoe.contact", false}, {"dimitri.leroy", false}, {"oncle", false},
	{"information.medicale", true}, {"infirmier", false},
}

func TestIsGeneric(t *testing.T) {
	t.Parallel()
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range genericTests {
		if got := n.isGeneric(tt.local); got != tt.want {
			t.Errorf("isGeneric(%q) = %v; want %v", tt.local, got, tt.want)
		}
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"zoe@chu.fr", "a@@b.fr", "zoe@hôpital.fr", "Zoé <z@c.fr>"} {
		f.Add(s)
	}
	for _, tt := range parseEmailTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEmail(s)
		if err != nil {
			if _, ok := errors.AsType[*emailError](err); !ok {
				t.Errorf("ParseEmail(%q) = %v; want an *emailError", s, err)
			}
			return
		}
		if again, err := ParseEmail(e.String()); err != nil || again != e {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q", e, again, err, e)
		}
		// Nothing accepted is changed by IDNA lookup.
		if a, err := idna.Lookup.ToASCII(e.Domain()); err != nil || a != checkDomain(e.Domain()).ascii {
			t.Errorf("idna.Lookup.ToASCII(%q) = %q, %v; want %q", e.Domain(), a, err, checkDomain(e.Domain()).ascii)
		}
	})
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"  le  gall ", "N’Diaye", "=HYPERLINK()", "Œuvre Æ", "Infirmier(e)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := fold(fold(s)); got != fold(s) {
			t.Errorf("fold(fold(%q)) = %q; want %q", s, got, fold(s))
		}
		if n, err := NormaliseName(s); err == nil {
			if again, err := NormaliseName(n); err != nil || again != n {
				t.Errorf("NormaliseName(%q) = %q, %v; want %q", n, again, err, n)
			}
		}
	})
}

// TestIsGenericMatchesFields compares isGeneric with its first form, which
// split the local part with strings.FieldsFunc, on local parts of every
// shape: separators leading, trailing, doubled, alone, upper case.
func TestIsGenericMatchesFields(t *testing.T) {
	t.Parallel()
	n, err := LoadNomenclature(testConfig(t).Templates)
	if err != nil {
		t.Fatal(err)
	}
	reference := func(local string) bool {
		local = strings.ToLower(local)
		words := strings.FieldsFunc(local, func(r rune) bool { return strings.ContainsRune(".-_+", r) })
		if len(words) == 0 {
			return false
		}
		joined := strings.Join(words, "")
		for _, g := range n.generic {
			if local == g || words[0] == g || joined == strings.ReplaceAll(g, "-", "") {
				return true
			}
			if len(g) >= 6 && (strings.HasPrefix(words[0], g) || strings.HasPrefix(joined, strings.ReplaceAll(g, "-", ""))) {
				return true
			}
		}
		return false
	}
	parts := []string{"", ".", "-", "_", "+", "..", "secretariat", "Secretariat", "accueil", "contact", "jean", "DUPONT", "é", "sec", "retariat", "info", "direction"}
	parts = append(parts, n.generic...)
	parts = append(parts, strings.Repeat("Secretariat", 6)) // past maxFastLocal
	for _, a := range parts {
		for _, sep := range []string{"", ".", "-", "_", "+", "..", "-."} {
			for _, b := range []string{"", "jean", "dupont", "service", "01", "Accueil"} {
				for _, local := range []string{a + sep + b, sep + a + b, a + b + sep, sep} {
					want := reference(local)
					if got := n.isGeneric(local); got != want {
						t.Errorf("isGeneric(%q) = %v; the FieldsFunc form gives %v", local, got, want)
					}
					if got := n.isGenericText(local); got != want {
						t.Errorf("isGenericText(%q) = %v; the FieldsFunc form gives %v", local, got, want)
					}
				}
			}
		}
	}
}
