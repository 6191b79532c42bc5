// Package scan finds and decodes the QR codes of returned signature forms
// in scanned PDFs and images (PNG, JPEG, TIFF). It knows nothing of forms:
// it returns, per page, the text of the QR code found, if any.
package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // scans arrive as JPEG
	_ "image/png"
	"io"
	"math"
	"sync"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	_ "golang.org/x/image/tiff" // and as TIFF from office scanners
)

// Kind is what an input file is.
type Kind int

const (
	Unsupported Kind = iota
	Image            // PNG, JPEG or TIFF
	PDF              // a PDF with no signature: a scan, images inside
	SignedPDF        // a PDF carrying a signature dictionary (/ByteRange)
)

func (k Kind) String() string {
	switch k {
	case Image:
		return "image"
	case PDF:
		return "pdf"
	case SignedPDF:
		return "signed-pdf"
	}
	return "unsupported"
}

// Classify tells the kind of data by its first bytes (and, for a PDF,
// whether it carries a signature dictionary).
func Classify(data []byte) Kind {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		if bytes.Contains(data, []byte("/ByteRange")) {
			return SignedPDF
		}
		return PDF
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(data, []byte("\xff\xd8\xff")),
		bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return Image
	}
	return Unsupported
}

// Page is one page of a scanned file.
type Page struct {
	Number int    // from 1 within the file (an image file is page 1)
	Code   string // the text of the QR code; "" when none could be read
	// Rotation is how far the page was turned, clockwise in degrees
	// (0, 90, 180 or 270), as the QR code's finder patterns show it;
	// Skew is the remaining angle in degrees.
	Rotation int
	Skew     float64
	// Why says, when Code is "", why: no image on the page, an image in a
	// format that cannot be read, or no QR code found on it.
	Why string
}

// Why a page has no code.
const (
	WhyNoImage     = "the page holds no scanned image (a PDF as printed, not a scan)"
	WhyImageFormat = "its image is in a format dccprov cannot read (JPEG 2000 or JBIG2)"
	WhyNoCode      = "no QR code could be read"
)

// ErrUnsupported is returned by [Decode] for data that is neither a PDF
// nor a PNG, JPEG or TIFF image.
var ErrUnsupported = errors.New("not a PDF, PNG, JPEG or TIFF file")

// ErrUnreadable wraps what makes a file of a supported kind unreadable.
var ErrUnreadable = errors.New("unreadable file")

// Decode returns the pages of data (a PDF or an image) with the QR code
// found on each. A PDF page without an image, or whose images carry no
// readable code, is returned with an empty Code: no page is left out.
func Decode(data []byte) ([]Page, error) {
	switch Classify(data) {
	case Image:
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		p := decodeImage(img)
		p.Number = 1
		if p.Code == "" {
			p.Why = WhyNoCode
		}
		return []Page{p}, nil
	case PDF, SignedPDF:
		return decodePDF(data)
	}
	return nil, ErrUnsupported
}

var disableConfigDir sync.Once

// PDFConfig is pdfcpu's default configuration without its per-user
// configuration folder: left on, pdfcpu writes ~/.config/pdfcpu on first
// use and panics where it cannot.
func PDFConfig() *model.Configuration {
	disableConfigDir.Do(api.DisableConfigDir)
	return model.NewDefaultConfiguration()
}

