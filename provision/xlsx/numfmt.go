package xlsx

// The number formatting below follows excelize's numfmt.go and date.go
// (github.com/xuri/excelize/v2 v2.11.1, BSD-3-Clause, Copyright 2016 - 2026
// The excelize Authors) closely, so that Cell.Shown is what excelize shows,
// quirks included. Only English names are kept: a format naming months,
// weekdays or AM/PM in another language ([$-40C]mmmm), like one with a
// fraction, a condition or a switch argument, is left unrendered (see
// compileNumFmt).

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/nfp"
)

// cellKind is the type of cell a value comes from, which decides whether
// a format's number sections apply.
type cellKind uint8

const (
	cellNumber cellKind = iota
	cellBool
	cellDate
	cellShared
	cellInline
)

// builtInNumFmt are the built-in number formats excelize renders under its
// default culture.
var builtInNumFmt = map[int]string{
	0:  "general",
	1:  "0",
	2:  "0.00",
	3:  "#,##0",
	4:  "#,##0.00",
	9:  "0%",
	10: "0.00%",
	11: "0.00E+00",
	12: "# ?/?",
	13: "# ??/??",
	14: "mm-dd-yy",
	15: "d-mmm-yy",
	16: "d-mmm",
	17: "mmm-yy",
	18: "h:mm AM/PM",
	19: "h:mm:ss AM/PM",
	20: "hh:mm",
	21: "hh:mm:ss",
	22: "m/d/yy hh:mm",
	37: "#,##0 ;(#,##0)",
	38: "#,##0 ;[red](#,##0)",
	39: "#,##0.00 ;(#,##0.00)",
	40: "#,##0.00 ;[red](#,##0.00)",
	41: "_(* #,##0_);_(* \\(#,##0\\);_(* \"-\"_);_(@_)",
	42: "_(\"$\"* #,##0_);_(\"$\"* \\(#,##0\\);_(\"$\"* \"-\"_);_(@_)",
	43: "_(* #,##0.00_);_(* \\(#,##0.00\\);_(* \"-\"??_);_(@_)",
	44: "_(\"$\"* #,##0.00_);_(\"$\"* \\(#,##0.00\\);_(\"$\"* \"-\"??_);_(@_)",
	45: "mm:ss",
	46: "[h]:mm:ss",
	47: "mm:ss.0",
	48: "##0.0E+0",
	49: "@",
}

// numFmt is a parsed number format code.
type numFmt struct {
	sections    []nfp.Section
	unsupported bool // rendered as the value itself
}

// maxFormatCode bounds the length of a format code handed to the parser.
const maxFormatCode = 1 << 10

// compileNumFmt parses a format code once for all the cells of a style.
func compileNumFmt(code string) *numFmt {
	if len(code) > maxFormatCode {
		return &numFmt{unsupported: true}
	}
	p := nfp.NumberFormatParser()
	f := &numFmt{sections: p.Parse(code)}
	for _, s := range f.sections {
		foreign, names := false, false
		for _, t := range s.Items {
			switch t.TType {
			case nfp.TokenTypeFraction, nfp.TokenTypeDenominator, nfp.TokenTypeSwitchArgument,
				nfp.TokenTypeCondition, nfp.TokenTypeOperand, nfp.TokenTypeOperator, nfp.TokenTypeUnknown:
				f.unsupported = true
			case nfp.TokenTypeCurrencyLanguage:
				for _, part := range t.Parts {
					if part.Token.TType == nfp.TokenSubTypeLanguageInfo {
						if english, ok := lookupLanguage(languageCode(part.Token.TValue)); ok && !english {
							foreign = true
						}
					}
				}
			case nfp.TokenTypeDateTimes:
				names = names || nameToken(t.TValue)
			}
		}
		// Only the names of months, weekdays, AM/PM and eras depend on
		// the language: those are rendered in English alone.
		if foreign && names {
			f.unsupported = true
		}
	}
	return f
}

// nameToken reports whether a date token is rendered with a name (month,
// weekday, AM/PM, era) in excelize.
func nameToken(v string) bool {
	u := strings.ToUpper(v)
	switch {
	case inStrSlice(nfp.AmPm, u, false) != -1, strings.ContainsAny(u, "AEG"):
		return true
	case strings.ContainsAny(u, "MD") && len(v) >= 3:
		return true
	}
	return false
}

// languageCode is the language a LanguageInfo part names, as excelize's
// currencyLanguageHandler takes it: the system date and time stand for
// en-US (409) under excelize's default options.
func languageCode(v string) string {
	if inStrSlice([]string{"F800", "x-sysdate", "1010000", "F400", "x-systime"}, v, false) != -1 {
		v = "409"
	}
	return strings.ToUpper(v)
}

