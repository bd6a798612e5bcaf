package wsdeflate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Parameter names of RFC 7692 section 7.1.
const (
	serverNoContextTakeover = "server_no_context_takeover"
	clientNoContextTakeover = "client_no_context_takeover"
	serverMaxWindowBits     = "server_max_window_bits"
	clientMaxWindowBits     = "client_max_window_bits"
)

// deflateParams are the parameters of one permessage-deflate element, an
// offer or a response, as written. Window bits are 0 when absent.
type deflateParams struct {
	serverNoTakeover, clientNoTakeover bool
	serverBits, clientBits             int
	// clientBitsNoValue reports client_max_window_bits without a value,
	// which only an offer may have.
	clientBitsNoValue bool
}

// parseParams validates the parameters of a permessage-deflate element
// against RFC 7692 section 7.1: every name known (compared without regard
// to case) and present at most once, the takeover parameters without a
// value, window bits a decimal 8 to 15 without leading zeros (as a token
// or a quoted-string). In a response, client_max_window_bits needs a
// value too.
func parseParams(params []param, response bool) (deflateParams, error) {
	var d deflateParams
	var seen [4]bool
	for _, p := range params {
		var k int
		switch strings.ToLower(p.name) {
		case serverNoContextTakeover:
			k, d.serverNoTakeover = 0, true
		case clientNoContextTakeover:
			k, d.clientNoTakeover = 1, true
		case serverMaxWindowBits:
			k = 2
		case clientMaxWindowBits:
			k = 3
		default:
			return d, fmt.Errorf("unknown parameter %q", p.name)
		}
		if seen[k] {
			return d, fmt.Errorf("parameter %q given twice", p.name)
		}
		seen[k] = true
		switch {
		case k < 2 && p.hasValue:
			return d, fmt.Errorf("parameter %q has a value", p.name)
		case k == 2 && !p.hasValue, k == 3 && !p.hasValue && response:
			return d, fmt.Errorf("parameter %q has no value", p.name)
		case k == 3 && !p.hasValue:
			d.clientBitsNoValue = true
		case k >= 2:
			bits, ok := parseWindowBits(p.value)
			if !ok {
				return d, fmt.Errorf("parameter %q has invalid value %q", p.name, p.value)
			}
			if k == 2 {
				d.serverBits = bits
			} else {
				d.clientBits = bits
			}
		}
	}
	return d, nil
}

