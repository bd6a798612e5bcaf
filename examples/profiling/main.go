// Profiling ports the seed tutorials' "profiling a program": the Go
// profiler in place of cProfile, with each task's goroutine labelled with
// the task's name (WithTaskLabels), so that a CPU profile splits by task.
//
// Two tasks share the loop: hasher computes SHA-256 digests and compressor
// deflates the same data, each giving the loop up between chunks. The
// program records a CPU profile meanwhile, then reads it back and prints
// which share of the samples each task's label got, which is what
//
//	go tool pprof -tagfocus asyncio.task=hasher cpu.pprof
//
// filters on. With -cpuprofile the profile is also written to a file.
package main

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/google/pprof/profile"
)

func main() {
	out := flag.String("cpuprofile", "", "also write the CPU profile to this file")
	flag.Parse()
	if err := run(os.Stdout, time.Second, *out); err != nil {
		fmt.Fprintln(os.Stderr, "profiling:", err)
		os.Exit(1)
	}
}

// work runs step on chunks of data until the loop's clock passes until,
// giving the loop up after each chunk.
func work(ctx context.Context, until time.Duration, step func([]byte)) error {
	data := bytes.Repeat([]byte("asyncio for Go profiles by task. "), 2048)
	loop := asyncio.RunningLoop(ctx)
	for loop.Time() < until {
		step(data)
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
	}
	return nil
}

// run profiles the two tasks for d of the loop's time and prints each
// task's share of the CPU samples to w; if file is not "", it also writes
// the profile there. The profiler samples 100 times a second of CPU time,
// so on a busy machine a short run may catch no sample of a task: run
// profiles again, twice as long, until it has caught both (at most four
// times).
func run(w io.Writer, d time.Duration, file string) error {
	var (
		prof   []byte
		byTask map[string]int64
		total  int64
		err    error
	)
	for range 4 {
		if prof, err = profileTasks(d); err != nil {
			return err
		}
		if byTask, total, err = samplesByTask(prof); err != nil {
			return err
		}
		if len(byTask) == 2 {
			break
		}
		d *= 2
	}
	if file != "" {
		if err := os.WriteFile(file, prof, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "CPU samples by the label asyncio.task:")
	for _, task := range slices.Sorted(maps.Keys(byTask)) {
		fmt.Fprintf(w, "  %-10s %3.0f%%\n", task, 100*float64(byTask[task])/float64(max(total, 1)))
	}
	return nil
}

// profileTasks runs the two tasks for d of the loop's time under the CPU
// profiler and returns the profile.
func profileTasks(d time.Duration) ([]byte, error) {
	var prof bytes.Buffer
	if err := pprof.StartCPUProfile(&prof); err != nil {
		return nil, err
	}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		until := asyncio.RunningLoop(ctx).Time() + d
		hasher := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, work(ctx, until, func(b []byte) {
				for range 8 { // about as long as a compression of b
					sha256.Sum256(b)
				}
			})
		}, asyncio.Name("hasher"))
		compressor := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, work(ctx, until, func(b []byte) {
				zw, _ := flate.NewWriter(io.Discard, flate.BestCompression)
				zw.Write(b)
				zw.Close()
			})
		}, asyncio.Name("compressor"))
		if _, err := hasher.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		_, err := compressor.Wait(ctx)
		return struct{}{}, err
	}, asyncio.WithTaskLabels(true))
	pprof.StopCPUProfile()
	return prof.Bytes(), err
}

// samplesByTask sums a CPU profile's samples by the label asyncio.task,
// and returns the total of all samples too.
func samplesByTask(prof []byte) (map[string]int64, int64, error) {
	p, err := profile.ParseData(prof)
	if err != nil {
		return nil, 0, err
	}
	byTask := map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		n := s.Value[0] // samples
		total += n
		if task := s.Label["asyncio.task"]; len(task) > 0 {
			byTask[task[0]] += n
		}
	}
	return byTask, total, nil
}