// lookupLanguage is excelize's getSupportedLanguageInfo: ok when excelize
// knows the language, english when it renders it as English.
func lookupLanguage(lang string) (english, ok bool) {
	hex := lang
	if len(hex) > 4 {
		hex = hex[len(hex)-4:]
	}
	if id, err := strconv.ParseUint(hex, 16, 32); err == nil {
		if english, ok := languageIDs[int(id)]; ok {
			return english, true
		}
	}
	if lang == "JA-JP-X-GANNEN" || lang == "JA-JP-X-GANNEN,80" {
		return false, true
	}
	english, ok = languageTags[strings.ToLower(lang)]
	return english, ok
}

// errUnsupportedFormat is excelize's ErrUnsupportedNumberFormat.
var errUnsupportedFormat = errors.New("unsupported number format")

// currencyLanguageHandler is excelize's, under its default options.
func (nf *numberFormat) currencyLanguageHandler(token nfp.Token) error {
	for _, part := range token.Parts {
		if inStrSlice(supportedTokenTypes, part.Token.TType, true) == -1 {
			return errUnsupportedFormat
		}
		if part.Token.TType == nfp.TokenSubTypeLanguageInfo {
			if _, ok := lookupLanguage(languageCode(part.Token.TValue)); !ok {
				return errUnsupportedFormat
			}
		}
		if part.Token.TType == nfp.TokenSubTypeCurrencyString {
			nf.currencyString = part.Token.TValue
			return nil
		}
	}
	return nil
}

var (
	supportedNumberTokenTypes = []string{
		nfp.TokenTypeDenominator,
		nfp.TokenTypeDigitalPlaceHolder,
		nfp.TokenTypeExponential,
		nfp.TokenTypeFraction,
		nfp.TokenTypeHashPlaceHolder,
		nfp.TokenTypePercent,
		nfp.TokenTypeZeroPlaceHolder,
	}
	supportedDateTimeTokenTypes = []string{
		nfp.TokenTypeDateTimes,
		nfp.TokenTypeElapsedDateTimes,
	}
	supportedTokenTypes = []string{
		nfp.TokenTypeAlignment,
		nfp.TokenSubTypeCurrencyString,
		nfp.TokenSubTypeLanguageInfo,
		nfp.TokenTypeColor,
		nfp.TokenTypeCurrencyLanguage,
		nfp.TokenTypeDateTimes,
		nfp.TokenTypeDecimalPoint,
		nfp.TokenTypeDenominator,
		nfp.TokenTypeDigitalPlaceHolder,
		nfp.TokenTypeElapsedDateTimes,
		nfp.TokenTypeExponential,
		nfp.TokenTypeFraction,
		nfp.TokenTypeGeneral,
		nfp.TokenTypeHashPlaceHolder,
		nfp.TokenTypeLiteral,
		nfp.TokenTypePercent,
		nfp.TokenTypeRepeatsChar,
		nfp.TokenTypeSwitchArgument,
		nfp.TokenTypeTextPlaceHolder,
		nfp.TokenTypeThousandsSeparator,
		nfp.TokenTypeZeroPlaceHolder,
	}
	weekdayNames     = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	weekdayNamesAbbr = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)

func inStrSlice(a []string, x string, caseSensitive bool) int {
	for idx, n := range a {
		if !caseSensitive && strings.EqualFold(x, n) {
			return idx
		}
		if x == n {
			return idx
		}
	}
	return -1
}

// numberFormat is the state of one formatting, as in excelize.
type numberFormat struct {
	cellType                                                                 cellKind
	section                                                                  []nfp.Section
	t                                                                        time.Time
	sectionIdx                                                               int
	date1904, isNumeric, hours, seconds, useMillisecond                      bool
	number                                                                   float64
	ap, result, value, valueSectionType, currencyString                      string
	fracHolder, fracPadding, intHolder, intPadding, expBaseLen               int
	percent, scalingFactor, scalingStart                                     int
	useCommaSep, useFraction, usePointer, usePositive, useScientificNotation bool
}

// format renders value with f, as excelize's format does.
func (f *numFmt) format(value string, date1904 bool, kind cellKind) string {
	if f.unsupported {
		return value
	}
	nf := numberFormat{section: f.sections, value: value, date1904: date1904, cellType: kind}
	nf.number, nf.valueSectionType = nf.getValueSectionType(value)
	if nf.cellType == cellNumber || nf.cellType == cellDate {
		nf.isNumeric, _, _ = isNumeric(value)
	}
	if nf.isNumeric && (math.IsNaN(nf.number) || math.IsInf(nf.number, 0)) {
		return value // excelize's arithmetic on these is undefined
	}
	for i, section := range nf.section {
		nf.sectionIdx = i
		if section.Type != nf.valueSectionType {
			continue
		}
		if nf.isNumeric {
			switch section.Type {
			case nfp.TokenSectionPositive:
				return nf.alignmentHandler(nf.positiveHandler())
			default:
				return nf.alignmentHandler(nf.negativeHandler())
			}
		}
		return nf.alignmentHandler(nf.textHandler())
	}
	return value
}

// isNumeric is excelize's test for a number, with its count of digits.
func isNumeric(s string) (bool, int, float64) {
	if strings.Contains(s, "_") {
		return false, 0, 0
	}
	flt, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false, 0, 0
	}
	noScientificNotation := strconv.FormatFloat(flt, 'f', -1, 64)
	return true, len(noScientificNotation) - strings.Count(noScientificNotation, "."), flt
}

// defaultNumber is excelize's getCellDefault: a number cell shown without
// RawCellValue is rewritten in its shortest form (at most 15 significant
// digits). It returns v itself when nothing changes.
func defaultNumber(v []byte) []byte {
	if plainDecimal(v) {
		return v
	}
	s := string(v)
	isNum, prec, decimal := isNumeric(s)
	if !isNum {
		return v
	}
	var out string
	if prec > 15 && !isNumWithinPrecision(s) {
		out = strconv.FormatFloat(decimal, 'G', 15, 64)
	} else {
		out = strconv.FormatFloat(decimal, 'f', -1, 64)
	}
	if out == s {
		return v
	}
	return []byte(out)
}

// plainDecimal reports whether v is a decimal that FormatFloat writes back
// unchanged: an optional "-", an integer part without a leading zero (or
// just "0"), an optional fraction not ending in "0", 15 digits at most (a
// decimal of at most 15 digits is the shortest form of its float).
func plainDecimal(v []byte) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	digits, point := 0, -1
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && point < 0:
			point = i
		default:
			return false
		}
	}
	switch {
	case digits == 0 || digits > 15 || point == 0 || point == len(v)-1:
		return false
	case v[0] == '0' && len(v) > 1 && v[1] != '.':
		return false // a leading zero
	case point > 0 && v[len(v)-1] == '0':
		return false // a trailing zero in the fraction
	}
	return true
}

func isNumWithinPrecision(str string) bool {
	if strings.ContainsAny(str, ".Ee") {
		return false
	}
	str = strings.TrimLeft(str, "+-0")
	return len(strings.TrimRight(str, "0")) <= 15
}

// isoToSerial is excelize's getCellDate: an ISO 8601 date cell is shown
// as its serial number, formatted.
func isoToSerial(v []byte) []byte {
	s := string(v)
	layout := "20060102T150405.999"
	if strings.HasSuffix(s, "Z") {
		layout = "20060102T150405Z"
		if strings.Contains(s, "-") {
			layout = "2006-01-02T15:04:05Z"
		}
	} else if strings.Contains(s, "-") {
		layout = "2006-01-02 15:04:05Z"
	}
	timestamp, err := time.Parse(layout, strings.ReplaceAll(s, ",", "."))
	if err != nil {
		return v
	}
	return []byte(strconv.FormatFloat(timeToExcelTime(timestamp), 'G', 15, 64))
}

func (nf *numberFormat) getValueSectionType(value string) (float64, string) {
	if nf.cellType != cellNumber && nf.cellType != cellDate {
		return 0, nfp.TokenSectionText
	}
	isNum, _, _ := isNumeric(value)
	if !isNum {
		return 0, nfp.TokenSectionText
	}
	number, _ := strconv.ParseFloat(value, 64)
	if number >= 0 {
		return number, nfp.TokenSectionPositive
	}
	var hasNeg bool
	for _, sec := range nf.section {
		if sec.Type == nfp.TokenSectionNegative {
			hasNeg = true
		}
	}
	if !hasNeg {
		nf.usePositive = true
		return number, nfp.TokenSectionPositive
	}
	return number, nfp.TokenSectionNegative
}

func (nf *numberFormat) getNumberPartLen() (int, int) {
	var intPart, fracPart, intLen, fracLen int
	parts := strings.Split(strconv.FormatFloat(math.Abs(nf.number), 'f', -1, 64), ".")
	intPart = len(parts[0])
	if len(parts) == 2 {
		fracPart = len(parts[1])
	}
	if nf.intHolder > intPart {
		nf.intHolder = intPart
	}
	if intLen = intPart; nf.intPadding+nf.intHolder > intPart {
		intLen = nf.intPadding + nf.intHolder
	}
	if fracLen = fracPart; fracPart > nf.fracHolder+nf.fracPadding {
		fracLen = nf.fracHolder + nf.fracPadding
	}
	if nf.fracPadding > fracPart {
		fracLen = nf.fracPadding
	}
	return intLen, fracLen
}

