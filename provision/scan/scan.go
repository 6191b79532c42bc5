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
	"math"

	"github.com/dccprov/dccprov/provision/pdfconf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
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

func decodePDF(data []byte) (pages []Page, err error) {
	defer func() {
		// pdfcpu may panic on a damaged file: that is an unreadable file.
		if r := recover(); r != nil {
			pages, err = nil, fmt.Errorf("%w: damaged PDF", ErrUnreadable)
		}
	}()
	conf := pdfconf.Config()
	conf.ValidationMode = model.ValidationRelaxed
	// With no page selection ExtractImagesRaw returns one map per page,
	// every page: the page count comes with it, without reading and
	// validating the file a second time as api.PageCount would.
	imgs, err := api.ExtractImagesRaw(bytes.NewReader(data), nil, conf)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	n := len(imgs)
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

// decodeImage looks for a QR code in img, trying harder each time (see
// [attempts]): the first attempt that decodes wins.
func decodeImage(img image.Image) Page {
	g := toGray(img)
	for a := range attempts(g) {
		if r := try(a.img, a.global); r != nil {
			rot, skew := orientation(r.GetResultPoints(), a.deskew)
			rot = (rot + 90*a.turns) % 360
			return Page{Code: r.GetText(), Rotation: rot, Skew: skew}
		}
	}
	return Page{}
}

var hints = map[gozxing.DecodeHintType]any{
	gozxing.DecodeHintType_TRY_HARDER:       true,
	gozxing.DecodeHintType_POSSIBLE_FORMATS: []gozxing.BarcodeFormat{gozxing.BarcodeFormat_QR_CODE},
}

// try decodes one image, binarised locally (HybridBinarizer) or with one
// global threshold.
func try(g *image.Gray, global bool) *gozxing.Result {
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

// An attempt is one image to decode.
type attempt struct {
	img    *image.Gray
	turns  int     // quarter turns counterclockwise applied to the page
	deskew float64 // degrees img was turned counterclockwise to undo a skew
	global bool    // binarise with one global threshold
}

// deskews are the angles tried, in order, on a corner where the code was
// not read as it is: a page laid on a scanner by hand is often 3–5° off.
var deskews = []float64{1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6}

// attempts yields the images to decode, cheapest and likeliest first:
//
//  1. the corner where a form's code is printed, for each way the page
//     may be turned (a page's top right: the image's top right or bottom
//     left when it is portrait, bottom right or top left when landscape),
//     as scanned, binarised locally then globally: a clean page is read
//     here, on a ninth of the page;
//  2. the whole page, then turned by each quarter turn, then halved and
//     binarised locally and globally: a code printed elsewhere;
//  3. the two likeliest corners turned back by ±1° … ±6° (bilinear), binarised locally
//     and globally. gozxing's detector looks for the 1:1:3:1:1 runs of a
//     finder pattern along rows, then checks them down the column and
//     along the diagonal, each within half a module; at 150 dpi a module
//     is about 5 pixels, and on a skewed, noisy code one of the three
//     finder patterns often fails a check ("startSize = 2": only two
//     found). Which angle and which threshold let all three through
//     varies from page to page, so several are tried.
func attempts(g *image.Gray) func(func(attempt) bool) {
	return func(yield func(attempt) bool) {
		corners := codeCorners(g)
		for _, global := range []bool{false, true} {
			for _, c := range corners {
				if !yield(attempt{img: c, global: global}) {
					return
				}
			}
		}
		r := g
		for turns := range 4 {
			if turns > 0 {
				r = rotate90(r)
			}
			if !yield(attempt{img: r, turns: turns}) {
				return
			}
		}
		half := halve(g)
		for _, global := range []bool{false, true} {
			if !yield(attempt{img: half, global: global}) {
				return
			}
		}
		// Only the two corners the image's shape points to: the others
		// are there for a page scanned across, rare enough not to double
		// the time spent on a page with no code.
		for _, d := range deskews {
			for _, c := range corners[:2] {
				t := turn(c, d)
				for _, global := range []bool{false, true} {
					if !yield(attempt{img: t, deskew: d, global: global}) {
						return
					}
				}
			}
		}
	}
}

// Where a form's code is: its top right, within this share of the page's
// width and height, with room for a page skewed or off-centre.
const (
	cornerWidth  = 0.42
	cornerHeight = 0.26
)

// codeCorners cuts out of g the four corners where a form's code may be,
// the likeliest first: for a portrait image, the top right (upright) and
// bottom left (upside down); for a landscape one, the bottom right
// (turned a quarter clockwise) and top left (counterclockwise).
func codeCorners(g *image.Gray) []*image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	// Sizes across and down the page, whichever way it lies.
	pw, ph := int(cornerWidth*float64(w)), int(cornerHeight*float64(h))
	lw, lh := int(cornerHeight*float64(w)), int(cornerWidth*float64(h))
	portrait := []image.Rectangle{
		image.Rect(w-pw, 0, w, ph), image.Rect(0, h-ph, pw, h),
	}
	landscape := []image.Rectangle{
		image.Rect(w-lw, h-lh, w, h), image.Rect(0, 0, lw, lh),
	}
	rects := append(portrait, landscape...)
	if w > h {
		rects = append(landscape, portrait...)
	}
	var out []*image.Gray
	for _, r := range rects {
		out = append(out, crop(g, r.Add(b.Min)))
	}
	return out
}

// crop copies r of g into a new image whose origin is (0, 0).
func crop(g *image.Gray, r image.Rectangle) *image.Gray {
	r = r.Intersect(g.Bounds())
	c := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := range r.Dy() {
		copy(c.Pix[y*c.Stride:y*c.Stride+r.Dx()], g.Pix[g.PixOffset(r.Min.X, r.Min.Y+y):])
	}
	return c
}

// turn turns g counterclockwise by deg about its centre (bilinear); what
// comes from outside g is white.
func turn(g *image.Gray, deg float64) *image.Gray {
	w, h := float64(g.Bounds().Dx()), float64(g.Bounds().Dy())
	out := image.NewGray(g.Bounds())
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	// Image y grows downwards: the usual rotation matrix turns clockwise
	// on the page, so the angle is negated.
	sin, cos := math.Sincos(-deg * math.Pi / 180)
	cx, cy := w/2, h/2
	// dst = R·(src − c) + c
	m := f64.Aff3{
		cos, -sin, cx - (cos*cx - sin*cy),
		sin, cos, cy - (sin*cx + cos*cy),
	}
	xdraw.BiLinear.Transform(out, m, g, g.Bounds(), xdraw.Src, nil)
	return out
}

// orientation tells from the finder patterns (bottom left, top left, top
// right) how far the code, hence the page, is turned clockwise.
// deskew is how far the image the points are on was turned back
// counterclockwise: the page is turned that much more.
func orientation(pts []gozxing.ResultPoint, deskew float64) (rotation int, skew float64) {
	if len(pts) < 3 {
		return 0, 0
	}
	tl, tr := pts[1], pts[2]
	// Image y grows downwards: an upright code has angle 0, a page
	// turned a quarter clockwise has its top edge pointing down (90).
	a := math.Atan2(tr.GetY()-tl.GetY(), tr.GetX()-tl.GetX())*180/math.Pi + deskew
	a = math.Mod(a+720, 360)
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