func decodePDF(data []byte) (pages []Page, err error) {
	defer func() {
		// pdfcpu may panic on a damaged file: that is an unreadable file.
		if r := recover(); r != nil {
			pages, err = nil, fmt.Errorf("%w: damaged PDF", ErrUnreadable)
		}
	}()
	conf := PDFConfig()
	conf.ValidationMode = model.ValidationRelaxed
	rs := bytes.NewReader(data)
	n, err := api.PageCount(rs, conf)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	imgs, err := api.ExtractImagesRaw(rs, nil, conf)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	byPage := map[int][]model.Image{}
	for _, m := range imgs {
		for _, im := range m {
			byPage[im.PageNr] = append(byPage[im.PageNr], im)
		}
	}
	for nr := 1; nr <= n; nr++ {
		p := Page{Number: nr, Why: WhyNoImage}
		for _, im := range byPage[nr] {
			img, _, err := image.Decode(im)
			if err != nil {
				// An image Go cannot read: the page may have another.
				if p.Why == WhyNoImage {
					p.Why = WhyImageFormat
				}
				continue
			}
			p.Why = WhyNoCode
			if q := decodeImage(img); q.Code != "" {
				p.Code, p.Rotation, p.Skew, p.Why = q.Code, q.Rotation, q.Skew, ""
				break
			}
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// decodeImage looks for a QR code in img, trying harder each time: the
// whole image, then each rotation by a quarter turn, then the image halved
// and binarised with one global threshold.
func decodeImage(img image.Image) Page {
	g := toGray(img)
	hints := map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_TRY_HARDER:       true,
		gozxing.DecodeHintType_POSSIBLE_FORMATS: []gozxing.BarcodeFormat{gozxing.BarcodeFormat_QR_CODE},
	}
	try := func(g *image.Gray, global bool) *gozxing.Result {
		src := gozxing.NewLuminanceSourceFromImage(g)
		var bin gozxing.Binarizer = gozxing.NewHybridBinarizer(src)
		if global {
			bin = gozxing.NewGlobalHistgramBinarizer(src)
		}
		bmp, err := gozxing.NewBinaryBitmap(bin)
		if err != nil {
			return nil
		}
		r, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err != nil {
			return nil
		}
		return r
	}
	type attempt struct {
		img    *image.Gray
		turns  int // quarter turns counterclockwise applied to img
		global bool
	}
	attempts := func(yield func(attempt) bool) {
		r := g
		for turns := range 4 {
			if turns > 0 {
				r = rotate90(r)
			}
			if !yield(attempt{r, turns, false}) {
				return
			}
		}
		half := halve(g)
		for _, global := range []bool{false, true} {
			if !yield(attempt{half, 0, global}) {
				return
			}
		}
	}
	for a := range attempts {
		if r := try(a.img, a.global); r != nil {
			rot, skew := orientation(r.GetResultPoints())
			rot = (rot + 90*a.turns) % 360
			return Page{Code: r.GetText(), Rotation: rot, Skew: skew}
		}
	}
	return Page{}
}

// orientation tells from the finder patterns (bottom left, top left, top
// right) how far the code, hence the page, is turned clockwise.
func orientation(pts []gozxing.ResultPoint) (rotation int, skew float64) {
	if len(pts) < 3 {
		return 0, 0
	}
	tl, tr := pts[1], pts[2]
	// Image y grows downwards: an upright code has angle 0, a page
	// turned a quarter clockwise has its top edge pointing down (90).
	a := math.Atan2(tr.GetY()-tl.GetY(), tr.GetX()-tl.GetX()) * 180 / math.Pi
	if a < 0 {
		a += 360
	}
	q := int(math.Round(a/90)) % 4
	skew = a - float64(q*90)
	if skew > 180 {
		skew -= 360
	}
	return q * 90, math.Round(skew*10) / 10
}

func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	return g
}

// rotate90 turns g a quarter counterclockwise.
func rotate90(g *image.Gray) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	r := image.NewGray(image.Rect(0, 0, h, w))
	for y := range h {
		row := g.Pix[(y)*g.Stride:]
		for x := range w {
			// (x, y) goes to (y, w-1-x).
			r.Pix[(w-1-x)*r.Stride+y] = row[x]
		}
	}
	return r
}

// halve scales g down by two, averaging each 2×2 block: it smooths the
// noise of a scan and makes the modules of a large code easier to find.
func halve(g *image.Gray) *image.Gray {
	w, h := g.Bounds().Dx()/2, g.Bounds().Dy()/2
	r := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		a, b := g.Pix[2*y*g.Stride:], g.Pix[(2*y+1)*g.Stride:]
		for x := range w {
			r.Pix[y*r.Stride+x] = uint8((int(a[2*x]) + int(a[2*x+1]) + int(b[2*x]) + int(b[2*x+1]) + 2) / 4)
		}
	}
	return r
}
