package wsdeflate

import "errors"

var (
	// ErrTooLarge reports that a message inflates to more than the limit
	// given to Decompress. The connection sends close code 1009 (message
	// too big).
	ErrTooLarge = errors.New("wsdeflate: decompressed message too large")

	// ErrCorrupt reports a payload that is not valid permessage-deflate
	// data. Decompress returns errors that wrap it, with flate's
	// description of the fault.
	ErrCorrupt = errors.New("wsdeflate: corrupt compressed message")
)
