package main

import (
	"errors"
	"fmt"
	"net"
)

// echo serves TCP echo with the net package, a goroutine per connection,
// until the process is killed (SIGTERM's default action). Go's listener
// takes the kernel's somaxconn as its backlog, and net sets TCP_NODELAY
// on every TCP connection.
func echo(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 64<<10)
			for {
				k, err := c.Read(buf)
				if k > 0 {
					if _, werr := c.Write(buf[:k]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