// parseWindowBits parses a window-bits value: "8" to "15", nothing else.
func parseWindowBits(s string) (int, bool) {
	if len(s) == 0 || len(s) > 2 || s[0] == '0' {
		return 0, false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(s)
	return n, n >= MinWindowBits && n <= MaxWindowBits
}

// String formats d as a permessage-deflate element.
func (d deflateParams) String() string {
	var b strings.Builder
	b.WriteString(ExtensionName)
	if d.serverNoTakeover {
		b.WriteString("; " + serverNoContextTakeover)
	}
	if d.clientNoTakeover {
		b.WriteString("; " + clientNoContextTakeover)
	}
	if d.serverBits != 0 {
		b.WriteString("; " + serverMaxWindowBits + "=" + strconv.Itoa(d.serverBits))
	}
	if d.clientBits != 0 {
		b.WriteString("; " + clientMaxWindowBits + "=" + strconv.Itoa(d.clientBits))
	} else if d.clientBitsNoValue {
		b.WriteString("; " + clientMaxWindowBits)
	}
	return b.String()
}

// Accept is the server's side of the negotiation. Given the values of the
// request's Sec-WebSocket-Extensions fields, it picks the first acceptable
// permessage-deflate offer and returns the negotiated Params and the
// value of the response's Sec-WebSocket-Extensions field. ok is false when
// there is no acceptable offer; the connection then runs uncompressed.
// Malformed offers (bad syntax, unknown or repeated parameters, values
// outside RFC 7692 section 7.1) are declined, not errors.
//
// The response answers every offered parameter that binds the server:
// server_no_context_takeover when offered, and always unless
// cfg.ContextTakeover; server_max_window_bits=N echoed as offered (our
// messages are then Huffman-only when N < 15, see the package doc).
// client_no_context_takeover is echoed when offered. A
// client_max_window_bits with a value is echoed, binding the client to
// what it said; without a value it is left unanswered, so the client
// keeps the full window: our reader's window is 32 KiB whatever we ask,
// so a smaller one would save only part of the history kept with client
// context takeover, at the cost of the client's compression ratio.
func Accept(values []string, cfg Config) (p Params, response string, ok bool) {
	for _, ext := range parseExtensions(values) {
		if ext.malformed || !strings.EqualFold(ext.name, ExtensionName) {
			continue
		}
		offer, err := parseParams(ext.params, false)
		if err != nil {
			continue
		}
		answer := deflateParams{
			serverNoTakeover: offer.serverNoTakeover || !cfg.ContextTakeover,
			clientNoTakeover: offer.clientNoTakeover,
			serverBits:       offer.serverBits,
			clientBits:       offer.clientBits,
		}
		return answer.params(), answer.String(), true
	}
	return Params{}, "", false
}

// params returns the Params that a response element d settles.
func (d deflateParams) params() Params {
	p := Params{
		ServerNoContextTakeover: d.serverNoTakeover,
		ClientNoContextTakeover: d.clientNoTakeover,
		ServerMaxWindowBits:     MaxWindowBits,
		ClientMaxWindowBits:     MaxWindowBits,
	}
	if d.serverBits != 0 {
		p.ServerMaxWindowBits = d.serverBits
	}
	if d.clientBits != 0 {
		p.ClientMaxWindowBits = d.clientBits
	}
	return p
}

// offer returns the client's offer for cfg: client_max_window_bits, so
// that servers that want to limit our window can (we then compress
// Huffman-only), and client_no_context_takeover unless cfg.ContextTakeover.
func offer(cfg Config) deflateParams {
	return deflateParams{clientNoTakeover: !cfg.ContextTakeover, clientBitsNoValue: true}
}

// Offer returns the value of the Sec-WebSocket-Extensions field of a
// client's opening handshake for cfg:
//
//	permessage-deflate; client_no_context_takeover; client_max_window_bits
//
// without client_no_context_takeover when cfg.ContextTakeover.
func Offer(cfg Config) string { return offer(cfg).String() }

// ParseResponse is the client's check of the server's answer to Offer(cfg):
// values are the response's Sec-WebSocket-Extensions field values. It
// returns the negotiated Params and ok true when the server accepted
// permessage-deflate, ok false when it accepted no extension. An error
// means the client must fail the WebSocket connection (RFC 6455 section
// 4.1, RFC 7692 section 5): the answer is malformed, names an extension
// other than permessage-deflate (Offer offers no other), accepts it
// twice, or has a parameter the offer did not allow.
func ParseResponse(values []string, cfg Config) (Params, bool, error) {
	var found *extension
	exts := parseExtensions(values)
	for i := range exts {
		ext := &exts[i]
		switch {
		case ext.malformed:
			return Params{}, false, errors.New("wsdeflate: malformed Sec-WebSocket-Extensions in response")
		case !strings.EqualFold(ext.name, ExtensionName):
			return Params{}, false, fmt.Errorf("wsdeflate: server accepted extension %q, which was not offered", ext.name)
		case found != nil:
			return Params{}, false, errors.New("wsdeflate: server accepted permessage-deflate twice")
		}
		found = ext
	}
	if found == nil {
		return Params{}, false, nil
	}
	answer, err := parseParams(found.params, true)
	if err == nil {
		err = offer(cfg).allows(answer)
	}
	if err != nil {
		return Params{}, false, fmt.Errorf("wsdeflate: server's permessage-deflate response: %w", err)
	}
	p := answer.params()
	// We offered client_no_context_takeover as a promise that holds
	// whether or not the server repeats it.
	p.ClientNoContextTakeover = p.ClientNoContextTakeover || offer(cfg).clientNoTakeover
	return p, true, nil
}

// allows checks a server's answer against the offer o (RFC 7692 section
// 7.1): what the offer asked of the server is answered, and the client's
// window is limited only if the offer let it be, and no further than the
// offer's own limit.
func (o deflateParams) allows(answer deflateParams) error {
	switch {
	case o.serverNoTakeover && !answer.serverNoTakeover:
		return errors.New(serverNoContextTakeover + " offered but not answered")
	case o.serverBits != 0 && (answer.serverBits == 0 || answer.serverBits > o.serverBits):
		return fmt.Errorf("%s=%d offered, answered %d", serverMaxWindowBits, o.serverBits, answer.serverBits)
	case answer.clientBits != 0 && o.clientBits == 0 && !o.clientBitsNoValue:
		return errors.New(clientMaxWindowBits + " answered but not offered")
	case answer.clientBits != 0 && o.clientBits != 0 && answer.clientBits > o.clientBits:
		return fmt.Errorf("%s=%d offered, answered %d", clientMaxWindowBits, o.clientBits, answer.clientBits)
	}
	return nil
}
