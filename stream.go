package asyncio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// DefaultStreamLimit is the most a StreamReader buffers while looking for
// a separator, and the point past which it pauses its transport (asyncio's
// 64 KiB).
const DefaultStreamLimit = 64 << 10

// IncompleteReadError is returned when the stream ends before a read could
// be satisfied (asyncio.IncompleteReadError). Partial holds what was read;
// it is consumed from the stream.
//
// Err is why the stream ended, and what errors.Is and errors.As see
// through the error: the connection's error if it was lost by one (a
// reset, say); at a clean end, io.EOF if nothing was read, else
// io.ErrUnexpectedEOF, as io.ReadFull returns them. So a loop that stops
// at io.EOF stops at the end of a stream that ended between records, and
// not at one cut short in the middle of a record.
type IncompleteReadError struct {
	Partial  []byte
	Expected int   // bytes wanted; -1 when a separator was
	Err      error // io.EOF, io.ErrUnexpectedEOF or the connection's error
}

func (e *IncompleteReadError) Error() string {
	var msg string
	if e.Expected < 0 {
		msg = fmt.Sprintf("asyncio: stream ended after %d bytes, before the separator", len(e.Partial))
	} else {
		msg = fmt.Sprintf("asyncio: stream ended after %d of %d bytes", len(e.Partial), e.Expected)
	}
	if e.Err != nil && e.Err != io.EOF && e.Err != io.ErrUnexpectedEOF {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns e.Err.
func (e *IncompleteReadError) Unwrap() error { return e.Err }

// LimitOverrunError is returned by ReadUntil and ReadUntilAny when the
// buffered data reaches the reader's limit without the separator
// (asyncio.LimitOverrunError). The data stays in the stream; Consumed is
// how much of it holds no separator.
//
// Err is the error the connection was lost with, if it was lost by one
// before the overrun was found, so that errors.Is sees it; the data is
// still in the stream, and reads return Err once it is read.
type LimitOverrunError struct {
	Consumed int
	Err      error
}

func (e *LimitOverrunError) Error() string {
	msg := fmt.Sprintf("asyncio: separator not found within the stream's limit (%d bytes scanned)", e.Consumed)
	if e.Err != nil {
		msg += "; the connection was lost: " + e.Err.Error()
	}
	return msg
}

// Unwrap returns e.Err.
func (e *LimitOverrunError) Unwrap() error { return e.Err }

// ErrLineTooLong is returned by ReadLine for a line longer than the limit;
// the line is discarded, as asyncio's readline does before its ValueError.
var ErrLineTooLong = errors.New("asyncio: line longer than the stream's limit")

// errConcurrentRead is returned when two tasks read one stream at once.
var errConcurrentRead = errors.New("asyncio: another task is already reading this stream")

// A StreamReader is the read side of a stream connection
// (asyncio.StreamReader). It buffers what arrives, up to about twice its
// limit before it pauses the transport; a read that waits for more
// resumes it. Its methods wait in the calling task; one task at a time may
// read.
//
// When the stream ends, what arrived before its end is read first, as
// from an io.Reader: a read that the buffer can satisfy succeeds. A read
// that it cannot satisfy returns the end: io.EOF at a clean end (the
// peer's EOF, a close), or the error the connection was lost with (a
// reset, say), and so does every read after it; a read already waiting
// is woken with it. Read and ReadLine return it as it is, ReadExactly,
// ReadUntil and ReadUntilAny in an *IncompleteReadError that holds what
// was left (asyncio raises the connection's error even with data
// buffered, which is then lost).
//
// A server keeps a reader, and a task waiting in it, for every idle
// connection, so what a waiting reader holds is kept small: no buffer once
// everything buffered is read (see consume), no future per wait (see wait),
// and frames small enough on the way to the wait that the task's goroutine
// keeps its first, 2 KiB stack (see task_stackdepth_test.go).
type StreamReader struct {
	buf   []byte
	err   error // the error the connection was lost with, if it was
	tr    Transport
	limit int
	// The wake of the task waiting for data: fired as a future's would
	// be, for no allocation. A goroutine that is not a task waits on
	// blocked.
	waiter  wake
	blocked chan struct{}
	eof     bool
	paused  bool
	reading bool
}

func newStreamReader(limit int) *StreamReader { return &StreamReader{limit: streamLimit(limit)} }

// streamLimit is the limit of a reader asked for with limit: limit, or
// DefaultStreamLimit for none.
func streamLimit(limit int) int {
	if limit <= 0 {
		return DefaultStreamLimit
	}
	return limit
}

// feed appends data from the transport.
func (r *StreamReader) feed(p []byte) {
	r.buf = append(r.buf, p...)
	r.wake()
	if !r.paused && len(r.buf) > 2*r.limit && r.tr != nil {
		r.paused = true
		r.tr.PauseReading()
	}
}

func (r *StreamReader) feedEOF(err error) {
	r.eof = true
	if err != nil && r.err == nil {
		r.err = err
	}
	r.wake()
}

// wake resumes the task or goroutine waiting for data, if one does.
func (r *StreamReader) wake() {
	if w := r.waiter; w.t != nil {
		r.waiter = wake{}
		w.fire()
	}
	if r.blocked != nil {
		close(r.blocked)
		r.blocked = nil
	}
}

// consume removes n bytes from the buffer and returns them, resuming the
// transport once the buffer is back under the limit. Once everything
// buffered is taken the buffer goes with it (or, if it is much larger, is
// dropped), so that an idle connection holds none; the next data makes a
// new one.
func (r *StreamReader) consume(n int) []byte {
	var out []byte
	if n > 0 && n == len(r.buf) && cap(r.buf)-n <= max(n, 64) {
		out = r.buf[:n:n] // handed over: no copy
	} else {
		out = make([]byte, n)
		copy(out, r.buf)
	}
	if n == len(r.buf) {
		r.buf = nil
	} else {
		r.buf = r.buf[:copy(r.buf, r.buf[n:])]
	}
	if r.paused && len(r.buf) <= r.limit {
		r.paused = false
		r.tr.ResumeReading()
	}
	return out
}

// wait waits for more data, the end of the stream, or ctx. It may also
// return nil before any of them (the task was woken for another reason),
// so its callers check for data again after it, in a loop.
//
// This is the wait of every idle connection of a stream server, so it
// parks the task itself, with no future, and keeps what is rare (a reader
// that is not a task, misuse) out of line: its frame, and those of the
// functions it calls, are on the stack of every waiting reader.
func (r *StreamReader) wait(ctx context.Context) error {
	t, err := taskOf(ctx)
	if t == nil || r.reading {
		return r.waitNotTask(ctx, err)
	}
	if err := waitError(ctx); err != nil {
		return err
	}
	if r.paused {
		r.resumeForWait()
	}
	r.waiter, r.reading = t.beginWait(), true
	t.waitingIn, t.waitOn = waitStreamRead, nil
	err = t.park(ctx)
	r.waiter, r.reading = wake{}, false
	if err == nil {
		// A cancellation that arrived before the task resumed wins over
		// the data, which stays in the buffer.
		err = waitError(ctx)
	}
	return err
}

// waitNotTask is wait for the rare cases: a concurrent read, a wait from
// the wrong task (err), or a wait from a goroutine that is not a task,
// which blocks until the loop feeds data or ctx ends.
//
//go:noinline
func (r *StreamReader) waitNotTask(ctx context.Context, err error) error {
	if r.reading {
		return errConcurrentRead
	}
	if err != nil {
		return err
	}
	if err := waitError(ctx); err != nil {
		return err
	}
	if err := checkBlocking(); err != nil {
		return err
	}
	if r.paused {
		r.resumeForWait()
	}
	ch := make(chan struct{})
	r.blocked, r.reading = ch, true
	defer func() { r.reading = false }()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return waitError(ctx)
	}
}

// resumeForWait resumes the transport a reader paused at its limit, before
// a read waits for more: a read that needs more than the reader buffers
// before pausing (a ReadExactly of more than twice the limit) would
// otherwise wait for data that never comes, as asyncio's _wait_for_data
// says.
//
//go:noinline
func (r *StreamReader) resumeForWait() {
	r.paused = false
	r.tr.ResumeReading()
}

// Read returns up to n bytes, waiting until at least one is there or the
// stream ends (asyncio's read(n)). Once the stream has ended and its
// buffer is empty it returns io.EOF, or the error the connection was lost
// with (asyncio returns an empty bytes object).
//
// n < 0 reads until the end of the stream, as io.ReadAll: a clean end is
// no error, and if the connection was lost by one, what was read comes
// back with the error. n == 0 returns an empty slice.
func (r *StreamReader) Read(ctx context.Context, n int) ([]byte, error) {
	if n <= 0 {
		return r.readAllOrNothing(ctx, n)
	}
	for len(r.buf) == 0 && !r.eof {
		if err := r.wait(ctx); err != nil {
			return nil, err
		}
	}
	if len(r.buf) == 0 {
		return nil, r.endErr()
	}
	return r.consume(min(n, len(r.buf))), nil
}

// readAllOrNothing is Read for n <= 0, out of Read, whose frame is on the
// stack of every waiting reader.
//
//go:noinline
func (r *StreamReader) readAllOrNothing(ctx context.Context, n int) ([]byte, error) {
	if n == 0 {
		return []byte{}, nil
	}
	// All of the stream is wanted, so all of it is buffered: each wait
	// resumes a transport paused at the limit. (asyncio reads in blocks
	// of the limit; buffering instead keeps the data in the stream if
	// ctx is cancelled.)
	for !r.eof {
		if err := r.wait(ctx); err != nil {
			return nil, err
		}
	}
	return r.consume(len(r.buf)), r.lostErr()
}

// lostErr is the connection's error, if it ended by one.
func (r *StreamReader) lostErr() error { return r.err }

// endErr is the error of a read that the buffer cannot satisfy once the
// stream has ended: the connection's error, or io.EOF.
func (r *StreamReader) endErr() error {
	if r.err != nil {
		return r.err
	}
	return io.EOF
}

// incomplete consumes what is buffered and returns it in the
// *IncompleteReadError of a read of expected bytes (-1: up to a
// separator) that the stream's end cut short.
//
//go:noinline
func (r *StreamReader) incomplete(expected int) error {
	partial := r.consume(len(r.buf))
	err := r.err
	switch {
	case err != nil:
	case len(partial) == 0:
		err = io.EOF
	default:
		err = io.ErrUnexpectedEOF
	}
	return &IncompleteReadError{Partial: partial, Expected: expected, Err: err}
}

// ReadExactly returns exactly n bytes, waiting for them; if the stream
// ends first it returns an *IncompleteReadError with what there was,
// which wraps io.EOF if that was nothing, io.ErrUnexpectedEOF if it was
// something, or the error the connection was lost with.
func (r *StreamReader) ReadExactly(ctx context.Context, n int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("asyncio: ReadExactly of %d bytes", n)
	}
	for len(r.buf) < n && !r.eof {
		if err := r.wait(ctx); err != nil {
			return nil, err
		}
	}
	if len(r.buf) < n {
		return nil, r.incomplete(n)
	}
	return r.consume(n), nil
}

