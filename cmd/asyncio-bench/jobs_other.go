//go:build !linux

package main

// jobsAvailable says whether this build has the jobs mode: it reads CPU
// times from /proc, so it needs Linux.
const jobsAvailable = false

func jobsRun(jobsConfig) (map[string]any, error) { return nil, errJobsUnavailable }

func jobsWorker(jobsConfig, string) error { return errJobsUnavailable }
