package api

import (
	"context"
	"fmt"
	"reflect"

	"github.com/asyncio-go/asyncio/aiohttp/api/internal/bind"
)

// Provide registers fn as the App's way to make a T: an operation whose
// input has a field of type T tagged `depends:""` gets the value fn
// returns, made for its request before the operation runs (FastAPI's
// Depends).
//
//	api.Provide(app, func(ctx context.Context, in *struct{}) (*db.Conn, func(), error) {
//		conn, err := pool.Acquire(ctx)
//		if err != nil {
//			return nil, nil, err
//		}
//		return conn, conn.Release, nil
//	})
//	type GetUser struct {
//		ID   int64    `path:"id"`
//		Conn *db.Conn `depends:""`
//	}
//
// fn's own input is bound from the request as an operation's is, so a
// dependency may read headers, cookies and query parameters (the current
// user from a token), and these appear in the OpenAPI document of every
// operation that uses it; its bind failures are reported with the
// operation's, in one problem document. Its input may itself have
// `depends:""` fields of types provided before it, which is also why
// providers cannot form a cycle.
//
// A request makes each type it needs once, however many of its
// dependencies need it, in the order they depend on each other. The
// func() fn returns, if not nil, is its teardown (the code after yield
// in FastAPI): it runs after the response is sent, whether the operation
// failed or not, teardowns in the reverse order of the values they undo.
// An error fn returns ends the request as the operation's would (an
// *Error with its status; anything else a 500), after the teardowns of
// the values made before it.
//
// Provide panics if T is provided already, or fn's input cannot be bound
// or needs a type not provided yet: these are the program's mistakes,
// found when it starts.
func Provide[In, T any](a *App, fn func(ctx context.Context, in *In) (T, func(), error)) {
	t, inType := reflect.TypeFor[T](), reflect.TypeFor[In]()
	if _, dup := a.providers[t]; dup {
		panic(fmt.Sprintf("api: Provide: %v is provided already", t))
	}
	plan, err := bind.PlanFor(inType)
	if err != nil {
		panic(fmt.Sprintf("api: Provide %v: %v", t, err))
	}
	needs, err := a.needsOf(inType)
	if err != nil {
		panic(fmt.Sprintf("api: Provide %v: %v", t, err))
	}
	a.providers[t] = &provider{
		t: t, in: inType, plan: plan, needs: needs,
		call: func(ctx context.Context, in any) (reflect.Value, func(), error) {
			v, teardown, err := fn(ctx, in.(*In))
			return reflect.ValueOf(&v).Elem(), teardown, err
		},
	}
}

// A provider makes the values of one dependency type.
type provider struct {
	t, in reflect.Type
	plan  *bind.Plan
	needs []need
	call  func(ctx context.Context, in any) (reflect.Value, func(), error)
}

// A need is a `depends:""` field of an input.
type need struct {
	index []int
	t     reflect.Type
}

// needsOf returns the dependency fields of the input type t, each of a
// type provided already.
func (a *App) needsOf(t reflect.Type) ([]need, error) {
	var needs []need
	for f := range t.Fields() {
		if _, ok := f.Tag.Lookup("depends"); !ok {
			continue
		}
		if !f.IsExported() {
			return nil, fmt.Errorf("%v.%s is tagged depends but not exported", t, f.Name)
		}
		if _, ok := a.providers[f.Type]; !ok {
			return nil, fmt.Errorf("%v.%s depends on %v, which nothing provides (call api.Provide first)", t, f.Name, f.Type)
		}
		needs = append(needs, need{f.Index, f.Type})
	}
	return needs, nil
}

// chain returns the providers that needs call for, each once, every one
// after those it needs.
func (a *App) chain(needs []need) []*provider {
	var order []*provider
	seen := map[reflect.Type]bool{}
	var visit func(needs []need)
	visit = func(needs []need) {
		for _, n := range needs {
			if seen[n.t] {
				continue
			}
			seen[n.t] = true
			p := a.providers[n.t]
			visit(p.needs)
			order = append(order, p)
		}
	}
	visit(needs)
	return order
}

// fill sets the dependency fields of the input v from the values made.
func fill(v reflect.Value, needs []need, made map[reflect.Type]reflect.Value) {
	for _, n := range needs {
		v.FieldByIndex(n.index).Set(made[n.t])
	}
}
