package scan_test

import (
	"image"
	"testing"

	"github.com/dccprov/dccprov/provision/scan"
	"github.com/dccprov/dccprov/provision/scan/scantest"
)

// BenchmarkDecode measures the decoding of one 150 dpi page: clean and
// upright (the common case), skewed by 5° and turned a quarter (tried
// late), and blank (every attempt fails: the worst case).
func BenchmarkDecode(b *testing.B) {
	_, pages := scanned(b)
	blank := image.NewGray(pages[1].Bounds())
	for i := range blank.Pix {
		blank.Pix[i] = 250
	}
	for _, bc := range []struct {
		name string
		img  *image.Gray
	}{
		{"clean", scantest.Soil(pages[1], 1, 4)},
		{"noisy-95deg", scantest.Soil(scantest.Turn(pages[1], 95), 2, 14)},
		{"blank", scantest.Soil(blank, 3, 14)},
	} {
		data := scantest.PNG(bc.img)
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := scan.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
