package asyncio

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// threadTimes reads, for each thread of the process, the time it has run
// on a CPU and the time it has waited, runnable, for one (the first two
// fields of /proc/self/task/TID/schedstat, in nanoseconds). It reports
// false where the kernel does not say.
func threadTimes() (map[int]threadTime, bool) {
	d, err := os.Open("/proc/self/task")
	if err != nil {
		return nil, false
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, false
	}
	out := make(map[int]threadTime, len(names))
	buf := make([]byte, 0, 64)
	for _, name := range names {
		tid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		b, err := readSmall("/proc/self/task/"+name+"/schedstat", buf)
		if err != nil {
			continue // the thread has ended
		}
		f := bytes.Fields(b)
		if len(f) < 2 {
			return nil, false
		}
		run, err1 := strconv.ParseInt(string(f[0]), 10, 64)
		wait, err2 := strconv.ParseInt(string(f[1]), 10, 64)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		out[tid] = threadTime{run: time.Duration(run), wait: time.Duration(wait)}
	}
	return out, len(out) > 0
}

// readSmall reads a small file into buf's storage.
func readSmall(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := f.Read(buf[:cap(buf)])
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}
