package provision

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrOutDirNotEmpty is wrapped by [CreateOutDir] when DIR already holds
// files from an earlier run and replacing them was not asked for.
var ErrOutDirNotEmpty = errors.New("output folder already holds files")

// subDirs are the only folders a name given to [OutDir.WriteFile] may go
// into. It is never written.
var subDirs = []string{"forms", "readiness"}

// OutDir is the output folder of a run. Every file of the run is written
// into a private sibling folder first; [OutDir.Commit] then puts that folder
// in place of DIR in one rename, so DIR holds either the previous outputs or
// all of the new ones, never a mix or a half-written set.
//
// Files are created through an [os.Root] on the working folder, so a name
// built from a cell value cannot escape it.
type OutDir struct {
	path    string // DIR as given
	work    string // where files are written until Commit
	replace bool   // DIR may hold an earlier run's files
	direct  bool   // work is DIR itself (OpenOutDir)
	root    *os.Root
	made    []string // parent folders CreateOutDir created, innermost first

	mu   sync.Mutex
	seq  int
	done bool
}

// CreateOutDir prepares DIR for a new run's outputs. DIR may be missing
// (it is created, with its parents) or empty. If it already holds files,
// CreateOutDir fails with [ErrOutDirNotEmpty] unless replace is true, in
// which case [OutDir.Commit] swaps the new outputs in and removes the old
// ones. The caller must call Commit to publish the files, or Close to drop
// them.
func CreateOutDir(path string, replace bool) (*OutDir, error) {
	if path == "" {
		return nil, errors.New("creating output folder: no path given")
	}
	path = filepath.Clean(path)
	if err := checkOutDir(path, replace); err != nil {
		return nil, err
	}
	parent := filepath.Dir(path)
	// Remember which parents are new, so that a run that fails leaves no
	// empty folders behind.
	var made []string
	for p := parent; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil || filepath.Dir(p) == p {
			break
		}
		made = append(made, p)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("creating output folder: %w", err)
	}
	// MkdirTemp creates the folder with mode 0700, as DIR must be.
	work, err := os.MkdirTemp(parent, "."+filepath.Base(path)+".new-")
	if err != nil {
		removeEmpty(made)
		return nil, fmt.Errorf("creating output folder: %w", err)
	}
	root, err := os.OpenRoot(work)
	if err != nil {
		os.Remove(work)
		removeEmpty(made)
		return nil, fmt.Errorf("creating output folder: %w", err)
	}
	return &OutDir{path: path, work: work, replace: replace, root: root, made: made}, nil
}

// OpenOutDir opens the existing output folder of an earlier run to add
// files to it (such as the undo file of `ldap apply`). Files are still
// written whole or not at all, but there is nothing to swap: Commit only
// closes it.
func OpenOutDir(path string) (*OutDir, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("opening output folder: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("opening output folder %s: not a folder", path)
	}
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, fmt.Errorf("opening output folder: %w", err)
	}
	return &OutDir{path: path, work: path, direct: true, root: root}, nil
}

// checkOutDir refuses a DIR that is a file, or that holds files while
// replace is false.
func checkOutDir(path string, replace bool) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking output folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("output folder %s is a file; choose another -o", path)
	}
	empty, err := isEmptyDir(path)
	if err != nil {
		return fmt.Errorf("checking output folder: %w", err)
	}
	if !empty && !replace {
		return fmt.Errorf("%s: %w from an earlier run; choose another -o or add --replace", path, ErrOutDirNotEmpty)
	}
	return nil
}

func isEmptyDir(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}

// Path returns DIR, where the files are once committed.
func (d *OutDir) Path() string { return d.path }

// WriteFile writes the file name of the output folder with write: into a
// temporary file of mode 0600, buffered, synced, then renamed to name. On
// any error the temporary file is removed and name is left as it was.
//
// name is a plain file name such as "accounts.csv", or one inside a known
// subfolder such as "forms/REF.pdf"; anything else (.., an absolute path,
// other separators, a leading dot) is refused.
func (d *OutDir) WriteFile(name string, write func(io.Writer) error) error {
	if err := checkOutName(name); err != nil {
		return err
	}
	d.mu.Lock()
	if d.done {
		d.mu.Unlock()
		return fmt.Errorf("writing %s: output folder already closed", name)
	}
	d.seq++
	seq := d.seq
	d.mu.Unlock()

	if dir, _, ok := strings.Cut(name, "/"); ok {
		if err := d.root.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("writing %s: %w", name, withoutPath(err))
		}
	}
	dir, base := splitOutName(name)
	var tmp string
	var f *os.File
	for try := 0; ; try++ {
		tmp = dir + "." + base + ".tmp-" + strconv.Itoa(os.Getpid()) + "-" + strconv.Itoa(seq) + "-" + strconv.Itoa(try)
		var err error
		f, err = d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || try > 100 {
			return fmt.Errorf("writing %s: %w", name, withoutPath(err))
		}
	}
	if err := writeSynced(f, write); err != nil {
		d.root.Remove(tmp)
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := d.root.Rename(tmp, name); err != nil {
		d.root.Remove(tmp)
		return fmt.Errorf("writing %s: %w", name, withoutPath(err))
	}
	return nil
}