// ReadUntil returns the data up to and including sep, waiting for it
// (asyncio's readuntil). If the stream ends first it returns an
// *IncompleteReadError with the rest, which wraps the stream's end as
// ReadExactly's does; if the limit is reached first, a
// *LimitOverrunError, and the data stays in the stream.
func (r *StreamReader) ReadUntil(ctx context.Context, sep []byte) ([]byte, error) {
	return r.readUntil(ctx, "ReadUntil", sep)
}

// ReadUntilAny is ReadUntil with several separators (asyncio 3.13's
// readuntil with a tuple of them): it returns the shortest data that ends
// with any of seps, whatever their order. A separator that is the start
// of another one therefore wins over it: with "\r" and "\r\n", "a\r\nb"
// reads as "a\r" and then "\nb". When two separators end at the same
// byte ("\r\n" and "\n"), the shorter one is the match, and the limit
// is checked against where it starts. The errors are ReadUntil's: an
// *IncompleteReadError with the rest if the stream ends before any
// separator, a *LimitOverrunError, with the data left in the stream, if
// the limit is reached first. Giving no separator, or an empty one, is
// an error.
func (r *StreamReader) ReadUntilAny(ctx context.Context, seps ...[]byte) ([]byte, error) {
	return r.readUntil(ctx, "ReadUntilAny", seps...)
}

