package bind

import (
	"errors"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
)

// checker is the validator, naming fields by where they come from, so
// that a failure's namespace is its location: "query.limit",
// "body.items[2].name".
var checker = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(sf reflect.StructField) string {
		if src, name, ok := tagOf(sf); ok {
			if src == fromBody {
				return "body"
			}
			return sourceTags[src] + "." + name
		}
		if j := sf.Tag.Get("json"); j != "" {
			name, _, _ := strings.Cut(j, ",")
			if name == "-" {
				return ""
			}
			if name != "" {
				return name
			}
		}
		return sf.Name
	})
	return v
}()

// validate adds the validation failures of dst to probs, but for
// locations at or under one that already has a problem: a field that
// could not be bound is zero, and "required" would only repeat that.
//
// The fields named in except are not checked: an operation's
// dependencies, which are filled after binding.
func validate(dst any, probs *Problems, except []string) {
	var err error
	if len(except) == 0 {
		err = checker.Struct(dst)
	} else {
		err = checker.StructExcept(dst, except...)
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return
	}
	bound := probs.List
	for _, fe := range verrs {
		ns := fe.Namespace()
		// The namespace starts with the input type's name.
		if _, rest, ok := strings.Cut(ns, "."); ok {
			ns = rest
		}
		if !within(ns, bound) {
			probs.add(ns, "%s", message(fe))
		}
	}
}

// within reports whether loc is at or under the location of one of
// probs.
func within(loc string, probs []Problem) bool {
	for _, p := range probs {
		if loc == p.Location {
			return true
		}
		if rest, ok := strings.CutPrefix(loc, p.Location); ok && (rest[0] == '.' || rest[0] == '[') {
			return true
		}
		if rest, ok := strings.CutPrefix(p.Location, loc); ok && rest[0] == '[' {
			return true // query.tag[1] was bad: query.tag's own checks would repeat it
		}
	}
	return false
}

// message says what a validation tag wanted, in words.
func message(fe validator.FieldError) string {
	p := fe.Param()
	switch fe.Tag() {
	case "required":
		return "is required"
	case "min", "gte":
		if isSized(fe.Kind()) {
			return "must have at least " + p + " items or characters"
		}
		return "must be at least " + p
	case "max", "lte":
		if isSized(fe.Kind()) {
			return "must have at most " + p + " items or characters"
		}
		return "must be at most " + p
	case "gt":
		return "must be greater than " + p
	case "lt":
		return "must be less than " + p
	case "len":
		return "must have exactly " + p + " items or characters"
	case "oneof":
		return "must be one of " + strings.ReplaceAll(p, " ", ", ")
	case "email":
		return "must be an email address"
	case "url":
		return "must be a URL"
	case "uuid":
		return "must be a UUID"
	}
	if p != "" {
		return "fails " + fe.Tag() + "=" + p
	}
	return "fails " + fe.Tag()
}

func isSized(k reflect.Kind) bool {
	return k == reflect.String || k == reflect.Slice || k == reflect.Map || k == reflect.Array
}
