package scan_test

import (
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"testing"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/scan"
	"github.com/dccprov/dccprov/provision/scan/scantest"
)

// TestDecodeSkew decodes a noisy 150 dpi page skewed by −6° … +6°, in
// steps of 1°, around each quarter turn, as a page laid on a scanner by
// hand is: every one gives the right code, the quarter turn and the skew
// (to a degree: it is measured on the finder patterns' centres). Under
// -short, every other angle is tried.
func TestDecodeSkew(t *testing.T) {
	t.Parallel()
	f, pages := scanned(t)
	want := provision.FormCode{Ref: f.Ref, Page: 2, Pages: 3, Digest: f.Digest}.String()
	for _, rot := range []int{0, 90, 180, 270} {
		for skew := -6; skew <= 6; skew++ {
			if testing.Short() && (skew+rot/90)%2 != 0 {
				continue
			}
			if raceEnabled() && (rot != 90 || skew != -6 && skew != 6) {
				continue // make test runs the whole table once more without -race
			}
			deg := float64(rot + skew)
			t.Run(fmt.Sprintf("%d%+d", rot, skew), func(t *testing.T) {
				t.Parallel()
				img := scantest.Soil(scantest.Turn(pages[1], deg), uint64(rot*100+skew+50), 14)
				got, err := scan.Decode(scantest.PNG(img))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0].Code != want || got[0].Rotation != rot || math.Abs(got[0].Skew-float64(skew)) > 1 {
					t.Errorf("Decode(page 2 turned %v°) = %+v; want the code %q, rotation %d, skew %d±1", deg, got, want, rot, skew)
				}
			})
		}
	}
}

// raceEnabled says whether the test binary was built with -race, under
// which image work is some ten times slower.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	return ok && slices.ContainsFunc(bi.Settings, func(s debug.BuildSetting) bool { return s.Key == "-race" && s.Value == "true" })
}
