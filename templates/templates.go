// Package templates holds the data dccprov embeds: the habilitation
// catalogue, the nomenclatures, the synonyms of headers (headers.yaml),
// professions (professions.yaml) and login modes (login-modes.yaml), the
// form text and the font. Files here are data an operator may edit; the
// binary carries them so it needs nothing else at run time.
package templates

import "embed"

// FS is the embedded content of this folder.
//
//go:embed *.yaml *.txt reference/*.csv fonts/*.ttf
var FS embed.FS
