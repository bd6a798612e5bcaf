package simnet

import (
	"fmt"
	"net"
	"strconv"
)

// An Addr is the address of an end of a connection, or of an endpoint, on
// a simulated network: a host's name and a port.
type Addr struct {
	Host string
	Port int
}

// Network returns "simnet".
func (a Addr) Network() string { return "simnet" }

// String returns "host:port".
func (a Addr) String() string { return net.JoinHostPort(a.Host, strconv.Itoa(a.Port)) }

// firstEphemeralPort is the first port a host gives its dials and the
// listeners asking for port 0, as the IANA's dynamic range begins.
const firstEphemeralPort = 49152

// parseAddr splits "host:port"; the host may be empty.
func parseAddr(addr string) (Addr, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return Addr{}, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return Addr{}, fmt.Errorf("simnet: bad port in %q", addr)
	}
	return Addr{Host: host, Port: port}, nil
}
