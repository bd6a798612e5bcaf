package db

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// A rowPlan says where each column of a result goes in a T.
type rowPlan struct {
	scalar bool
	fields [][]int // per column, the field's index path in T
}

type planKey struct {
	t    reflect.Type
	cols string
}

var plans sync.Map // planKey → *rowPlan

// planFor returns how to fill a T from rows with cols.
func planFor[T any](cols []string) (*rowPlan, error) {
	t := reflect.TypeFor[T]()
	key := planKey{t, strings.Join(cols, "\x00")}
	if p, ok := plans.Load(key); ok {
		return p.(*rowPlan), nil
	}
	p, err := makePlan(t, cols)
	if err != nil {
		return nil, err
	}
	plans.Store(key, p)
	return p, nil
}

var scannerType = reflect.TypeFor[sql.Scanner]()

// isRowStruct reports whether T is filled field by field: a struct with
// exported fields and no Scan method of its own. time.Time, sql.NullString,
// JSON[X] and the drivers' own value types are scalars.
func isRowStruct(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(scannerType) {
		return false
	}
	for f := range t.Fields() {
		if f.IsExported() {
			return true
		}
	}
	return false
}

func makePlan(t reflect.Type, cols []string) (*rowPlan, error) {
	if !isRowStruct(t) {
		if len(cols) != 1 {
			return nil, fmt.Errorf("db: the result has %d columns; %v holds one (use a struct)", len(cols), t)
		}
		return &rowPlan{scalar: true}, nil
	}
	byName := make(map[string][]int)
	collectFields(t, nil, byName)
	p := &rowPlan{fields: make([][]int, len(cols))}
	for i, c := range cols {
		idx, ok := byName[strings.ToLower(c)]
		if !ok {
			return nil, fmt.Errorf("db: column %q has no field in %v (tag a field `db:%q`)", c, t, c)
		}
		p.fields[i] = idx
	}
	return p, nil
}

// collectFields maps each column name to its field, descending into
// embedded structs; a field of the outer struct wins over one of the same
// name in an embedded one.
func collectFields(t reflect.Type, prefix []int, byName map[string][]int) {
	var embedded []reflect.StructField
	for f := range t.Fields() {
		tag := f.Tag.Get("db")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && tag == "" && isRowStruct(f.Type) {
			embedded = append(embedded, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := tag
		if name == "" {
			name = f.Name
		}
		name = strings.ToLower(name)
		if _, dup := byName[name]; !dup {
			byName[name] = append(append([]int(nil), prefix...), f.Index...)
		}
	}
	for _, f := range embedded {
		collectFields(f.Type, append(append([]int(nil), prefix...), f.Index...), byName)
	}
}

// targets returns the scan destinations for a row into *v.
func (p *rowPlan) targets(v any, dest []any) []any {
	dest = dest[:0]
	if p.scalar {
		return append(dest, v)
	}
	rv := reflect.ValueOf(v).Elem()
	for _, idx := range p.fields {
		dest = append(dest, rv.FieldByIndex(idx).Addr().Interface())
	}
	return dest
}
