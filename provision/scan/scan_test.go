package scan_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/scan"
	"github.com/dccprov/dccprov/provision/scan/scantest"
	"github.com/dccprov/dccprov/templates"
	"golang.org/x/image/tiff"
)

// needPdftoppm skips without poppler-utils, except under CI=true.
func needPdftoppm(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftoppm not found: install poppler-utils")
		}
		t.Skip("pdftoppm not found: install poppler-utils to run this test")
	}
}

// bigForm is a form of 30 people with two requests each: three pages.
func bigForm() provision.Form {
	f := provision.Form{Establishment: provision.Establishment{FINESS: "010000016", Name: "Centre hospitalier d’Exemple"}, Date: "2026-01-15"}
	for i := range 30 {
		f.Lines = append(f.Lines, provision.FormLine{
			UID: fmt.Sprintf("p%02d.nom", i), BirthName: fmt.Sprintf("NOM%02d", i), FirstName: "Prénom", Profession: "Médecin",
			Habilitations: []provision.Coded{{Code: "COORDONNATEUR_RCP", Label: "Coordonnateur de RCP"}, {Code: "ACCES_ETENDU", Label: "Accès étendu"}},
		})
	}
	f.Requests = 60
	f.Digest = provision.FormDigest(f)
	f.Ref = "F-010000016-20260115-" + f.Digest[:6]
	return f
}

var (
	pagesOnce sync.Once
	pages     []*image.Gray
	pagesErr  error
)

// scanned returns the pages of bigForm as pdftoppm -r 150 -gray renders them.
func scanned(t testing.TB) (provision.Form, []*image.Gray) {
	t.Helper()
	needPdftoppm(t)
	f := bigForm()
	pagesOnce.Do(func() {
		cfg := &provision.Config{Templates: templates.FS, Date: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
		pdf, err := renderPDF(f, cfg)
		if err != nil {
			pagesErr = err
			return
		}
		dir, err := os.MkdirTemp("", "scan-test")
		if err != nil {
			pagesErr = err
			return
		}
		defer os.RemoveAll(dir)
		pages, pagesErr = scantest.Rasterise(pdf, 150, dir)
	})
	if pagesErr != nil {
		t.Fatal(pagesErr)
	}
	if len(pages) != 3 {
		t.Fatalf("form of 30 people rasterised to %d pages; want 3", len(pages))
	}
	return f, pages
}

func renderPDF(f provision.Form, cfg *provision.Config) ([]byte, error) {
	var b bytesBuffer
	err := provision.WriteFormPDF(&b, f, cfg)
	return b.data, err
}

type bytesBuffer struct{ data []byte }

func (b *bytesBuffer) Write(p []byte) (int, error) { b.data = append(b.data, p...); return len(p), nil }

// TestDecodeRotations decodes a noisy 150 dpi page turned each way,
// and slightly skewed: the code, and how far the page was turned, are found.
func TestDecodeRotations(t *testing.T) {
	t.Parallel()
	f, pages := scanned(t)
	tests := []struct {
		deg     float64
		wantRot int
	}{
		{0, 0}, {90, 90}, {180, 180}, {270, 270}, {2, 0}, {-2, 0}, {182, 180},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.deg), func(t *testing.T) {
			t.Parallel()
			img := scantest.Soil(scantest.Turn(pages[1], tt.deg), uint64(tt.deg+400), 14)
			got, err := scan.Decode(scantest.PNG(img))
			if err != nil {
				t.Fatal(err)
			}
			want := provision.FormCode{Ref: f.Ref, Page: 2, Pages: 3, Digest: f.Digest}.String()
			if len(got) != 1 || got[0].Code != want || got[0].Number != 1 || got[0].Rotation != tt.wantRot {
				t.Errorf("Decode(page 2 turned %v°) = %+v; want one page 1 with %q, rotation %d", tt.deg, got, want, tt.wantRot)
			}
		})
	}
}