// readUntil is ReadUntil and ReadUntilAny; method names the caller in
// errors.
//
// Its frame is on the stack of every task waiting in ReadLine, so what
// is not the wait itself is out of line, in separatorsLen and scanUntil.
func (r *StreamReader) readUntil(ctx context.Context, method string, seps ...[]byte) ([]byte, error) {
	maxLen, err := separatorsLen(method, seps)
	if err != nil {
		return nil, err
	}
	// Where the search resumes: no separator starts before from. A
	// separator that starts later may still be incomplete, so after a
	// search that found none, from is the first place the longest one
	// could start (asyncio's offset); only the last maxLen-1 bytes are
	// searched again when more data arrives.
	from := 0
	for {
		out, next, err := r.scanUntil(from, maxLen, seps)
		if next < 0 {
			return out, err
		}
		from = next
		if err := r.wait(ctx); err != nil {
			return nil, err
		}
	}
}

// separatorsLen checks the separators given to readUntil (method names
// the caller) and returns the length of the longest.
//
//go:noinline
func separatorsLen(method string, seps [][]byte) (int, error) {
	if len(seps) == 0 {
		return 0, fmt.Errorf("asyncio: %s without a separator", method)
	}
	maxLen := 0
	for _, sep := range seps {
		if len(sep) == 0 {
			return 0, fmt.Errorf("asyncio: %s with an empty separator", method)
		}
		maxLen = max(maxLen, len(sep))
	}
	return maxLen, nil
}

