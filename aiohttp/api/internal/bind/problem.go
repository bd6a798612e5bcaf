package bind

import (
	"fmt"
	"strings"
)

// A Problem is one thing wrong with a request: where (Location, such as
// "query.limit" or "body.items[2].name") and what.
type Problem struct {
	Location string `json:"location"`
	Message  string `json:"message"`
}

// Problems are all that is wrong with a request; as an error, the request
// is unprocessable (422), or malformed (400) if BadRequest.
type Problems struct {
	List []Problem
	// BadRequest is set when the request could not be read as the
	// operation's at all (a body that is not JSON), rather than read and
	// found wrong.
	BadRequest bool
}

func (p *Problems) Error() string {
	parts := make([]string, len(p.List))
	for i, pr := range p.List {
		parts[i] = pr.Location + ": " + pr.Message
	}
	return "bind: " + strings.Join(parts, "; ")
}

func (p *Problems) add(loc, format string, args ...any) {
	p.List = append(p.List, Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
}

// TooLarge is the error for a body over the limit (413).
type TooLarge struct{ Limit int64 }

func (e *TooLarge) Error() string { return fmt.Sprintf("bind: the body is over %d bytes", e.Limit) }
