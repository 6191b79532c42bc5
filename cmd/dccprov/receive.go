package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/scan"
	"github.com/dccprov/dccprov/provision/store"
)

// Status of a received form in `forms receive`.
const (
	receivedComplete   = "complete"        // every page, digest of the issued form
	receivedSigned     = "signed"          // complete, and --sign recorded the signature
	receivedIncomplete = "incomplete"      // pages missing
	receivedMismatch   = "digest-mismatch" // a page's digest is not the issued form's
	receivedUnknown    = "unknown"         // no such form in the store
)

// receiveResult is what `forms receive --json` prints.
type receiveResult struct {
	Forms      []receivedForm   `json:"forms"`
	Unreadable []unreadablePage `json:"unreadable"`
	Files      []receivedFile   `json:"files"`
}

// receivedForm is one form whose pages were found in the files received.
type receivedForm struct {
	Ref          string `json:"ref"`
	Status       string `json:"status"`
	Pages        int    `json:"pages"` // as the QR codes say
	PagesFound   []int  `json:"pages_found"`
	PagesMissing []int  `json:"pages_missing"`
	DigestOK     bool   `json:"digest_ok"`
	// FormStatus is the form's status in the store before this command
	// (pending, signed, rejected); "" for an unknown form.
	FormStatus string `json:"form_status,omitempty"`
	Signed     bool   `json:"signed"`
	// SignedBy is the signer's name from the certificate of an
	// electronically signed form.
	SignedBy string                  `json:"signed_by,omitempty"`
	Problem  string                  `json:"problem,omitempty"` // why it is refused or not signed
	Lines    []provision.FormRequest `json:"lines"`
	found    map[int]bool
	digests  []string
}

// unreadablePage is a page on which no form's QR code could be read.
type unreadablePage struct {
	File   string `json:"file"`
	Page   int    `json:"page"`
	Reason string `json:"reason"`
}

// receivedFile is one file given, as the audit trail records it.
type receivedFile struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Kind   string `json:"kind"` // image, pdf, signed-pdf
	Pages  int    `json:"pages"`
	// Signature is the verification of a signed PDF.
	Signature *signatureInfo `json:"signature,omitempty"`
	// Problem is set for a signed PDF that was not accepted.
	Problem  string `json:"problem,omitempty"`
	codes    []pageCode
	signedBy string // the certificate's signer, for an accepted signed PDF
}

// pageCode is a page of a file and the form code read on it.
type pageCode struct {
	page int
	code provision.FormCode
}