// scanUntil is one search of readUntil, from from on. It returns next < 0
// and readUntil's result if the read is over (a separator found, the limit
// passed, the end of the stream); else where the search resumes once more
// data has arrived.
//
//go:noinline
func (r *StreamReader) scanUntil(from, maxLen int, seps [][]byte) (out []byte, next int, err error) {
	if start, end := firstSeparator(r.buf, from, seps); end >= 0 {
		if start > r.limit { // as asyncio: the separator starts past the limit
			return nil, -1, &LimitOverrunError{Consumed: start, Err: r.err}
		}
		return r.consume(end), -1, nil
	}
	next = max(0, len(r.buf)-maxLen+1)
	if next > r.limit {
		return nil, -1, &LimitOverrunError{Consumed: next, Err: r.err}
	}
	if r.eof {
		return nil, -1, r.incomplete(-1)
	}
	return nil, next, nil
}

// firstSeparator finds, in buf from from on, the separator of seps whose
// first occurrence ends first, the shorter one when two end at the same
// byte, as asyncio chooses. It returns where that occurrence starts and
// ends, or -1, -1.
func firstSeparator(buf []byte, from int, seps [][]byte) (start, end int) {
	start, end = -1, -1
	for _, sep := range seps {
		// Only an occurrence ending no later than the best so far can
		// win: search no further than that.
		window := buf
		if end >= 0 {
			window = buf[:end]
		}
		if from >= len(window) {
			continue
		}
		i := bytes.Index(window[from:], sep)
		if i < 0 {
			continue
		}
		if e := from + i + len(sep); end < 0 || e < end || e == end && len(sep) < end-start {
			start, end = from+i, e
		}
	}
	return start, end
}