func (nf *numberFormat) getLastDigitIdx() int {
	lastDigitIdx := -1
	for i, token := range nf.section[nf.sectionIdx].Items {
		if token.TType == nfp.TokenTypeZeroPlaceHolder || token.TType == nfp.TokenTypeHashPlaceHolder {
			lastDigitIdx = i
		}
	}
	return lastDigitIdx
}

func (nf *numberFormat) getNumberFmtConf() {
	lastDigitIdx := nf.getLastDigitIdx()
	for i, token := range nf.section[nf.sectionIdx].Items {
		switch token.TType {
		case nfp.TokenTypeHashPlaceHolder:
			if nf.usePointer {
				nf.fracHolder += len(token.TValue)
			} else {
				nf.intHolder += len(token.TValue)
			}
		case nfp.TokenTypeExponential:
			nf.useScientificNotation = true
		case nfp.TokenTypeThousandsSeparator:
			if i > lastDigitIdx {
				if nf.scalingFactor == 0 {
					nf.scalingStart = i
				}
				nf.scalingFactor++
			} else {
				nf.useCommaSep = true
			}
		case nfp.TokenTypeLiteral:
			if token.TValue == "," && i > lastDigitIdx && nf.scalingFactor > 0 {
				nf.scalingFactor++
			}
		case nfp.TokenTypePercent:
			nf.percent += len(token.TValue)
		case nfp.TokenTypeDecimalPoint:
			nf.usePointer = true
		case nfp.TokenTypeFraction:
			nf.useFraction = true
		case nfp.TokenTypeZeroPlaceHolder:
			nf.intHolder = 0
			switch {
			case nf.usePointer && nf.useScientificNotation:
				nf.expBaseLen += len(token.TValue)
			case nf.usePointer:
				nf.fracPadding += len(token.TValue)
			default:
				nf.intPadding += len(token.TValue)
			}
		}
	}
}

func handleDigitsLiteral(text string, tokenValueLen, intPartLen, hashZeroPartLen int, fill bool) (int, string) {
	var result strings.Builder
	runes := []rune(text)
	l := tokenValueLen
	if intPartLen == 0 && len(text) > hashZeroPartLen {
		l = len(text) + tokenValueLen - hashZeroPartLen
	}
	if len(text) < hashZeroPartLen {
		intPartLen += len(text) - hashZeroPartLen
	}
	for i := range l {
		j := i + intPartLen
		if 0 <= j && j < len(runes) {
			result.WriteRune(runes[j])
		} else if fill {
			result.WriteByte(' ')
		}
	}
	return l, result.String()
}

func (nf *numberFormat) getNumberLiteralParts() (int, int) {
	var hashZeroPartLen int
	lastNonFractionPartDigital := math.MaxInt
	for idx, token := range nf.section[nf.sectionIdx].Items {
		switch token.TType {
		case nfp.TokenTypeHashPlaceHolder, nfp.TokenTypeZeroPlaceHolder:
			hashZeroPartLen += len(token.TValue)
		case nfp.TokenTypeDigitalPlaceHolder:
			if idx < lastNonFractionPartDigital {
				hashZeroPartLen += len(token.TValue)
			}
		}
	}
	return lastNonFractionPartDigital, hashZeroPartLen
}

func (nf *numberFormat) printNumberLiteral(text string) string {
	var (
		result     strings.Builder
		intPartLen int
	)
	if nf.usePositive {
		result.WriteString("-")
	}
	_, hashZeroPartLen := nf.getNumberLiteralParts()
	for idx, token := range nf.section[nf.sectionIdx].Items {
		switch token.TType {
		case nfp.TokenTypeCurrencyLanguage:
			_ = nf.currencyLanguageHandler(token) // excelize ignores the error here
			result.WriteString(nf.currencyString)
		case nfp.TokenTypeLiteral:
			if nf.scalingFactor > 0 && idx >= nf.scalingStart && token.TValue == "," {
				continue
			}
			result.WriteString(token.TValue)
		case nfp.TokenTypeHashPlaceHolder, nfp.TokenTypeZeroPlaceHolder, nfp.TokenTypeDigitalPlaceHolder:
			digits, str := handleDigitsLiteral(text, len(token.TValue), intPartLen, hashZeroPartLen, token.TType == nfp.TokenTypeDigitalPlaceHolder)
			intPartLen += digits
			result.WriteString(str)
		}
	}
	return result.String()
}

func printCommaSep(text string) string {
	var (
		target strings.Builder
		subStr = strings.Split(text, ".")
		length = len(subStr[0])
	)
	for i := range length {
		if i > 0 && (length-i)%3 == 0 {
			target.WriteString(",")
		}
		target.WriteByte(text[i])
	}
	if len(subStr) == 2 {
		target.WriteString(".")
		target.WriteString(subStr[1])
	}
	return target.String()
}