// WriteNewFile is [OutDir.WriteFile] for a name that must not exist yet:
// if it does, WriteNewFile fails with an error matching [fs.ErrExist] and
// leaves it alone. The name is first reserved with an exclusive create,
// so two writers never take the same one, then the content is written to
// a temporary file renamed over the reservation: a reader sees an empty
// file or the whole content, never a part. (A hard link would do it in
// one step, but some file systems have none.)
func (d *OutDir) WriteNewFile(name string, write func(io.Writer) error) error {
	if err := checkOutName(name); err != nil {
		return err
	}
	if dir, _, ok := strings.Cut(name, "/"); ok {
		if err := d.root.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("writing %s: %w", name, withoutPath(err))
		}
	}
	f, err := d.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, withoutPath(err))
	}
	if err := f.Close(); err != nil {
		d.root.Remove(name)
		return fmt.Errorf("writing %s: %w", name, withoutPath(err))
	}
	if err := d.WriteFile(name, write); err != nil {
		d.root.Remove(name)
		return err
	}
	return nil
}

// writeSynced runs write on a buffer over f, then flushes, syncs and
// closes f; f is closed whatever happens. f is a temporary file: its errors
// lose its name (see [withoutPath]), the caller names the target.
func writeSynced(f *os.File, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(unnamedWriter{f}, 64<<10)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = withoutPath(f.Sync())
	}
	if cerr := f.Close(); err == nil {
		err = withoutPath(cerr)
	}
	return err
}

// unnamedWriter writes to a temporary file, its errors without the file's
// name.
type unnamedWriter struct{ f *os.File }

func (w unnamedWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	return n, withoutPath(err)
}

// withoutPath returns the cause of an [fs.PathError] or [os.LinkError],
// dropping the path it names: the name of a temporary file
// (".accounts.csv.tmp-123-1-0") means nothing to the operator, and every
// caller wraps the error with the name of the file being written. Other
// errors are returned as they are.
func withoutPath(err error) error {
	switch e := err.(type) {
	case *fs.PathError:
		return e.Err
	case *os.LinkError:
		return e.Err
	}
	return err
}

// checkOutName accepts "file" and "sub/file" for a known subfolder.
func checkOutName(name string) error {
	dir, base := splitOutName(name)
	if dir != "" && !slices.Contains(subDirs, strings.TrimSuffix(dir, "/")) {
		return fmt.Errorf("writing output %q: only the subfolders %v are allowed", name, subDirs)
	}
	switch {
	case base == "", base == ".", base == "..", strings.HasPrefix(base, "."),
		strings.ContainsAny(base, `/\:`), strings.ContainsRune(base, 0),
		filepath.IsAbs(name):
		return fmt.Errorf("writing output %q: not a plain file name", name)
	}
	return nil
}

// splitOutName splits "forms/x.pdf" into "forms/" and "x.pdf".
func splitOutName(name string) (dir, base string) {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[:i+1], name[i+1:]
	}
	return "", name
}

// Commit publishes the files written so far as DIR: the working folder is
// renamed to DIR (replacing an empty DIR, or swapping out an earlier run's
// DIR when replace was given). After Commit the OutDir accepts no more files.
func (d *OutDir) Commit() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return errors.New("committing output folder: already closed")
	}
	d.done = true
	if err := d.root.Close(); err != nil {
		d.abort()
		return fmt.Errorf("committing output folder: %w", err)
	}
	if d.direct {
		return nil
	}
	if err := syncDir(d.work); err != nil {
		d.abort()
		return fmt.Errorf("committing output folder: %w", err)
	}
	if err := d.swap(); err != nil {
		d.abort()
		return fmt.Errorf("committing output folder %s: %w", d.path, err)
	}
	return syncDir(filepath.Dir(d.path))
}