// ReadLine returns the next line, with its "\n". At a clean end of the
// stream it returns the last line even if it is unterminated, and then
// io.EOF (asyncio returns an empty bytes object), so that a loop that
// reads lines until an error ends. If the connection was lost by an error,
// the error comes once every whole line is read, in an
// *IncompleteReadError if part of a line was left. A line longer than
// the limit is discarded with ErrLineTooLong.
func (r *StreamReader) ReadLine(ctx context.Context) ([]byte, error) {
	line, err := r.readUntil(ctx, "ReadUntil", lineSeps...)
	if err != nil {
		return r.lineError(err)
	}
	return line, nil
}

// lineSeps is ReadLine's separator, made once.
var lineSeps = [][]byte{{'\n'}}

// lineError is ReadLine's result when readUntil fails: out of ReadLine,
// whose frame is on the stack of every task waiting in it.
//
//go:noinline
func (r *StreamReader) lineError(err error) ([]byte, error) {
	var inc *IncompleteReadError
	var over *LimitOverrunError
	switch {
	case errors.As(err, &inc):
		switch {
		case len(inc.Partial) == 0:
			return nil, inc.Err // io.EOF or the connection's error
		case r.err == nil:
			return inc.Partial, nil // the last line, unterminated
		}
		return nil, err // part of a line, cut by the connection's error
	case errors.As(err, &over):
		// As asyncio: drop the line up to its end if it is there, else
		// everything buffered.
		if bytes.HasPrefix(r.buf[over.Consumed:], []byte{'\n'}) {
			r.consume(over.Consumed + 1)
		} else {
			r.consume(len(r.buf))
		}
		return nil, ErrLineTooLong
	}
	return nil, err
}

// AtEOF reports whether the stream has ended and its buffer is empty: a
// read would return io.EOF or the connection's error.
func (r *StreamReader) AtEOF() bool { return r.eof && len(r.buf) == 0 }

// Limit returns the reader's limit.
func (r *StreamReader) Limit() int { return r.limit }

// A StreamWriter is the write side of a stream connection
// (asyncio.StreamWriter). Write never blocks; Drain waits while the
// transport's buffer is above its high-water mark.
type StreamWriter struct {
	tr     Transport
	p      *streamProtocol
	reader *StreamReader
}

// Write queues p to be sent. Call Drain to wait for the buffer to empty
// below its high-water mark.
func (w *StreamWriter) Write(p []byte) error { return w.tr.Write(p) }

// WriteLines writes each line in turn.
func (w *StreamWriter) WriteLines(lines ...[]byte) error {
	for _, l := range lines {
		if err := w.tr.Write(l); err != nil {
			return err
		}
	}
	return nil
}

// Drain waits until the transport's buffer is below its high-water mark,
// or returns the connection's error if it was lost. Any number of tasks
// may wait in Drain at once.
func (w *StreamWriter) Drain(ctx context.Context) error {
	if w.p.lostErr != nil {
		return w.p.lostErr
	}
	if w.tr.IsClosing() {
		return Sleep(ctx, 0) // let a pending close or loss be seen
	}
	for w.p.paused {
		if w.p.drain == nil {
			w.p.drain = NewEvent()
		}
		if err := w.p.drain.Wait(ctx); err != nil {
			return err
		}
	}
	return w.p.lostErr
}

// WriteEOF shuts the write side once the buffer is sent.
func (w *StreamWriter) WriteEOF() error { return w.tr.WriteEOF() }

// CanWriteEOF reports whether WriteEOF is supported.
func (w *StreamWriter) CanWriteEOF() bool { return w.tr.CanWriteEOF() }

// Close closes the connection once the buffer is sent.
func (w *StreamWriter) Close() error { return w.tr.Close() }

// IsClosing reports whether the writer is closed or closing.
func (w *StreamWriter) IsClosing() bool { return w.tr.IsClosing() }

// WaitClosed waits until the connection is closed and returns its error,
// if it ended by one.
func (w *StreamWriter) WaitClosed(ctx context.Context) error {
	p := w.p
	if !p.lost {
		if p.closed == nil {
			p.closed = NewEvent()
		}
		if err := p.closed.Wait(ctx); err != nil {
			return err
		}
	}
	return p.lostErr
}