func (nf *numberFormat) printBigNumber(decimal float64, fracLen int) string {
	var exp float64
	if nf.percent > 0 {
		exp = 1
	}
	result := strings.TrimLeft(strconv.FormatFloat(decimal*math.Pow(100, exp), 'f', -1, 64), "-")
	if nf.useCommaSep {
		result = printCommaSep(result)
	}
	if fracLen > 0 {
		if parts := strings.Split(result, "."); len(parts) == 2 {
			fracPartLen := len(parts[1])
			if fracPartLen < fracLen {
				result = result + strings.Repeat("0", fracLen-fracPartLen)
			}
			if fracPartLen > fracLen {
				result = parts[0] + "." + parts[1][:fracLen]
			}
		} else {
			result = result + "." + strings.Repeat("0", fracLen)
		}
	}
	if nf.percent > 0 {
		return result + "%"
	}
	return result
}

// maxDigits bounds the width excelize would pad a number to: a format
// asking for more is not rendered.
const maxDigits = 1 << 10

func (nf *numberFormat) numberHandler() string {
	nf.getNumberFmtConf()
	if nf.scalingFactor > 0 {
		nf.number /= math.Pow(1000, float64(nf.scalingFactor))
	}
	var (
		num             = nf.number
		intLen, fracLen = nf.getNumberPartLen()
		result          string
	)
	if intLen > maxDigits || fracLen > maxDigits || nf.percent > maxDigits {
		return nf.value
	}
	if intLen+fracLen > 15 && !nf.useScientificNotation {
		isNum, precision, decimal := isNumeric(nf.value)
		if isNum && precision > 15 {
			return nf.printNumberLiteral(nf.printBigNumber(decimal, fracLen))
		}
	}
	paddingLen := intLen + fracLen
	if fracLen > 0 {
		paddingLen++
	}
	fmtCode := fmt.Sprintf("%%0%d.%df%s", paddingLen, fracLen, strings.Repeat("%%", nf.percent))
	if nf.useScientificNotation {
		if nf.expBaseLen != 2 {
			return nf.value
		}
		fmtCode = fmt.Sprintf("%%.%dE%s", fracLen, strings.Repeat("%%", nf.percent))
	}
	if nf.percent > 0 {
		num *= math.Pow(100, float64(nf.percent))
	}
	if nf.useFraction {
		num = math.Floor(math.Abs(num))
	}
	if !nf.useScientificNotation {
		ratio := math.Pow(10, float64(fracLen))
		num = math.Round(num*ratio) / ratio
	}
	if result = fmt.Sprintf(fmtCode, math.Abs(num)); nf.useCommaSep {
		result = printCommaSep(result)
	}
	return nf.printNumberLiteral(result)
}

func (nf *numberFormat) dateTimeHandler() string {
	nf.t, nf.hours, nf.seconds = timeFromExcelTime(nf.number, nf.date1904), false, false
	if !nf.useMillisecond {
		nf.t = nf.t.Add(time.Duration(math.Round(float64(nf.t.Nanosecond())/1e9)) * time.Second)
	}
	for i, token := range nf.section[nf.sectionIdx].Items {
		if token.TType == nfp.TokenTypeCurrencyLanguage {
			if err := nf.currencyLanguageHandler(token); err != nil {
				return nf.value
			}
			nf.result += nf.currencyString
		}
		if token.TType == nfp.TokenTypeDateTimes {
			nf.dateTimesHandler(i, token)
		}
		if token.TType == nfp.TokenTypeElapsedDateTimes {
			nf.elapsedDateTimesHandler(token)
		}
		if token.TType == nfp.TokenTypeLiteral {
			nf.result += token.TValue
			continue
		}
		if token.TType == nfp.TokenTypeDecimalPoint {
			nf.result += "."
		}
		if token.TType == nfp.TokenTypeZeroPlaceHolder {
			zeroHolderLen := min(len(token.TValue), 3)
			nf.result += fmt.Sprintf("%03d", nf.t.Nanosecond()/1e6)[:zeroHolderLen]
		}
	}
	return nf.result
}

func (nf *numberFormat) alignmentHandler(result string) string {
	tokens := nf.section[nf.sectionIdx].Items
	if len(tokens) == 0 {
		return result
	}
	if tokens[0].TType == nfp.TokenTypeAlignment {
		result = nfp.Whitespace + result
	}
	if l := len(tokens); tokens[l-1].TType == nfp.TokenTypeAlignment {
		result += nfp.Whitespace
	}
	return result
}

