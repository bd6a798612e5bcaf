package aiohttp

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// A Part is one part of a multipart/form-data body: a form field with
// Value, or, with a Filename, a file whose content is read from Reader
// as the body is sent.
type Part struct {
	Name        string
	Value       string
	Filename    string
	ContentType string // of a file; default application/octet-stream
	Reader      io.Reader
}

// Multipart sends parts as a multipart/form-data body (aiohttp's
// FormData). Files are streamed from their readers as the request is
// sent, chunked, without a goroutine: the body is produced as it is read.
func Multipart(parts ...Part) RequestOption {
	return requestOption(func(c *requestConfig) {
		c.body = func() (io.Reader, int64, string, error) {
			m := &multipartReader{parts: parts}
			m.w = multipart.NewWriter(&m.buf)
			return m, -1, m.w.FormDataContentType(), nil
		}
	})
}

// multipartReader produces a multipart body on demand: the writer puts
// boundaries and part headers into buf, and a file's bytes go from its
// reader straight to the caller.
type multipartReader struct {
	parts []Part
	w     *multipart.Writer
	buf   bytes.Buffer
	file  io.Reader // the file being copied, if any
	done  bool
}

func (m *multipartReader) Read(p []byte) (int, error) {
	for {
		if m.buf.Len() > 0 {
			return m.buf.Read(p)
		}
		if m.file != nil {
			n, err := m.file.Read(p)
			if err == io.EOF {
				m.file, err = nil, nil
			}
			if n > 0 || err != nil {
				return n, err
			}
			continue
		}
		if m.done {
			return 0, io.EOF
		}
		if len(m.parts) == 0 {
			m.done = true
			if err := m.w.Close(); err != nil {
				return 0, err
			}
			continue
		}
		if err := m.next(); err != nil {
			return 0, err
		}
	}
}

// next writes the head of the next part, and its value if it is a field.
func (m *multipartReader) next() error {
	p := m.parts[0]
	m.parts = m.parts[1:]
	if p.Filename == "" && p.Reader == nil {
		return m.w.WriteField(p.Name, p.Value)
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="`+escapeQuotes(p.Name)+`"; filename="`+escapeQuotes(p.Filename)+`"`)
	ct := p.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	if _, err := m.w.CreatePart(h); err != nil {
		return err
	}
	if p.Reader != nil {
		m.file = p.Reader
	} else {
		m.buf.WriteString(p.Value)
	}
	return nil
}

// Close does nothing; it keeps http.NewRequest from hiding the reader
// behind a NopCloser, so that nonBlocking can be asked.
func (m *multipartReader) Close() error { return nil }

// nonBlocking reports whether every file is read from memory, so that the
// body can be read on the loop.
func (m *multipartReader) nonBlocking() bool {
	for _, p := range m.parts {
		if p.Reader != nil && !isInMemory(p.Reader) {
			return false
		}
	}
	return true
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }
