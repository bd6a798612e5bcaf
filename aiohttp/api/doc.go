// Package api builds typed HTTP APIs, as FastAPI does for Python: an
// operation is a Go function from an input struct to an output, and the
// package reads and checks the input from the request, calls the
// function as the request's task, and writes the output as JSON.
//
//	type GetItem struct {
//		ID    int64 `path:"id" validate:"gt=0"`
//		Limit *int  `query:"limit" validate:"omitempty,max=100"`
//	}
//	app := api.New()
//	api.Get(app, "/items/{id}", func(ctx context.Context, in *GetItem) (*Item, error) {
//		...
//	})
//	aiohttp.Serve(ctx, ":8000", app)
//
// The input's fields are bound by tag from the path (`path:"id"`, a
// wildcard of the route's ServeMux pattern), the query, headers, cookies,
// form fields (files of a multipart form as *multipart.FileHeader) and the
// JSON body (`body:""`), and checked with
// go-playground/validator's `validate` tags. A request that cannot be
// read gets a 400, one that is read and found wrong a 422, and a body over
// the limit a 413, each as an RFC 9457 problem document listing every
// problem with its location ("query.limit", "body.items[2].name"). An
// *Error returned by the function answers with its status; any other
// error is a 500 whose detail is logged, not sent.
//
// The App describes its operations in an OpenAPI 3.1 document, made from
// the same types: served at /openapi.json (OpenAPIPath), returned by
// App.OpenAPI, and shown at /docs (DocsPath) by Swagger UI, which the
// module ships so that the page works offline. The input's parameters,
// the JSON schemas of bodies and outputs (named struct types as
// components), and the validate tags that a JSON Schema keyword can say
// are in it; Summary, Description, Tags, OperationID and Deprecated add
// what the types cannot.
//
// An App is an http.Handler: it runs on the module's server, each request
// as a task whose ctx the function gets, and on net/http's too.
//
// # Dependencies, jobs and lifespan
//
// What an operation needs besides its request (a database connection,
// the current user) is a dependency: Provide registers how to make a
// value of a type, from its own input bound from the request, and an
// input field of that type tagged `depends:""` receives one, made for
// the request and torn down after its response (FastAPI's Depends with
// yield). AfterResponse leaves work for after the response (FastAPI's
// BackgroundTasks), owned by the App, whose Shutdown waits for it.
// Lifespan hooks open what the App needs before it serves and close it
// after (FastAPI's lifespan); Serve and Run put it all together on the
// module's server:
//
//	app.Lifespan(func(ctx context.Context) (func(context.Context) error, error) {
//		pool, err := db.Open(ctx, "sqlite:app.db")
//		if err != nil {
//			return nil, err
//		}
//		shop.pool = pool
//		return pool.Close, nil
//	})
//	api.Provide(app, func(ctx context.Context, _ *struct{}) (*db.Conn, func(), error) {
//		conn, err := shop.pool.Acquire(ctx)
//		if err != nil {
//			return nil, nil, err
//		}
//		return conn, conn.Release, nil
//	})
//	app.Run(ctx, ":8000")
package api