// swap puts the working folder in place of DIR.
func (d *OutDir) swap() error {
	// Check again: another program may have written into DIR meanwhile.
	if err := checkOutDir(d.path, d.replace); err != nil {
		return err
	}
	_, err := os.Stat(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return os.Rename(d.work, d.path)
	}
	if empty, err := isEmptyDir(d.path); err != nil {
		return err
	} else if empty {
		if err := os.Remove(d.path); err != nil {
			return err
		}
		return os.Rename(d.work, d.path)
	}
	// An earlier run's DIR: move it aside, move the new one in, then
	// remove the old one. If the second rename fails, put the old one back.
	old, err := os.MkdirTemp(filepath.Dir(d.path), "."+filepath.Base(d.path)+".old-")
	if err != nil {
		return err
	}
	if err := os.Remove(old); err != nil {
		return err
	}
	if err := os.Rename(d.path, old); err != nil {
		return err
	}
	// The undo files of `ldap apply` are not outputs of the run: they are
	// the only way back for the directory, so they move into the new DIR.
	carried, err := carryUndoFiles(old, d.work)
	if err == nil {
		err = os.Rename(d.work, d.path)
	}
	if err != nil {
		var rerr error
		for _, name := range carried {
			if e := os.Rename(filepath.Join(d.work, name), filepath.Join(old, name)); rerr == nil {
				rerr = e
			}
		}
		if rerr == nil {
			rerr = os.Rename(old, d.path)
		}
		if rerr != nil {
			return fmt.Errorf("%w (and restoring the earlier outputs from %s: %v)", err, old, rerr)
		}
		return err
	}
	return os.RemoveAll(old)
}

// UndoPattern matches the undo files `ldap apply` writes into DIR
// (ldap-undo-TIMESTAMP.ldif, maybe with a -N suffix). [OutDir.Commit]
// carries them over when --replace swaps DIR.
const UndoPattern = "ldap-undo-*.ldif"

// carryUndoFiles moves the undo files of folder from into folder to (both
// on the same file system) and returns their names. A name to already has
// is left where it is.
func carryUndoFiles(from, to string) ([]string, error) {
	entries, err := os.ReadDir(from)
	if err != nil {
		return nil, err
	}
	var moved []string
	for _, e := range entries {
		if ok, _ := filepath.Match(UndoPattern, e.Name()); !ok || !e.Type().IsRegular() {
			continue
		}
		if _, err := os.Lstat(filepath.Join(to, e.Name())); err == nil {
			continue
		}
		if err := os.Rename(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
			return moved, err
		}
		moved = append(moved, e.Name())
	}
	return moved, nil
}

// Close drops the files of an OutDir that was not committed; after Commit
// it does nothing. It is meant for defer.
func (d *OutDir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return nil
	}
	d.done = true
	d.root.Close()
	d.abort()
	removeEmpty(d.made)
	return nil
}

// removeEmpty removes the folders of dirs (innermost first) while they are
// empty.
func removeEmpty(dirs []string) {
	for _, p := range dirs {
		if os.Remove(p) != nil {
			return
		}
	}
}

// abort removes the working folder of a new run.
func (d *OutDir) abort() {
	if !d.direct {
		os.RemoveAll(d.work)
	}
}

func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteFileAtomic writes one file outside an output folder (the
// corrections workbook of `check`, the blank template) with the guarantees
// of [OutDir.WriteFile]: a temporary file of mode 0600 in the same folder,
// synced, then renamed over path. An existing file at path is replaced
// whole; on error it is left as it was.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("writing %s: is a folder", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, withoutPath(err))
	}
	tmp := f.Name()
	if err := writeSynced(f, write); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, withoutPath(err))
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("writing %s: %w", path, withoutPath(err))
	}
	return nil
}

// safeCell neutralises a value a spreadsheet program could run as a
// formula, as the contract says: a value starting with "=", "@", a tab or
// a carriage return, or with "+" or "-" not followed by a plain number, gets
// a leading apostrophe. Phones, E.164 ("+33612345678") or grouped
// ("+33 6 12 34 56 78"), and plain numbers ("-12.5") stay as they are.
// Every CSV and XLSX cell we write goes through it; LDIF does not.
func safeCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		if !isPlainNumber(v) {
			return "'" + v
		}
	}
	return v
}

// isPlainNumber reports whether v is an optional sign and groups of digits
// separated by single spaces or dots, optionally ending with a comma and
// digits: "-12.5", "-1 234,5", "+33 6 12 34 56 78", "+33.6.12.34.56.78".
// A group is never empty, so "+1.", "-.5" and "+1  2" are not plain numbers.
func isPlainNumber(v string) bool {
	if v != "" && (v[0] == '+' || v[0] == '-') {
		v = v[1:]
	}
	intPart, frac, hasFrac := strings.Cut(v, ",")
	if hasFrac && !allDigits(frac) {
		return false
	}
	group := 0 // digits in the current group
	for i := 0; i < len(intPart); i++ {
		switch c := intPart[i]; {
		case '0' <= c && c <= '9':
			group++
		case (c == ' ' || c == '.') && group > 0:
			group = 0
		default:
			return false
		}
	}
	return group > 0
}
