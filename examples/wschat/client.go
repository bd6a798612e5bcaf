package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// A chat plays a scripted conversation against the server at url.
type chat struct {
	w       io.Writer
	session *aiohttp.Session
	url     string
	loop    *asyncio.Loop
}

// A client is one person in the conversation.
type client struct {
	name string
	ws   *aiohttp.WebSocket
}

// play is the script. After each message it waits until every client
// still in the room has heard it, and prints what they heard in a fixed
// order, so the output is the same at every run.
func (c *chat) play(ctx context.Context) error {
	alice, err := c.join(ctx, "alice")
	if err != nil {
		return err
	}
	bob, err := c.join(ctx, "bob")
	if err != nil {
		return err
	}
	if err := c.say(ctx, alice, "alice: hello, anyone here?", alice, bob); err != nil {
		return err
	}
	if err := c.say(ctx, bob, "bob: hi alice!", alice, bob); err != nil {
		return err
	}
	carol, err := c.join(ctx, "carol")
	if err != nil {
		return err
	}
	if err := c.say(ctx, carol, "carol: what did I miss?", alice, bob, carol); err != nil {
		return err
	}
	if err := c.leave(ctx, bob); err != nil {
		return err
	}
	if err := c.say(ctx, alice, "alice: bye bob", alice, carol); err != nil {
		return err
	}
	// Nobody says anything more: what comes next is the server's own.
	if err := c.hear(ctx, alice, carol); err != nil {
		return err
	}
	if err := c.leave(ctx, alice); err != nil {
		return err
	}
	return c.leave(ctx, carol)
}

// join connects a new client.
func (c *chat) join(ctx context.Context, name string) (*client, error) {
	ws, err := c.session.WSConnect(ctx, c.url)
	if err != nil {
		return nil, err
	}
	c.printf("%s joins", name)
	return &client{name: name, ws: ws}, nil
}

// say sends text from one client, then waits until each of hearers heard
// the next message.
func (c *chat) say(ctx context.Context, from *client, text string, hearers ...*client) error {
	c.printf("%s sends %q", from.name, text)
	if err := from.ws.SendText(ctx, text); err != nil {
		return err
	}
	return c.hear(ctx, hearers...)
}

// hear waits for the next message of each of clients and prints it.
func (c *chat) hear(ctx context.Context, clients ...*client) error {
	for _, cl := range clients {
		text, err := cl.ws.ReceiveText(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", cl.name, err)
		}
		c.printf("    %s hears %q", cl.name, text)
	}
	return nil
}

// leave closes a client's connection, with the closing handshake.
func (c *chat) leave(ctx context.Context, cl *client) error {
	if err := cl.ws.Close(ctx, aiohttp.WSCloseNormal, "bye"); err != nil {
		return err
	}
	c.printf("%s leaves", cl.name)
	return nil
}

// printf prints a line with the loop's time since the start.
func (c *chat) printf(format string, args ...any) {
	at := c.loop.Time().Round(100 * time.Millisecond)
	fmt.Fprintf(c.w, "%4v  %s\n", at, fmt.Sprintf(format, args...))
}
