//go:build !race

package xlsxwriter

const raceEnabled = false
