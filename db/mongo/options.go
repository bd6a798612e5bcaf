package mongo

import "go.mongodb.org/mongo-driver/v2/mongo/options"

// An Option configures a Client made by Connect.
type Option func(*config)

type config struct {
	maxConns int
	workers  int
	driver   []*options.ClientOptions
}

// defaultMaxConns is the driver's own default for its pool's size.
const defaultMaxConns = 100

// MaxConns bounds the connections the client keeps open to each server
// (the driver's MaxPoolSize; 100 by default). Unless Workers says
// otherwise, the client's executor has as many goroutines, so that every
// connection can be busy at once and no goroutine waits for one.
func MaxConns(n int) Option { return func(c *config) { c.maxConns = n } }

// Workers sets how many goroutines the client's executor runs at most:
// the number of driver calls under way at once, the others waiting their
// turn in order. It defaults to MaxConns.
func Workers(n int) Option { return func(c *config) { c.workers = n } }

// DriverOptions adds options of the driver's own, applied after the URI's
// and before MaxConns, for what this package does not name: credentials,
// TLS, timeouts, read and write concerns, monitors.
func DriverOptions(o *options.ClientOptions) Option {
	return func(c *config) { c.driver = append(c.driver, o) }
}
