package wsdeflate

import (
	"strings"
	"testing"
)

func TestAccept(t *testing.T) {
	full := Params{ServerNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	with := func(f func(*Params)) Params { p := full; f(&p); return p }
	tests := []struct {
		name     string
		values   []string
		cfg      Config
		want     Params
		response string // "" when declined
	}{
		{"no header", nil, Config{}, Params{}, ""},
		{"other extension", []string{"x-webkit-deflate-frame"}, Config{}, Params{}, ""},
		{"bare offer", []string{"permessage-deflate"}, Config{},
			full, "permessage-deflate; server_no_context_takeover"},
		{"bare offer, takeover allowed", []string{"permessage-deflate"}, Config{ContextTakeover: true},
			with(func(p *Params) { p.ServerNoContextTakeover = false }), "permessage-deflate"},
		{"browser offer", []string{"permessage-deflate; client_max_window_bits"}, Config{},
			full, "permessage-deflate; server_no_context_takeover"},
		{"client window with value is echoed", []string{"permessage-deflate; client_max_window_bits=10"}, Config{},
			with(func(p *Params) { p.ClientMaxWindowBits = 10 }),
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=10"},
		{"server window is echoed", []string{"permessage-deflate; server_max_window_bits=9"}, Config{ContextTakeover: true},
			with(func(p *Params) { p.ServerNoContextTakeover = false; p.ServerMaxWindowBits = 9 }),
			"permessage-deflate; server_max_window_bits=9"},
		{"server no takeover is answered", []string{"permessage-deflate; server_no_context_takeover"}, Config{ContextTakeover: true},
			full, "permessage-deflate; server_no_context_takeover"},
		{"client no takeover is echoed", []string{"permessage-deflate; client_no_context_takeover"}, Config{ContextTakeover: true},
			with(func(p *Params) { p.ServerNoContextTakeover = false; p.ClientNoContextTakeover = true }),
			"permessage-deflate; client_no_context_takeover"},
		{"everything", []string{`permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=12`}, Config{},
			Params{true, true, 8, 12},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=12"},
		{"case-insensitive names", []string{"PerMessage-Deflate; Server_Max_Window_Bits=10"}, Config{},
			with(func(p *Params) { p.ServerMaxWindowBits = 10 }),
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=10"},
		{"quoted value", []string{`permessage-deflate; server_max_window_bits="10"`}, Config{},
			with(func(p *Params) { p.ServerMaxWindowBits = 10 }),
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=10"},
		{"quoted value with escape", []string{`permessage-deflate; client_max_window_bits="1\1"`}, Config{},
			with(func(p *Params) { p.ClientMaxWindowBits = 11 }),
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=11"},
		{"spaces and tabs", []string{" permessage-deflate ;\tclient_max_window_bits = 9 , foo"}, Config{},
			with(func(p *Params) { p.ClientMaxWindowBits = 9 }),
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=9"},
		{"first acceptable of several in one value",
			[]string{"permessage-deflate; server_max_window_bits=7, permessage-deflate; client_max_window_bits=8, permessage-deflate"}, Config{},
			with(func(p *Params) { p.ClientMaxWindowBits = 8 }),
			"permessage-deflate; server_no_context_takeover; client_max_window_bits=8"},
		{"first acceptable across values",
			[]string{"x-foo; a=\"b,c\"", "permessage-deflate; bogus", "", "permessage-deflate; server_max_window_bits=12"}, Config{},
			with(func(p *Params) { p.ServerMaxWindowBits = 12 }),
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=12"},
		{"comma in a quoted string does not split", []string{`x-foo; a="b,permessage-deflate,c"`}, Config{}, Params{}, ""},
	}
	declined := []string{
		"permessage-deflate; unknown",
		"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
		"permessage-deflate; client_max_window_bits; CLIENT_MAX_WINDOW_BITS=10",
		"permessage-deflate; server_no_context_takeover=1",
		`permessage-deflate; client_no_context_takeover=""`,
		"permessage-deflate; server_max_window_bits",
		"permessage-deflate; server_max_window_bits=7",
		"permessage-deflate; server_max_window_bits=16",
		"permessage-deflate; server_max_window_bits=010",
		"permessage-deflate; server_max_window_bits=+9",
		"permessage-deflate; server_max_window_bits=9.0",
		`permessage-deflate; server_max_window_bits=""`,
		`permessage-deflate; server_max_window_bits="1 0"`,
		`permessage-deflate; client_max_window_bits="10`,
		"permessage-deflate; client_max_window_bits=",
		"permessage-deflate;",
		"permessage-deflate; ; client_max_window_bits",
		"permessage-deflate client_max_window_bits",
		"permessage-deflate; client_max_window_bits=1 0",
		"permessage-deflate/1",
	}
	for _, v := range declined {
		tests = append(tests, struct {
			name     string
			values   []string
			cfg      Config
			want     Params
			response string
		}{"declines " + v, []string{v}, Config{}, Params{}, ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, resp, ok := Accept(tt.values, tt.cfg)
			if ok != (tt.response != "") || p != tt.want || resp != tt.response {
				t.Fatalf("Accept(%q) = %+v, %q, %v; want %+v, %q", tt.values, p, resp, ok, tt.want, tt.response)
			}
			if !ok {
				return
			}
			// What the server answers, a client that offered the same
			// accepts with the same parameters, but for the hint of
			// client_no_context_takeover, which the server echoes.
			got, ok, err := ParseResponse([]string{resp}, Config{ContextTakeover: true})
			if err != nil || !ok || got != tt.want {
				t.Fatalf("ParseResponse(%q) = %+v, %v, %v; want %+v", resp, got, ok, err, tt.want)
			}
		})
	}
}

func TestOffer(t *testing.T) {
	if got, want := Offer(Config{}), "permessage-deflate; client_no_context_takeover; client_max_window_bits"; got != want {
		t.Errorf("Offer(Config{}) = %q, want %q", got, want)
	}
	if got, want := Offer(Config{ContextTakeover: true}), "permessage-deflate; client_max_window_bits"; got != want {
		t.Errorf("Offer with takeover = %q, want %q", got, want)
	}
	// Our own server accepts our own offer.
	for _, cfg := range []Config{{}, {ContextTakeover: true}} {
		p, resp, ok := Accept([]string{Offer(cfg)}, cfg)
		if !ok {
			t.Fatalf("Accept(Offer(%+v)) declined", cfg)
		}
		got, ok, err := ParseResponse([]string{resp}, cfg)
		if err != nil || !ok || got != p {
			t.Fatalf("ParseResponse(%q) = %+v, %v, %v; server has %+v", resp, got, ok, err, p)
		}
	}
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		cfg    Config
		want   Params
		ok     bool
		err    string // substring of the error; "" for none
	}{
		{"none", nil, Config{}, Params{}, false, ""},
		{"empty values", []string{"", " , "}, Config{}, Params{}, false, ""},
		{"bare, our promise kept", []string{"permessage-deflate"}, Config{},
			Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, true, ""},
		{"bare, takeover", []string{"permessage-deflate"}, Config{ContextTakeover: true},
			Params{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, true, ""},
		{"server limits itself", []string{"permessage-deflate; server_no_context_takeover; server_max_window_bits=10"}, Config{ContextTakeover: true},
			Params{ServerNoContextTakeover: true, ServerMaxWindowBits: 10, ClientMaxWindowBits: 15}, true, ""},
		{"server limits our window", []string{`Permessage-Deflate; Client_Max_Window_Bits="9"; client_no_context_takeover`}, Config{ContextTakeover: true},
			Params{ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 9}, true, ""},
		{"other extension", []string{"x-foo"}, Config{}, Params{}, false, "not offered"},
		{"other extension after ours", []string{"permessage-deflate", "x-foo"}, Config{}, Params{}, false, "not offered"},
		{"twice", []string{"permessage-deflate, permessage-deflate"}, Config{}, Params{}, false, "twice"},
		{"malformed", []string{"permessage-deflate; ="}, Config{}, Params{}, false, "malformed"},
		{"unknown parameter", []string{"permessage-deflate; foo"}, Config{}, Params{}, false, "unknown"},
		{"duplicate", []string{"permessage-deflate; server_max_window_bits=9; server_max_window_bits=9"}, Config{}, Params{}, false, "twice"},
		{"client window without value", []string{"permessage-deflate; client_max_window_bits"}, Config{}, Params{}, false, "no value"},
		{"server window without value", []string{"permessage-deflate; server_max_window_bits"}, Config{}, Params{}, false, "no value"},
		{"window too small", []string{"permessage-deflate; server_max_window_bits=7"}, Config{}, Params{}, false, "invalid value"},
		{"window too large", []string{"permessage-deflate; client_max_window_bits=16"}, Config{}, Params{}, false, "invalid value"},
		{"takeover with value", []string{"permessage-deflate; server_no_context_takeover=true"}, Config{}, Params{}, false, "has a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok, err := ParseResponse(tt.values, tt.cfg)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseResponse(%q) error %v, want one with %q", tt.values, err, tt.err)
				}
				return
			}
			if err != nil || ok != tt.ok || p != tt.want {
				t.Fatalf("ParseResponse(%q) = %+v, %v, %v; want %+v, %v", tt.values, p, ok, err, tt.want, tt.ok)
			}
		})
	}
}

// TestResponseAgainstOffer checks the rules that tie a response to its
// offer, with offers that Offer does not make today.
func TestResponseAgainstOffer(t *testing.T) {
	tests := []struct {
		offer, answer deflateParams
		ok            bool
	}{
		{deflateParams{}, deflateParams{clientBits: 10}, false},
		{deflateParams{clientBitsNoValue: true}, deflateParams{clientBits: 10}, true},
		{deflateParams{clientBits: 10}, deflateParams{clientBits: 10}, true},
		{deflateParams{clientBits: 10}, deflateParams{clientBits: 11}, false},
		{deflateParams{serverBits: 10}, deflateParams{}, false},
		{deflateParams{serverBits: 10}, deflateParams{serverBits: 9}, true},
		{deflateParams{serverBits: 10}, deflateParams{serverBits: 12}, false},
		{deflateParams{}, deflateParams{serverBits: 12}, true},
		{deflateParams{serverNoTakeover: true}, deflateParams{}, false},
		{deflateParams{serverNoTakeover: true}, deflateParams{serverNoTakeover: true}, true},
		{deflateParams{}, deflateParams{serverNoTakeover: true, clientNoTakeover: true}, true},
	}
	for _, tt := range tests {
		if err := tt.offer.allows(tt.answer); (err == nil) != tt.ok {
			t.Errorf("offer %q, answer %q: %v, want ok %v", tt.offer, tt.answer, err, tt.ok)
		}
	}
}