func runFormsReceive(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("forms receive")
	sign := fs.Bool("sign", false, "record the signature of every complete, matching, pending form received")
	signer := fs.String("signer", "", "with --sign: `NAME` and quality of who signed the scanned forms, as written on them (an electronically signed form is signed by its certificate's name)")
	caFile := fs.String("ca-file", "", "`PEM` file of the certificate authorities trusted to certify the signers of electronically signed forms (default: the system's)")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("forms receive needs at least one FILE: a scanned PDF or a PNG, JPEG or TIFF image of a returned form")
	}
	if !*sign && *signer != "" {
		return usageErr("--signer is only used with --sign")
	}
	cfg, _, err := e.loadConfig()
	if err != nil {
		return err
	}
	if e.caRoots, err = loadRoots(*caFile); err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	// Every file is read and decoded before anything is recorded: a file
	// that cannot be read stops the command with nothing changed.
	res := receiveResult{Forms: []receivedForm{}, Unreadable: []unreadablePage{}}
	for _, name := range pos {
		f, err := e.receiveFile(ctx, st, cfg, name, &res)
		if err != nil {
			return err
		}
		res.Files = append(res.Files, f)
	}
	// A scan says who signed it only on paper: --signer. An electronically
	// signed form says it in its certificate.
	if *sign && *signer == "" && slices.ContainsFunc(res.Files, func(f receivedFile) bool { return f.Kind != scan.SignedPDF.String() }) {
		return usageErr("--sign needs --signer NAME for scanned forms: who signed them, as written on them")
	}
	forms := map[string]*receivedForm{}
	var refs []string
	for _, f := range res.Files {
		for _, pc := range f.codes {
			rf := forms[pc.code.Ref]
			if rf == nil {
				rf = &receivedForm{Ref: pc.code.Ref, found: map[int]bool{}}
				forms[pc.code.Ref] = rf
				refs = append(refs, pc.code.Ref)
			}
			rf.found[pc.code.Page] = true
			if f.signedBy != "" {
				rf.SignedBy = f.signedBy
			}
			rf.Pages = max(rf.Pages, pc.code.Pages)
			if !slices.Contains(rf.digests, pc.code.Digest) {
				rf.digests = append(rf.digests, pc.code.Digest)
			}
		}
	}
	slices.Sort(refs)
	var events []store.Event
	for _, ref := range refs {
		rf := forms[ref]
		if err := e.checkReceived(ctx, st, rf); err != nil {
			return err
		}
		if *sign {
			if err := e.signReceived(ctx, st, rf, *signer, cfg); err != nil {
				return err
			}
		}
		events = append(events, store.Event{Action: "form-received", Object: rf.Ref, Detail: rf.auditDetail()})
		res.Forms = append(res.Forms, *rf)
	}
	for _, f := range res.Files {
		events = append(events, store.Event{Action: "form-file-received", Object: "sha256:" + f.SHA256, Detail: fileAuditDetail(f)})
	}
	if err := st.AddEvents(ctx, cfg.Date, cfg.Operator, events); err != nil {
		return err
	}
	if e.g.json {
		if err := writeJSON(e.stdout, res); err != nil {
			return err
		}
	} else {
		printReceived(e.stdout, res)
	}
	ok := len(res.Forms) > 0 && len(res.Unreadable) == 0
	for _, f := range res.Forms {
		if f.Status != receivedComplete && f.Status != receivedSigned || *sign && !f.Signed {
			ok = false
		}
	}
	for _, f := range res.Files {
		if f.Problem != "" {
			ok = false
		}
	}
	if !ok {
		if len(res.Forms) == 0 && len(res.Unreadable) == 0 && !slices.ContainsFunc(res.Files, func(f receivedFile) bool { return f.Problem != "" }) {
			fmt.Fprintln(e.stderr, "dccprov: no form's QR code was found in the files given")
		}
		return errRejected
	}
	return nil
}

// receiveFile reads one file, classifies it and finds the form codes on
// its pages; a signed PDF goes to [env.receiveSigned].
func (e *env) receiveFile(ctx context.Context, st *store.Store, cfg *provision.Config, name string, res *receiveResult) (receivedFile, error) {
	data, err := readInput(name)
	if err != nil {
		return receivedFile{}, err
	}
	sum := sha256.Sum256(data)
	f := receivedFile{File: name, SHA256: hex.EncodeToString(sum[:])}
	kind := scan.Classify(data)
	f.Kind = kind.String()
	switch kind {
	case scan.Unsupported:
		return f, usageErr("%s: not a PDF, PNG, JPEG or TIFF file; give the scan of a returned form", name)
	case scan.SignedPDF:
		r, err := e.receiveSigned(ctx, st, cfg, name, data)
		if err != nil {
			return f, err
		}
		f.Problem = r.problem
		f.Signature = &signatureInfo{Outcome: r.outcome, Ref: r.ref, Signer: r.signer}
		if !r.signingTime.IsZero() {
			f.Signature.SigningTime = r.signingTime.Format(time.RFC3339)
		}
		f.codes, f.Pages = r.codes, r.pages
		if r.problem == "" {
			f.signedBy = r.signer
		}
		return f, nil
	}
	pages, err := scan.Decode(data)
	if err != nil {
		return f, usageErr("%s: cannot read it as a %s (%s); give the scan as a PDF, PNG, JPEG or TIFF file", name, kind, decodeReason(err))
	}
	f.Pages = len(pages)
	for _, p := range pages {
		if p.Code == "" {
			res.Unreadable = append(res.Unreadable, unreadablePage{File: name, Page: p.Number, Reason: p.Why})
			continue
		}
		c, err := provision.ParseFormCode(p.Code)
		if err != nil {
			res.Unreadable = append(res.Unreadable, unreadablePage{File: name, Page: p.Number, Reason: "its QR code is not a dccprov form's"})
			continue
		}
		e.log.Debug().Str("file", name).Int("page", p.Number).Str("ref", c.Ref).Int("rotation", p.Rotation).Float64("skew", p.Skew).Msg("form code read")
		f.codes = append(f.codes, pageCode{page: p.Number, code: c})
	}
	return f, nil
}

