package asyncio

import (
	"bytes"
	"reflect"
	"runtime"
	"strconv"
)

// goid returns the id of the calling goroutine. It parses runtime.Stack, so
// it is slow: debug mode uses it to catch loop-only calls made from other
// goroutines.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

// funcName names a callback in debug warnings.
func funcName(fn func()) string {
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		return f.Name()
	}
	return "?"
}
