//go:build !linux

package main

// dbAvailable says whether this build has the db-* modes: they measure
// CPU time with getrusage like the http modes, so they need Linux.
const dbAvailable = false

func dbBench(string, dbConfig) (map[string]any, error) { return nil, errDBUnavailable }
