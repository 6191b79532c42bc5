package provision

// Progress is told how long work advances, for a progress bar. Its methods
// may be called from several goroutines. A nil Progress ([Config.Progress])
// shows nothing and costs a nil check per thousand rows.
type Progress interface {
	// Step starts a step (ending the one before): what it does, in
	// English for the operator, and how many units it has, or -1 when that
	// is not known (rows while the list streams the first time).
	Step(name string, total int)
	// Add counts n more units of the step done.
	Add(n int)
	// Describe names what the step works on now (the file written).
	Describe(what string)
}

// progressEvery is how many rows pass between two calls to Progress.Add.
const progressEvery = 1024

// step starts a step of p, when there is one.
func step(p Progress, name string, total int) {
	if p != nil {
		p.Step(name, total)
	}
}
