package mongo

import (
	"errors"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// ErrNoDocuments is returned by FindOne when no document matches. It is
// the driver's own error value, so errors.Is matches it against either
// package's name.
var ErrNoDocuments = mongodriver.ErrNoDocuments

// ErrClosed is returned by operations on a Client that is closing or
// closed.
var ErrClosed = errors.New("mongo: client is closed")
