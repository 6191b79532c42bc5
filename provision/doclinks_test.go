package provision

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// mdLink finds the target of a Markdown link or image, [text](target) or
// [text](target "title").
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// mdCodeSpan is an inline code span, whose brackets are not links.
var mdCodeSpan = regexp.MustCompile("`[^`]*`")

// TestDocLinks checks that every relative link of README.md and docs/*.md
// names a file that exists and, when it has a #fragment into a Markdown
// file, a heading of that file.
func TestDocLinks(t *testing.T) {
	t.Parallel()
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{filepath.Join("..", "README.md")}, docs...)
	if len(files) < 3 {
		t.Fatalf("found only %v: the README and the docs folder have moved", files)
	}
	anchors := map[string]map[string]bool{}
	headingsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a := mdAnchors(string(data))
		anchors[path] = a
		return a
	}
	links := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range mdProse(string(data)) {
			if line == "" {
				continue
			}
			for _, m := range mdLink.FindAllStringSubmatch(mdCodeSpan.ReplaceAllString(line, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				path, frag, _ := strings.Cut(target, "#")
				dest := file
				if path != "" {
					dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s:%d: link %q: no file %s", file, n+1, target, dest)
						continue
					}
				}
				if frag != "" && strings.HasSuffix(dest, ".md") && !headingsOf(dest)[frag] {
					t.Errorf("%s:%d: link %q: %s has no heading with the anchor #%s", file, n+1, target, dest, frag)
				}
			}
		}
	}
	if links < 20 {
		t.Errorf("found only %d relative links: the link pattern no longer matches", links)
	}
}

// mdProse returns the lines of a Markdown text, those inside fenced code
// blocks blanked (kept, so that line numbers stay right).
func mdProse(text string) []string {
	lines := strings.Split(text, "\n")
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			lines[i] = ""
			continue
		}
		if fenced {
			lines[i] = ""
		}
	}
	return lines
}

// mdAnchors gives the anchors GitHub makes for the headings of a Markdown
// text: lower case, punctuation dropped, spaces as hyphens, a repeated one
// suffixed -1, -2….
func mdAnchors(text string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	for _, l := range mdProse(text) {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		title := strings.TrimLeft(l, "#")
		if !strings.HasPrefix(title, " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(title)) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if k := seen[a]; k > 0 {
			seen[a] = k + 1
			a += "-" + strconv.Itoa(k)
		} else {
			seen[a] = 1
		}
		out[a] = true
	}
	return out
}
