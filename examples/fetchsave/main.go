// Fetchsave ports the seed tutorials' "fetch-then-save simulation": one
// task simulates fetching a user record from a database, another saving
// data to a file, and main waits for the fetch before it starts the save
// that uses the fetched record.
//
// As in the seed, main also starts a save of placeholder data before the
// fetch is done and never uses it. That task runs to completion all the
// same, because the loop owns every task until it ends; it finishes first
// and prints "Data saved to data.txt: map[]" (the seed's listing leaves
// that line out, but Python prints it too). The seed's two- and three-second
// delays are halved here to keep the program short.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
)

const (
	fetchTime = 1 * time.Second
	saveTime  = 1500 * time.Millisecond
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fetchsave:", err)
		os.Exit(1)
	}
}

// fetchData simulates a database fetch.
func fetchData(w io.Writer) func(context.Context) (map[string]any, error) {
	return func(ctx context.Context) (map[string]any, error) {
		fmt.Fprintln(w, "Fetching data from the database...")
		if err := asyncio.Sleep(ctx, fetchTime); err != nil {
			return nil, err
		}
		data := map[string]any{"id": 1, "name": "John Doe"}
		fmt.Fprintln(w, "Data fetched:", data)
		return data, nil
	}
}

// saveData simulates saving data to a file.
func saveData(w io.Writer, filename string, data map[string]any) func(context.Context) (struct{}, error) {
	return func(ctx context.Context) (struct{}, error) {
		fmt.Fprintf(w, "Saving data to %s...\n", filename)
		if err := asyncio.Sleep(ctx, saveTime); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "Data saved to %s: %v\n", filename, data)
		return struct{}{}, nil
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		fetchTask := asyncio.Spawn(ctx, fetchData(w), asyncio.Name("fetch"))
		placeholder := asyncio.Spawn(ctx, saveData(w, "data.txt", map[string]any{}), asyncio.Name("save-placeholder"))

		// The save that matters needs the fetched data, so it starts
		// only once the fetch is done.
		data, err := fetchTask.Wait(ctx)
		if err != nil {
			return struct{}{}, err
		}
		saveTask := asyncio.Spawn(ctx, saveData(w, "data.txt", data), asyncio.Name("save"))
		if _, err := saveTask.Wait(ctx); err != nil {
			return struct{}{}, err
		}

		// The seed never awaits the placeholder save. It has finished
		// by now; waiting for it only makes sure its error is not lost.
		_, err = placeholder.Wait(ctx)
		return struct{}{}, err
	}, opts...)
	return err
}
