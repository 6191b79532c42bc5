// Package scantest makes scans of printed forms for tests: it rasterises
// a PDF with pdftoppm as a 150 dpi greyscale scanner would, turns, skews
// and soils the pages, and wraps images in a PDF as a scanner does.
package scantest

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dccprov/dccprov/provision/pdfconf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/skip2/go-qrcode"
)

// Rasterise renders every page of pdf at dpi in greyscale with pdftoppm
// (poppler-utils), working in dir.
func Rasterise(pdf []byte, dpi int, dir string) ([]*image.Gray, error) {
	in := filepath.Join(dir, "form.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return nil, err
	}
	prefix := filepath.Join(dir, "page")
	out, err := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-gray", "-png", in, prefix).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pdftoppm: %v: %s", err, out)
	}
	names, err := filepath.Glob(prefix + "-*.png")
	if err != nil {
		return nil, err
	}
	slices.Sort(names) // page-1.png … page-9.png: pdftoppm pads to the page count's digits
	var pages []*image.Gray
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			return nil, err
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		// pdftoppm -gray -png may still write an RGBA PNG.
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
		pages = append(pages, g)
	}
	return pages, nil
}

// Turn rotates g clockwise by deg: by the nearest quarter turns, exactly,
// then by the rest, a skew (nearest neighbour). A skewed page is laid on a
// larger white scanner bed, so that none of it is cut off.
func Turn(g *image.Gray, deg float64) *image.Gray {
	q := int(math.Round(deg / 90))
	for range ((q % 4) + 4) % 4 {
		g = quarter(g)
	}
	if rest := deg - float64(q*90); math.Abs(rest) > 1e-9 {
		g = skew(g, rest)
	}
	return g
}

// quarter turns g a quarter clockwise.
func quarter(g *image.Gray) *image.Gray {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	r := image.NewGray(image.Rect(0, 0, h, w))
	for y := range h {
		for x := range w {
			// (x, y) goes to (h-1-y, x).
			r.Pix[x*r.Stride+h-1-y] = g.Pix[y*g.Stride+x]
		}
	}
	return r
}

// skew turns g clockwise by deg, on an image large enough to hold it
// all, white around.
func skew(g *image.Gray, deg float64) *image.Gray {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	sin, cos := math.Sincos(deg * math.Pi / 180)
	as, ac := math.Abs(sin), math.Abs(cos)
	rw, rh := int(math.Ceil(float64(w)*ac+float64(h)*as)), int(math.Ceil(float64(w)*as+float64(h)*ac))
	r := image.NewGray(image.Rect(0, 0, rw, rh))
	cx, cy := float64(w)/2, float64(h)/2
	rcx, rcy := float64(rw)/2, float64(rh)/2
	for y := range rh {
		for x := range rw {
			// The source of (x, y) is (x, y) turned back by deg.
			dx, dy := float64(x)-rcx, float64(y)-rcy
			sx, sy := int(math.Round(cx+dx*cos+dy*sin)), int(math.Round(cy-dx*sin+dy*cos))
			v := uint8(255)
			if sx >= 0 && sx < w && sy >= 0 && sy < h {
				v = g.Pix[sy*g.Stride+sx]
			}
			r.Pix[y*r.Stride+x] = v
		}
	}
	return r
}

// Soil adds scanner noise to a copy of g: grey paper, a random offset on
// every pixel of up to ±amount, and a speck on one pixel in 500.
func Soil(g *image.Gray, seed uint64, amount int) *image.Gray {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	r := image.NewGray(g.Bounds())
	for i, v := range g.Pix {
		n := int(v)*9/10 + 12 + rng.IntN(2*amount+1) - amount
		if rng.IntN(500) == 0 {
			n = 255 - n
		}
		r.Pix[i] = uint8(min(max(n, 0), 255))
	}
	return r
}

// CodePage is a white A4 page at 150 dpi with a QR code of text at the top
// right, 30 mm wide like a form's; no code when text is "".
func CodePage(text string) (*image.Gray, error) {
	g := image.NewGray(image.Rect(0, 0, 1240, 1754))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	if text == "" {
		return g, nil
	}
	q, err := qrcode.New(text, qrcode.High)
	if err != nil {
		return nil, err
	}
	q.DisableBorder = true
	img := q.Image(177)
	r := image.Rect(1240-89-177, 47, 1240-89, 47+177)
	draw.Draw(g, r, img, img.Bounds().Min, draw.Src)
	return g, nil
}

// PNG encodes g.
func PNG(g image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, g); err != nil {
		panic(err) // in memory, an image.Gray: cannot fail
	}
	return b.Bytes()
}

// WrapPDF makes one PDF of the pages, one page per image, each stored as
// a JPEG as scanners do.
func WrapPDF(pages []*image.Gray) ([]byte, error) {
	var readers []io.Reader
	for _, p := range pages {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, p, &jpeg.Options{Quality: 80}); err != nil {
			return nil, err
		}
		readers = append(readers, &b)
	}
	imp := api.DefaultImportConfig()
	var out bytes.Buffer
	if err := api.ImportImages(nil, &out, readers, imp, pdfconf.Config()); err != nil {
		return nil, fmt.Errorf("wrapping images in a PDF: %w", err)
	}
	return out.Bytes(), nil
}

// Scan is `scanform`'s work: it rasterises the printed PDFs named in
// specs and writes the pages picked to out (.pdf: one page each; .png:
// the one page). A spec is FILE.pdf[:PAGE[@DEG]][,PAGE[@DEG]…]: all pages
// upright when none is given; DEG turns the page clockwise, noise is
// always added. The spec "blank" is an empty page, and "code:TEXT" an A4
// page with only a QR code of TEXT at the top right (a forged or foreign
// code).
func Scan(out string, specs []string, dir string) error {
	var pages []*image.Gray
	for i, spec := range specs {
		if spec == "blank" || strings.HasPrefix(spec, "code:") {
			p, err := CodePage(strings.TrimPrefix(spec, "code:"))
			if spec == "blank" {
				p, err = CodePage("")
			}
			if err != nil {
				return err
			}
			pages = append(pages, Soil(p, uint64(len(pages)), 12))
			continue
		}
		file, sel, _ := strings.Cut(spec, ":")
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		sub := filepath.Join(dir, fmt.Sprint(i))
		if err := os.MkdirAll(sub, 0o700); err != nil {
			return err
		}
		all, err := Rasterise(data, 150, sub)
		if err != nil {
			return err
		}
		if sel == "" {
			for _, p := range all {
				pages = append(pages, Soil(p, uint64(len(pages)), 12))
			}
			continue
		}
		for item := range strings.SplitSeq(sel, ",") {
			var n int
			var deg float64
			num, d, ok := strings.Cut(item, "@")
			if _, err := fmt.Sscan(num, &n); err != nil || n < 1 || n > len(all) {
				return fmt.Errorf("%s: no page %q", file, num)
			}
			if ok {
				if _, err := fmt.Sscan(d, &deg); err != nil {
					return fmt.Errorf("%s: bad angle %q", file, d)
				}
			}
			pages = append(pages, Soil(Turn(all[n-1], deg), uint64(len(pages)), 12))
		}
	}
	var data []byte
	switch filepath.Ext(out) {
	case ".png":
		if len(pages) != 1 {
			return fmt.Errorf("%s: a PNG holds one page, not %d", out, len(pages))
		}
		data = PNG(pages[0])
	default:
		var err error
		if data, err = WrapPDF(pages); err != nil {
			return err
		}
	}
	return os.WriteFile(out, data, 0o600)
}
