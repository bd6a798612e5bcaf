package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procsCPU is the user + system CPU time of the processes (/proc/PID/stat,
// clock ticks of 10 ms); a pid of 0 or a process that is gone counts 0.
func procsCPU(pids []int) time.Duration {
	var ticks int64
	for _, pid := range pids {
		if pid <= 0 {
			continue
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		// The command name in parentheses may hold spaces: fields count
		// from the last ')'; utime and stime are the 12th and 13th after it.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
