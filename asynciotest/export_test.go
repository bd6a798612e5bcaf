package asynciotest

// CheckGoroutinesWithin is CheckGoroutines with a grace other than
// GoroutineGrace, so that a test of a leak need not wait five seconds.
var CheckGoroutinesWithin = checkGoroutines
