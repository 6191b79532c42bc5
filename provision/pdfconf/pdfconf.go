// Package pdfconf gives the pdfcpu configuration every reader of PDFs in
// dccprov uses (returned scans in provision/scan, signed forms in
// provision/pades), so that neither depends on the other for it.
package pdfconf

import (
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

var disableConfigDir sync.Once

// Config is pdfcpu's default configuration without its per-user
// configuration folder: left on, pdfcpu writes ~/.config/pdfcpu on first
// use and panics where it cannot.
func Config() *model.Configuration {
	disableConfigDir.Do(api.DisableConfigDir)
	return model.NewDefaultConfiguration()
}
