package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// A fakeStore is the test's UserStore, the AsyncMock of the tutorial: it
// records the ids it is asked for and answers with its user function.
type fakeStore struct {
	user  func(ctx context.Context, id int64) (User, error)
	calls []int64
}

func (f *fakeStore) User(ctx context.Context, id int64) (User, error) {
	f.calls = append(f.calls, id)
	return f.user(ctx, id)
}

// greet runs Greet as the main task of a loop on a virtual clock, and
// reports how long it took on that clock.
func greet(store UserStore, id int64) (string, time.Duration, error) {
	var took time.Duration
	greeting, err := asyncio.Run(func(ctx context.Context) (string, error) {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		defer func() { took = loop.Time() - start }()
		return Greet(ctx, store, id)
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	return greeting, took, err
}

// TestGreet checks that Greet asks the store once, for the user it was
// given (assert_awaited_once_with(7)), and greets that user by name.
func TestGreet(t *testing.T) {
	store := &fakeStore{user: func(_ context.Context, id int64) (User, error) {
		return User{ID: id, Name: "Ann"}, nil
	}}
	got, _, err := greet(store, 7)
	if err != nil || got != "Hello, Ann!" {
		t.Errorf("Greet = %q, %v; want Hello, Ann!", got, err)
	}
	if want := []int64{7}; !slices.Equal(store.calls, want) {
		t.Errorf("store called for %v, want %v", store.calls, want)
	}
}

// TestGreetWaitsForStore gives Greet a store that takes a second to
// answer, on the virtual clock: Greet returns the answer, a second later
// by that clock, so it waited for the store, and the test did not wait
// at all, as the tutorial's patched asyncio.sleep does not.
func TestGreetWaitsForStore(t *testing.T) {
	store := &fakeStore{user: func(ctx context.Context, id int64) (User, error) {
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return User{}, err
		}
		return User{ID: id, Name: "Bob"}, nil
	}}
	got, took, err := greet(store, 2)
	if err != nil || got != "Hello, Bob!" {
		t.Errorf("Greet = %q, %v; want Hello, Bob!", got, err)
	}
	if took != time.Second {
		t.Errorf("Greet took %v, want the store's 1s", took)
	}
}

// TestGreetStranger checks the answer for a user the store does not
// know.
func TestGreetStranger(t *testing.T) {
	store := &fakeStore{user: func(_ context.Context, id int64) (User, error) {
		return User{}, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}}
	got, _, err := greet(store, 3)
	if err != nil || got != "Hello, stranger!" {
		t.Errorf("Greet = %q, %v; want Hello, stranger!", got, err)
	}
}

// TestGreetStoreFails checks that a failure of the store comes out of
// Greet, naming the user, with the store's error in the chain.
func TestGreetStoreFails(t *testing.T) {
	errDown := errors.New("database is down")
	store := &fakeStore{user: func(context.Context, int64) (User, error) {
		return User{}, errDown
	}}
	got, _, err := greet(store, 4)
	if !errors.Is(err, errDown) || got != "" {
		t.Fatalf("Greet = %q, %v; want the store's error", got, err)
	}
	if want := "greet user 4: database is down"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestRun checks the program, with the PoolStore on SQLite.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf); err != nil {
		t.Fatal(err)
	}
	const want = `user 1: Hello, Ann!
user 2: Hello, Bob!
user 3: Hello, stranger!
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// Greet with a fake store, which records that it was asked for user 1.
func ExampleGreet() {
	store := &fakeStore{user: func(_ context.Context, id int64) (User, error) {
		return User{ID: id, Name: "Ann"}, nil
	}}
	greeting, err := asyncio.Run(func(ctx context.Context) (string, error) {
		return Greet(ctx, store, 1)
	})
	fmt.Println(greeting, err)
	fmt.Println("store called for", store.calls)
	// Output:
	// Hello, Ann! <nil>
	// store called for [1]
}
