package bind

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// converter returns the parser of one parameter value into t.
func converter(t reflect.Type) (func(string) (reflect.Value, error), error) {
	switch {
	case t == timeType:
		return func(s string) (reflect.Value, error) {
			v, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return reflect.Value{}, errors.New("not a time in RFC 3339 form")
			}
			return reflect.ValueOf(v), nil
		}, nil
	case t == durationType:
		return func(s string) (reflect.Value, error) {
			v, err := time.ParseDuration(s)
			if err != nil {
				return reflect.Value{}, errors.New("not a duration (such as 1.5s or 300ms)")
			}
			return reflect.ValueOf(v), nil
		}, nil
	case reflect.PointerTo(t).Implements(textUnmarshaler):
		return func(s string) (reflect.Value, error) {
			v := reflect.New(t)
			if err := v.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
				return reflect.Value{}, err
			}
			return v.Elem(), nil
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(s string) (reflect.Value, error) { return reflect.ValueOf(s).Convert(t), nil }, nil
	case reflect.Bool:
		return func(s string) (reflect.Value, error) {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return reflect.Value{}, errors.New("not a boolean (true or false)")
			}
			return reflect.ValueOf(b).Convert(t), nil
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(s string) (reflect.Value, error) {
			n, err := strconv.ParseInt(s, 10, bits)
			if err != nil {
				return reflect.Value{}, numError(err, "an integer", bits)
			}
			return reflect.ValueOf(n).Convert(t), nil
		}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bits := t.Bits()
		return func(s string) (reflect.Value, error) {
			n, err := strconv.ParseUint(s, 10, bits)
			if err != nil {
				return reflect.Value{}, numError(err, "a non-negative integer", bits)
			}
			return reflect.ValueOf(n).Convert(t), nil
		}, nil
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(s string) (reflect.Value, error) {
			f, err := strconv.ParseFloat(s, bits)
			if err != nil {
				return reflect.Value{}, numError(err, "a number", bits)
			}
			return reflect.ValueOf(f).Convert(t), nil
		}, nil
	}
	return nil, fmt.Errorf("a parameter cannot be a %v", t)
}

func numError(err error, what string, bits int) error {
	if errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("out of range for %d bits", bits)
	}
	return fmt.Errorf("not %s", what)
}
