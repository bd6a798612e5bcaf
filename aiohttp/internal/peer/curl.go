package peer

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// A CurlResult is what one run of curl did: one CurlTransfer per URL, in
// the order curl made them, and what curl wrote on standard error (its
// trace, with -v).
type CurlResult struct {
	Transfers []CurlTransfer
	Stderr    []byte
}

// A CurlTransfer is one URL fetched by curl, as curl saw it.
type CurlTransfer struct {
	URL    string
	Status int         // of the final response; 0 if there was none
	Proto  string      // of the final response: "HTTP/1.0", "HTTP/1.1", "HTTP/2"
	Header http.Header // of the final response, names canonicalized
	Body   []byte      // unless the arguments sent it elsewhere (-o)

	// Connects is how many connections curl opened for the transfer: 0
	// when it reused the previous transfer's connection (keep-alive).
	Connects int
}

// Curl runs curl with args, which name the URLs and any options, and
// returns what each transfer received. Curl adds its own options before
// args: -q (no .curlrc), -sS and a -w (write-out) through which it learns
// each transfer's status, headers and connections; args must not use -w
// or --next. A failed run (curl's exit status is not 0, or the run
// exceeds Timeout) returns the result so far and an error that carries
// curl's standard error, and wraps an *exec.ExitError when curl exited.
//
// Without curl in PATH, Curl ends the test through Missing.
func Curl(t testing.TB, args ...string) (*CurlResult, error) {
	t.Helper()
	return CurlStdin(t, nil, args...)
}

// CurlStdin is Curl with curl's standard input read from stdin, for
// uploads of "@-" (--data-binary @-, -T -).
func CurlStdin(t testing.TB, stdin io.Reader, args ...string) (*CurlResult, error) {
	t.Helper()
	curl := LookPath(t, "curl", "curl")
	// Each transfer's body is followed on standard output by the
	// write-out between two markers no body contains by chance.
	var nonce [12]byte
	rand.Read(nonce[:])
	begin := "<peer-curl-" + hex.EncodeToString(nonce[:]) + ">"
	end := "</peer-curl-" + hex.EncodeToString(nonce[:]) + ">"
	writeOut := begin + `{"info":%{json},"header":%{header_json}}` + end
	full := append([]string{"-q", "-sS", "-w", writeOut}, args...)
	stdout, stderr, err := run(t, stdin, curl, full...)
	res := &CurlResult{Stderr: stderr}
	transfers, perr := parseCurlOutput(stdout, begin, end)
	res.Transfers = transfers
	if err == nil && perr != nil {
		err = fmt.Errorf("curl: %w\nstdout:\n%q", perr, stdout)
	}
	return res, err
}

// curlWriteOut is the part of curl's write-out (-w) that Curl reads.
type curlWriteOut struct {
	Info struct {
		URL         string `json:"url"`
		Status      int    `json:"response_code"`
		HTTPVersion string `json:"http_version"`
		Connects    int    `json:"num_connects"`
	} `json:"info"`
	Header map[string][]string `json:"header"`
}

func parseCurlOutput(stdout []byte, begin, end string) ([]CurlTransfer, error) {
	var transfers []CurlTransfer
	for len(stdout) > 0 {
		body, rest, ok := bytes.Cut(stdout, []byte(begin))
		if !ok {
			return transfers, fmt.Errorf("output after the last transfer's write-out")
		}
		js, rest, ok := bytes.Cut(rest, []byte(end))
		if !ok {
			return transfers, fmt.Errorf("a write-out without its end")
		}
		var w curlWriteOut
		if err := json.Unmarshal(js, &w); err != nil {
			return transfers, fmt.Errorf("the write-out: %w", err)
		}
		tr := CurlTransfer{
			URL:      w.Info.URL,
			Status:   w.Info.Status,
			Header:   make(http.Header, len(w.Header)),
			Body:     body,
			Connects: w.Info.Connects,
		}
		switch v := w.Info.HTTPVersion; v {
		case "", "0": // no response
		case "1": // curl's name for 1.0
			tr.Proto = "HTTP/1.0"
		default:
			tr.Proto = "HTTP/" + v
		}
		for name, values := range w.Header {
			tr.Header[http.CanonicalHeaderKey(name)] = values
		}
		transfers = append(transfers, tr)
		stdout = rest
	}
	return transfers, nil
}

// String returns a summary of the transfer for test failure messages.
func (tr CurlTransfer) String() string {
	return fmt.Sprintf("%s: %s %d, %d new connection(s), body %q", tr.URL, tr.Proto, tr.Status, tr.Connects, tr.Body)
}