func (nf *numberFormat) positiveHandler() string {
	var fmtNum bool
	for _, token := range nf.section[nf.sectionIdx].Items {
		if token.TType == nfp.TokenTypeGeneral {
			if isNum, precision, _ := isNumeric(nf.value); isNum && precision > 11 {
				return strconv.FormatFloat(nf.number, 'G', 10, 64)
			}
			return nf.value
		}
		if inStrSlice(supportedNumberTokenTypes, token.TType, true) != -1 {
			fmtNum = true
		}
		if inStrSlice(supportedDateTimeTokenTypes, token.TType, true) != -1 {
			if fmtNum || nf.number < 0 {
				return nf.value
			}
			var useDateTimeTokens bool
			for _, token := range nf.section[nf.sectionIdx].Items {
				if inStrSlice(supportedDateTimeTokenTypes, token.TType, false) != -1 {
					if useDateTimeTokens && nf.useMillisecond {
						return nf.value
					}
					useDateTimeTokens = true
				}
				if inStrSlice(supportedNumberTokenTypes, token.TType, false) != -1 {
					if token.TType == nfp.TokenTypeZeroPlaceHolder {
						nf.useMillisecond = true
						continue
					}
					return nf.value
				}
			}
			return nf.dateTimeHandler()
		}
	}
	return nf.numberHandler()
}

func (nf *numberFormat) localMonthsName(abbr int) string {
	t := nf.t
	if nf.number < 1 {
		t = timeFromExcelTime(nf.number+2, nf.date1904)
	}
	if 1 <= nf.number && nf.number < 60 {
		t = timeFromExcelTime(nf.number+1, nf.date1904)
	}
	switch abbr {
	case 3:
		return t.Month().String()[:3]
	case 4:
		return t.Month().String()
	}
	return t.Month().String()[:1]
}

func (nf *numberFormat) dateAmPmHandler(i int, token nfp.Token) {
	if nf.ap == "" {
		nextHours := nf.hoursNext(i)
		aps := strings.Split(token.TValue, "/")
		nf.ap = aps[0]
		if nextHours >= 12 && len(aps) > 1 {
			nf.ap = aps[1]
		}
	}
	nf.result += nf.ap
}

func (nf *numberFormat) dateTimesHandler(i int, token nfp.Token) {
	if idx := inStrSlice(nfp.AmPm, strings.ToUpper(token.TValue), false); idx != -1 {
		nf.dateAmPmHandler(i, token)
		return
	}
	if strings.Contains(strings.ToUpper(token.TValue), "M") {
		m := int(nf.t.Month())
		if nf.number < 2 {
			m = 1
		}
		if 60 <= nf.number && nf.number < 61 {
			m = 2
		}
		l := len(token.TValue)
		if l == 1 && nf.isMonthToken(i) {
			nf.result += strconv.Itoa(m)
			return
		}
		if l == 2 && nf.isMonthToken(i) {
			nf.result += fmt.Sprintf("%02d", m)
			return
		}
		if l == 3 {
			nf.result += nf.localMonthsName(3)
			return
		}
		if l == 4 || l > 5 {
			nf.result += nf.localMonthsName(4)
			return
		}
		if l == 5 {
			nf.result += nf.localMonthsName(5)
			return
		}
	}
	nf.yearsHandler(token)
	nf.daysHandler(token)
	nf.hoursHandler(i, token)
	nf.minutesHandler(token)
	nf.secondsHandler(token)
}

func (nf *numberFormat) yearsHandler(token nfp.Token) {
	year := nf.t.Year()
	if nf.number < 2 {
		year = 1900
	}
	if strings.Contains(strings.ToUpper(token.TValue), "Y") {
		y := strconv.Itoa(year)
		if len(token.TValue) <= 2 && len(y) >= 2 {
			nf.result += y[2:]
			return
		}
		nf.result += y
		return
	}
	if strings.Contains(strings.ToUpper(token.TValue), "E") {
		nf.result += strconv.Itoa(year)
	}
}

func (nf *numberFormat) daysHandler(token nfp.Token) {
	l := len(token.TValue)
	wd := nf.t.Weekday()
	if strings.Contains(strings.ToUpper(token.TValue), "A") {
		if l == 3 {
			nf.result += weekdayNamesAbbr[wd]
		}
		if l > 3 {
			nf.result += weekdayNames[wd]
		}
		return
	}
	if strings.Contains(strings.ToUpper(token.TValue), "D") {
		d := nf.t.Day()
		if nf.number < 1 {
			d = 0
		}
		if 1 <= nf.number && nf.number < 60 {
			d = timeFromExcelTime(nf.number+1, nf.date1904).Day()
		}
		if 60 <= nf.number && nf.number < 61 {
			d = 29
		}
		switch l {
		case 1:
			nf.result += strconv.Itoa(d)
		case 2:
			nf.result += fmt.Sprintf("%02d", d)
		case 3:
			nf.result += weekdayNamesAbbr[wd]
		default:
			nf.result += weekdayNames[wd]
		}
	}
}