// readInput reads a file given on the command line; "-" is not accepted
// (a scan is a file).
func readInput(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErr("%s: cannot read it (%v)", name, pathErr(err))
	}
	return data, nil
}

// decodeReason is the short reason of a decoding error, without the
// library's own message.
func decodeReason(err error) string {
	if errors.Is(err, scan.ErrUnreadable) {
		return "damaged or not what its first bytes say"
	}
	return "unsupported content"
}

// checkReceived compares a received form with the form issued under its
// reference and sets its status.
func (e *env) checkReceived(ctx context.Context, st *store.Store, rf *receivedForm) error {
	for p := 1; p <= rf.Pages; p++ {
		if rf.found[p] {
			rf.PagesFound = append(rf.PagesFound, p)
		} else {
			rf.PagesMissing = append(rf.PagesMissing, p)
		}
	}
	if rf.PagesMissing == nil {
		rf.PagesMissing = []int{}
	}
	rf.Lines = []provision.FormRequest{}
	issued, err := st.Form(ctx, rf.Ref)
	if errors.Is(err, store.ErrUnknownForm) {
		rf.Status = receivedUnknown
		rf.Problem = fmt.Sprintf("form %s is not in %s: it was issued by another store, or its code was misread; check the reference printed on the form", rf.Ref, e.g.store)
		return nil
	}
	if err != nil {
		return err
	}
	rf.FormStatus = issued.Status
	rf.DigestOK = len(rf.digests) == 1 && rf.digests[0] == issued.Digest
	model, err := st.Model(ctx, rf.Ref)
	switch {
	case err == nil:
		rf.Lines = model.RequestLines()
	case !errors.Is(err, store.ErrNoModel):
		return err
	}
	switch {
	case !rf.DigestOK:
		rf.Status = receivedMismatch
		rf.Problem = fmt.Sprintf("form %s: the digest on the scan is not the issued form's; it is a form from an older run or it was altered; have the form printed by 'dccprov forms print %s' signed", rf.Ref, rf.Ref)
	case len(rf.PagesMissing) > 0:
		rf.Status = receivedIncomplete
		rf.Problem = fmt.Sprintf("form %s: page(s) %s of %d missing; ask the establishment for the whole signed form", rf.Ref, intList(rf.PagesMissing), rf.Pages)
	default:
		rf.Status = receivedComplete
	}
	return nil
}

// signReceived records the signature of a complete, matching, pending
// form; it says why any other is not signed.
func (e *env) signReceived(ctx context.Context, st *store.Store, rf *receivedForm, signer string, cfg *provision.Config) error {
	if rf.Status != receivedComplete {
		rf.Problem += "; not signed"
		return nil
	}
	if rf.SignedBy != "" {
		// The certificate names the signer; --signer, if given, must agree.
		if signer != "" && !sameSigner(signer, rf.SignedBy) {
			rf.Problem = fmt.Sprintf("form %s was signed electronically by %s, not by the --signer given; not signed", rf.Ref, rf.SignedBy)
			return nil
		}
		signer = rf.SignedBy
	}
	if signer == "" {
		rf.Problem = fmt.Sprintf("form %s: --sign needs --signer NAME for a scanned form; not signed", rf.Ref)
		return nil
	}
	if rf.FormStatus != store.FormPending {
		rf.Problem = fmt.Sprintf("form %s is already %s; not signed again", rf.Ref, rf.FormStatus)
		return nil
	}
	err := st.Sign(ctx, rf.Ref, signer, cfg.Operator, cfg.Date)
	switch {
	case errors.Is(err, store.ErrBeforeCreation):
		rf.Problem = fmt.Sprintf("form %s was printed after %s; not signed: give the date written on the form with --date YYYY-MM-DD", rf.Ref, cfg.Date.Format("2006-01-02"))
		return nil
	case errors.Is(err, store.ErrFormClosed):
		rf.Problem = fmt.Sprintf("form %s was decided meanwhile; not signed", rf.Ref)
		return nil
	case err != nil:
		return err
	}
	rf.Signed, rf.Status = true, receivedSigned
	return nil
}