// TestDecodePDF decodes a scanned PDF whose pages are out of order, one
// upside down, with a blank page: every page is returned, the blank one
// without a code.
func TestDecodePDF(t *testing.T) {
	t.Parallel()
	f, pages := scanned(t)
	blank := image.NewGray(pages[0].Bounds())
	for i := range blank.Pix {
		blank.Pix[i] = 250
	}
	pdf, err := scantest.WrapPDF([]*image.Gray{
		scantest.Soil(pages[2], 1, 12), scantest.Soil(blank, 2, 12), scantest.Soil(scantest.Turn(pages[0], 180), 3, 12),
	})
	if err != nil {
		t.Fatal(err)
	}
	if k := scan.Classify(pdf); k != scan.PDF {
		t.Errorf("Classify(scanned PDF) = %v; want pdf", k)
	}
	got, err := scan.Decode(pdf)
	if err != nil {
		t.Fatal(err)
	}
	code := func(p int) string {
		return provision.FormCode{Ref: f.Ref, Page: p, Pages: 3, Digest: f.Digest}.String()
	}
	want := []scan.Page{{Number: 1, Code: code(3)}, {Number: 2, Why: scan.WhyNoCode}, {Number: 3, Code: code(1), Rotation: 180}}
	if len(got) != len(want) {
		t.Fatalf("Decode(3-page scan) = %d pages %+v; want 3", len(got), got)
	}
	for i := range want {
		g := got[i]
		g.Skew = 0
		if g != want[i] {
			t.Errorf("page %d = %+v; want %+v", i+1, got[i], want[i])
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		data string
		want scan.Kind
	}{
		{"%PDF-1.7\n1 0 obj<</Type/Sig/ByteRange[0 10 20 30]>>", scan.SignedPDF},
		{"%PDF-1.4\n%…", scan.PDF},
		{"\x89PNG\r\n\x1a\nrest", scan.Image},
		{"\xff\xd8\xff\xe0", scan.Image},
		{"II*\x00", scan.Image},
		{"MM\x00*", scan.Image},
		{"PK\x03\x04", scan.Unsupported},
		{"", scan.Unsupported},
	}
	for _, tt := range tests {
		if got := scan.Classify([]byte(tt.data)); got != tt.want {
			t.Errorf("Classify(%q) = %v; want %v", tt.data, got, tt.want)
		}
	}
}

func TestDecodeBad(t *testing.T) {
	t.Parallel()
	if _, err := scan.Decode([]byte("PK\x03\x04")); err != scan.ErrUnsupported {
		t.Errorf("Decode(zip) = %v; want ErrUnsupported", err)
	}
	for _, data := range []string{"%PDF-1.4\ngarbage", "\x89PNG\r\n\x1a\ntruncated"} {
		if _, err := scan.Decode([]byte(data)); err == nil {
			t.Errorf("Decode(%q) = nil error; want unreadable", data)
		}
	}
}

// TestDecodeFormats reads the same page as PNG, JPEG and TIFF.
func TestDecodeFormats(t *testing.T) {
	t.Parallel()
	f, pages := scanned(t)
	page := scantest.Soil(pages[0], 7, 12)
	var jpg, tif bytes.Buffer
	if err := jpeg.Encode(&jpg, page, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tif, page, &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	want := provision.FormCode{Ref: f.Ref, Page: 1, Pages: 3, Digest: f.Digest}.String()
	for name, data := range map[string][]byte{"png": scantest.PNG(page), "jpeg": jpg.Bytes(), "tiff": tif.Bytes()} {
		got, err := scan.Decode(data)
		if err != nil || len(got) != 1 || got[0].Code != want {
			t.Errorf("Decode(%s) = %+v, %v; want one page with %q", name, got, err, want)
		}
	}
}

// TestDecodePrinted reads the form as dccprov printed it, not scanned: its
// QR codes are drawn, not images, so every page is returned without a code
// and says why.
func TestDecodePrinted(t *testing.T) {
	t.Parallel()
	pdf, err := renderPDF(bigForm(), &provision.Config{Templates: templates.FS, Date: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := scan.Decode(pdf)
	if err != nil {
		t.Fatal(err)
	}
	want := []scan.Page{{Number: 1, Why: scan.WhyNoImage}, {Number: 2, Why: scan.WhyNoImage}, {Number: 3, Why: scan.WhyNoImage}}
	if !slices.Equal(got, want) {
		t.Errorf("Decode(printed form) = %+v; want %+v", got, want)
	}
}

// TestDecodeDamaged checks that a PDF pdfcpu cannot read is unreadable,
// not a file of no pages.
func TestDecodeDamaged(t *testing.T) {
	t.Parallel()
	for _, data := range [][]byte{[]byte("%PDF-1.4\nnot a PDF at all\n"), []byte("%PDF-1.7\n%%EOF\n")} {
		if pages, err := scan.Decode(data); !errors.Is(err, scan.ErrUnreadable) {
			t.Errorf("Decode(%q) = %+v, %v; want ErrUnreadable", data, pages, err)
		}
	}
}