func (nf *numberFormat) hoursHandler(i int, token nfp.Token) {
	if nf.hours = strings.Contains(strings.ToUpper(token.TValue), "H"); nf.hours {
		h := nf.t.Hour()
		ap, ok := nf.apNext(i)
		if ok {
			nf.ap = ap[0]
			if h >= 12 && len(ap) > 1 {
				nf.ap = ap[1]
			}
			if h > 12 {
				h -= 12
			}
		}
		if nf.ap != "" {
			if nf.hoursNext(i) == -1 && h > 12 {
				h -= 12
			}
			if h == 0 {
				h = 12
			}
		}
		switch len(token.TValue) {
		case 1:
			nf.result += strconv.Itoa(h)
		default:
			nf.result += fmt.Sprintf("%02d", h)
		}
	}
}

func (nf *numberFormat) minutesHandler(token nfp.Token) {
	if strings.Contains(strings.ToUpper(token.TValue), "M") {
		nf.hours = false
		switch len(token.TValue) {
		case 1:
			nf.result += strconv.Itoa(nf.t.Minute())
		default:
			nf.result += fmt.Sprintf("%02d", nf.t.Minute())
		}
	}
}

func (nf *numberFormat) secondsHandler(token nfp.Token) {
	if nf.seconds = strings.Contains(strings.ToUpper(token.TValue), "S"); !nf.seconds {
		return
	}
	if len(token.TValue) == 1 {
		nf.result += strconv.Itoa(nf.t.Second())
		return
	}
	nf.result += fmt.Sprintf("%02d", nf.t.Second())
}

func (nf *numberFormat) elapsedDateTimesHandler(token nfp.Token) {
	switch v := strings.ToUpper(token.TValue); {
	case strings.Contains(v, "H"):
		nf.result += fmt.Sprintf("%.f", math.Floor(nf.t.Sub(excel1900Epoc).Hours()))
	case strings.Contains(v, "M"):
		nf.result += fmt.Sprintf("%.f", math.Floor(nf.t.Sub(excel1900Epoc).Minutes()))
	case strings.Contains(v, "S"):
		nf.result += fmt.Sprintf("%.f", math.Floor(nf.t.Sub(excel1900Epoc).Seconds()))
	}
}

func (nf *numberFormat) hoursNext(i int) int {
	tokens := nf.section[nf.sectionIdx].Items
	for idx := i + 1; idx < len(tokens); idx++ {
		if tokens[idx].TType == nfp.TokenTypeDateTimes && strings.Contains(strings.ToUpper(tokens[idx].TValue), "H") {
			return timeFromExcelTime(nf.number, false).Hour()
		}
	}
	return -1
}

func (nf *numberFormat) apNext(i int) ([]string, bool) {
	tokens := nf.section[nf.sectionIdx].Items
	for idx := i + 1; idx < len(tokens); idx++ {
		if tokens[idx].TType == nfp.TokenTypeDateTimes {
			if strings.Contains(strings.ToUpper(tokens[idx].TValue), "H") {
				return nil, false
			}
			if i := inStrSlice(nfp.AmPm, tokens[idx].TValue, false); i != -1 {
				return strings.Split(tokens[idx].TValue, "/"), true
			}
		}
	}
	return nil, false
}

func (nf *numberFormat) isMonthToken(i int) bool {
	tokens := nf.section[nf.sectionIdx].Items
	var timePrevious, secondsNext bool
	for idx := i - 1; idx >= 0; idx-- {
		if tokens[idx].TType == nfp.TokenTypeDateTimes {
			timePrevious = strings.ContainsAny(strings.ToUpper(tokens[idx].TValue), "HS")
			break
		}
		if tokens[idx].TType == nfp.TokenTypeElapsedDateTimes {
			timePrevious = true
			break
		}
	}
	for idx := i + 1; idx < len(tokens); idx++ {
		if tokens[idx].TType == nfp.TokenTypeDateTimes {
			secondsNext = strings.Contains(strings.ToUpper(tokens[idx].TValue), "S")
			break
		}
	}
	return !timePrevious && !secondsNext
}

func (nf *numberFormat) negativeHandler() string {
	for _, token := range nf.section[nf.sectionIdx].Items {
		if inStrSlice(supportedTokenTypes, token.TType, true) == -1 || token.TType == nfp.TokenTypeGeneral {
			return nf.value
		}
		if inStrSlice(supportedDateTimeTokenTypes, token.TType, true) != -1 {
			return nf.value
		}
	}
	return nf.numberHandler()
}