// auditDetail is what the audit trail records of a received form: no
// personal data, only pages, digest and outcome.
func (rf *receivedForm) auditDetail() string {
	digest := "digest ok"
	if !rf.DigestOK {
		digest = "digest mismatch"
	}
	if rf.Status == receivedUnknown {
		digest = "unknown form"
	}
	signed := "not signed"
	if rf.Signed {
		signed = "signed"
	}
	return fmt.Sprintf("status %s; pages found %s of %d; missing %s; %s; %s", rf.Status, intList(rf.PagesFound), rf.Pages, intList(rf.PagesMissing), digest, signed)
}

func fileAuditDetail(f receivedFile) string {
	var parts []string
	for _, pc := range f.codes {
		parts = append(parts, fmt.Sprintf("page %d: %s %d/%d %s", pc.page, pc.code.Ref, pc.code.Page, pc.code.Pages, pc.code.Digest))
	}
	s := fmt.Sprintf("%s, %d page(s), %d with a form code", f.Kind, f.Pages, len(f.codes))
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, "; ")
	}
	if f.Signature != nil {
		// The outcome only: the signer's name is personal data.
		s += "; signature " + f.Signature.Outcome
	}
	if f.Problem != "" {
		s += "; refused: " + f.Problem
	}
	return s
}

func intList(ns []int) string {
	if len(ns) == 0 {
		return "none"
	}
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// printReceived prints the result for the operator, like `forms list`.
func printReceived(w io.Writer, res receiveResult) {
	for i, f := range res.Forms {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s  pages found %s of %d, missing %s", f.Ref, f.Status, intList(f.PagesFound), f.Pages, intList(f.PagesMissing))
		if f.Status != receivedUnknown {
			if f.DigestOK {
				fmt.Fprint(w, ", digest ok")
			} else {
				fmt.Fprint(w, ", digest mismatch")
			}
			fmt.Fprintf(w, ", form %s", f.FormStatus)
		}
		fmt.Fprintln(w)
		if f.Problem != "" {
			fmt.Fprintf(w, "  %s\n", f.Problem)
		}
		for _, l := range f.Lines {
			fmt.Fprintf(w, "  %3d  %s %s  %s\n", l.Line, l.BirthName, l.FirstName, l.Code)
		}
	}
	for _, u := range res.Unreadable {
		fmt.Fprintf(w, "%s page %d: %s; scan it again (150 dpi or more, the QR code at the top right not cut off)\n", u.File, u.Page, u.Reason)
	}
	for _, f := range res.Files {
		switch {
		case f.Problem != "":
			fmt.Fprintf(w, "%s: %s\n", f.File, f.Problem)
		case f.Signature != nil:
			fmt.Fprintf(w, "%s: form %s signed electronically by %s", f.File, f.Signature.Ref, f.Signature.Signer)
			if f.Signature.SigningTime != "" {
				fmt.Fprintf(w, " on %s", f.Signature.SigningTime)
			}
			if f.Signature.Outcome == signatureRewritten {
				fmt.Fprintln(w, ", signature valid; the signing service rewrote the file: the form was recognised by its text (reference, digest, pages and every request)")
			} else {
				fmt.Fprintln(w, ", signature valid")
			}
		}
	}
}

// sameSigner tells whether the --signer given names the certificate's
// signer: the same words, case and spacing aside.
func sameSigner(given, cert string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(given), " "), strings.Join(strings.Fields(cert), " "))
}
