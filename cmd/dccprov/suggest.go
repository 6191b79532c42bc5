package main

import (
	"strings"
)

// nearest returns the name of names closest to s, for a "did you mean"
// answer: one that s is a prefix of, else one within a small edit distance
// (1 up to 4 letters, 2 beyond, transpositions counting 1), else "".
func nearest(s string, names []string) string {
	s = strings.ToLower(strings.TrimLeft(s, "-"))
	if s == "" {
		return ""
	}
	best, bestD := "", 3
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), s) && len(s) >= 2 {
			return n
		}
		limit := 2
		if len(s) <= 4 {
			limit = 1
		}
		if d := editDistance(s, strings.ToLower(n)); d <= limit && d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// didYouMean is "; did you mean X?" for the nearest of names, or "".
func didYouMean(s string, names []string, prefix string) string {
	if n := nearest(s, names); n != "" {
		return "; did you mean " + prefix + n + "?"
	}
	return ""
}

// editDistance is the optimal string alignment distance of a and b, by
// bytes (names here are ASCII).
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