func (nf *numberFormat) textHandler() string {
	var result strings.Builder
	for _, token := range nf.section[nf.sectionIdx].Items {
		if token.TType == nfp.TokenTypeLiteral {
			result.WriteString(token.TValue)
		}
		if token.TType == nfp.TokenTypeTextPlaceHolder || token.TType == nfp.TokenTypeZeroPlaceHolder {
			result.WriteString(nf.value)
		}
	}
	return result.String()
}

// Dates, after excelize's date.go.

const (
	nanosInADay    = float64((24 * time.Hour) / time.Nanosecond)
	dayNanoseconds = 24 * time.Hour
	maxDuration    = 290 * 364 * dayNanoseconds
	roundEpsilon   = 1e-9
)

var (
	excel1900Epoc         = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)
	excel1904Epoc         = time.Date(1904, time.January, 1, 0, 0, 0, 0, time.UTC)
	excelMinTime1900      = time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC)
	excelBuggyPeriodStart = time.Date(1900, time.March, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
)

// timeToExcelTime is excelize's, always in the 1900 date system (as
// excelize's getCellDate calls it).
func timeToExcelTime(t time.Time) float64 {
	date := excelMinTime1900
	if t.Before(date) {
		return 0
	}
	tt, diff, result := t, t.Sub(date), 0.0
	for diff >= maxDuration {
		result += float64(maxDuration / dayNanoseconds)
		tt = tt.Add(-maxDuration)
		diff = tt.Sub(date)
	}
	rem := diff % dayNanoseconds
	result += float64(diff-rem)/float64(dayNanoseconds) + float64(rem)/float64(dayNanoseconds)
	if t.After(excelBuggyPeriodStart) {
		result++
	}
	return result
}

func shiftJulianToNoon(julianDays, julianFraction float64) (float64, float64) {
	switch {
	case -0.5 < julianFraction && julianFraction < 0.5:
		julianFraction += 0.5
	case julianFraction >= 0.5:
		julianDays++
		julianFraction -= 0.5
	case julianFraction <= -0.5:
		julianDays--
		julianFraction += 1.5
	}
	return julianDays, julianFraction
}

func fractionOfADay(fraction float64) (hours, minutes, seconds, nanoseconds int) {
	const (
		c1us  = 1e3
		c1s   = 1e9
		c1day = 24 * 60 * 60 * c1s
	)
	frac := int64(c1day*fraction + c1us/2)
	nanoseconds = int((frac%c1s)/c1us) * c1us
	frac /= c1s
	seconds = int(frac % 60)
	frac /= 60
	minutes = int(frac % 60)
	hours = int(frac / 60)
	return
}

func julianDateToGregorianTime(part1, part2 float64) time.Time {
	part1I, part1F := math.Modf(part1)
	part2I, part2F := math.Modf(part2)
	julianDays := part1I + part2I
	julianFraction := part1F + part2F
	julianDays, julianFraction = shiftJulianToNoon(julianDays, julianFraction)
	day, month, year := fliegelVanFlandern(int(julianDays))
	hours, minutes, seconds, nanoseconds := fractionOfADay(julianFraction)
	return time.Date(year, time.Month(month), day, hours, minutes, seconds, nanoseconds, time.UTC)
}

func fliegelVanFlandern(jd int) (day, month, year int) {
	l := jd + 68569
	n := (4 * l) / 146097
	l = l - (146097*n+3)/4
	i := (4000 * (l + 1)) / 1461001
	l = l - (1461*i)/4 + 31
	j := (80 * l) / 2447
	d := l - (2447*j)/80
	l = j / 11
	m := j + 2 - (12 * l)
	y := 100*(n-49) + i + l
	return d, m, y
}

func timeFromExcelTime(excelTime float64, date1904 bool) time.Time {
	var date time.Time
	wholeDaysPart := int(excelTime)
	if wholeDaysPart <= 61 {
		const OFFSET1900 = 15018.0
		const OFFSET1904 = 16480.0
		const MJD0 float64 = 2400000.5
		if date1904 {
			return julianDateToGregorianTime(MJD0, excelTime+OFFSET1904)
		}
		return julianDateToGregorianTime(MJD0, excelTime+OFFSET1900)
	}
	floatPart := excelTime - float64(wholeDaysPart) + roundEpsilon
	if date1904 {
		date = excel1904Epoc
	} else {
		date = excel1900Epoc
	}
	durationPart := time.Duration(nanosInADay * floatPart)
	date = date.AddDate(0, 0, wholeDaysPart).Add(durationPart)
	if date.Nanosecond()/1e6 > 500 {
		return date.Round(time.Second)
	}
	return date.Truncate(time.Second)
}