// Transport returns the writer's transport.
func (w *StreamWriter) Transport() Transport { return w.tr }

// streamProtocol joins a transport to a StreamReader and StreamWriter. The
// three are one allocation, and the events tasks wait on are made when a
// task waits, as a server holds one of each per idle connection.
type streamProtocol struct {
	reader  StreamReader
	writer  StreamWriter
	drain   *Event // made by a Drain while writing is paused; set and dropped on resume
	closed  *Event // made by a WaitClosed before the connection is lost; set then
	lostErr error
	srv     *streamServer // a server's connection: ConnectionMade starts its handler
	paused  bool
	lost    bool
}

func newStreamProtocol(limit int, srv *streamServer) *streamProtocol {
	p := &streamProtocol{srv: srv}
	p.reader.limit = streamLimit(limit)
	return p
}

func (p *streamProtocol) ConnectionMade(t Transport) {
	p.reader.tr = t
	p.writer = StreamWriter{tr: t, p: p, reader: &p.reader}
	if p.srv != nil {
		p.srv.startHandler(p)
	}
}

func (p *streamProtocol) DataReceived(b []byte) { p.reader.feed(b) }

func (p *streamProtocol) EOFReceived() bool {
	p.reader.feedEOF(nil)
	return true // the writer may still write: a half-closed connection
}

func (p *streamProtocol) ConnectionLost(err error) {
	p.lostErr, p.lost = err, true
	p.reader.feedEOF(err)
	if p.paused {
		p.ResumeWriting()
	}
	if p.closed != nil {
		p.closed.Set()
	}
}

func (p *streamProtocol) PauseWriting() { p.paused = true }

func (p *streamProtocol) ResumeWriting() {
	p.paused = false
	if d := p.drain; d != nil {
		p.drain = nil
		d.Set()
	}
}

// Reader returns an io.Reader that reads from r as a wait of the task of
// ctx, so that bufio, encoding/json and the like work on a stream. Its
// Read returns what is buffered, up to len(p), waiting only when nothing
// is, and 0 with io.EOF at the end of the stream, or with the error the
// connection was lost with, once everything before it is read.
func (r *StreamReader) Reader(ctx context.Context) io.Reader { return streamIO{ctx: ctx, r: r} }

// Writer returns an io.Writer that writes to w and then drains it, as a
// wait of the task of ctx: the backpressure a blocking writer expects.
func (w *StreamWriter) Writer(ctx context.Context) io.Writer { return streamIO{ctx: ctx, w: w} }

type streamIO struct {
	ctx context.Context
	r   *StreamReader
	w   *StreamWriter
}

func (s streamIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, err := s.r.Read(s.ctx, len(p)) // data or an error, never both
	return copy(p, b), err
}

func (s streamIO) Write(p []byte) (int, error) {
	if err := s.w.Write(p); err != nil {
		return 0, err
	}
	if err := s.w.Drain(s.ctx); err != nil {
		return 0, err
	}
	return len(p), nil
}

// A StreamProtocol is the Protocol behind a StreamReader and a
// StreamWriter (asyncio's StreamReaderProtocol): connect it to a transport
// made outside this package, such as an in-memory one in a test, and use
// the connection as streams. It implements WriteFlowControl, so Drain
// waits while the transport's buffer is over its high-water mark.
type StreamProtocol struct{ streamProtocol }

// NewStreamProtocol returns a StreamProtocol whose reader buffers up to
// limit bytes before pausing the transport (limit ≤ 0: 64 KiB).
func NewStreamProtocol(limit int) *StreamProtocol {
	p := new(StreamProtocol)
	p.reader.limit = streamLimit(limit)
	return p
}

// Reader returns the protocol's reader. Reads wait for data from the
// moment the transport is connected.
func (p *StreamProtocol) Reader() *StreamReader { return &p.reader }

// Writer returns the protocol's writer, or nil before ConnectionMade.
func (p *StreamProtocol) Writer() *StreamWriter {
	if p.writer.tr == nil {
		return nil
	}
	return &p.writer
}
