package jobs

import "time"

// Schedule is a stand-in until the schedule parser lands.
type Schedule interface{ Next(t time.Time) time.Time }
