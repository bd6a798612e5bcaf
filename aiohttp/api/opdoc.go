package api

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Summary sets the operation's summary in the OpenAPI document: a
// line that the docs page shows beside its path.
func Summary(s string) OpOption { return func(c *opConfig) { c.summary = s } }

// Description sets the operation's description in the OpenAPI
// document, in CommonMark.
func Description(s string) OpOption { return func(c *opConfig) { c.description = s } }

// Tags sets the operation's tags in the OpenAPI document, by which the
// docs page groups operations.
func Tags(tags ...string) OpOption {
	return func(c *opConfig) { c.tags = append(c.tags, tags...) }
}

// OperationID sets the operation's operationId in the OpenAPI document,
// which client generators make a method's name of. By default it is
// made of the method and the path: "getItemsById" for GET
// /items/{id}, numbered if another operation has it already. Giving an
// operation an ID that another has panics.
func OperationID(id string) OpOption {
	return func(c *opConfig) { c.operationID, c.explicitID = id, true }
}

// Deprecated marks the operation deprecated in the OpenAPI document.
func Deprecated() OpOption { return func(c *opConfig) { c.deprecated = true } }

// claimOperationID gives rt its operationId: the one it was given,
// which no other operation may have, or one made of its method and
// path, numbered if another has it.
func (a *App) claimOperationID(rt *route) error {
	if a.opIDs == nil {
		a.opIDs = map[string]string{}
	}
	id := rt.cfg.operationID
	if rt.cfg.explicitID {
		if id == "" {
			return fmt.Errorf("empty operation ID")
		}
		if other, taken := a.opIDs[id]; taken {
			return fmt.Errorf("operation ID %q is taken by %s", id, other)
		}
	} else {
		base := operationIDFor(rt.method, rt.pattern)
		id = base
		for i := 2; a.opIDs[id] != ""; i++ {
			id = base + strconv.Itoa(i)
		}
	}
	rt.cfg.operationID = id
	a.opIDs[id] = rt.method + " " + rt.pattern
	return nil
}

// operationIDFor makes an operation ID of a method and a pattern: the
// method in lower case, then each segment of the path capitalized, a
// wildcard's as "By" and its name.
func operationIDFor(method, pattern string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	words := 0
	for seg := range strings.SplitSeq(openAPIPath(pattern), "/") {
		if w, ok := strings.CutPrefix(seg, "{"); ok {
			b.WriteString("By")
			seg = strings.TrimSuffix(w, "}")
		}
		for w := range strings.FieldsFuncSeq(seg, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			r := []rune(w)
			b.WriteString(string(unicode.ToUpper(r[0])) + string(r[1:]))
			words++
		}
	}
	if words == 0 {
		b.WriteString("Root")
	}
	return b.String()
}
