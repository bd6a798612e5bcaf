package jobs

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// A Schedule says when a periodic job runs.
//
// Next depends on nothing but its argument and the schedule, so workers
// that start at different times compute the same fire times and can name
// the job they enqueue for one of them after it (with MsgID), letting the
// stream store it once.
type Schedule interface {
	// Next returns the first time strictly after t at which the job runs.
	Next(t time.Time) time.Time
}

// Every runs every d, at the multiples of d since the Unix epoch (so all
// processes agree): Every(time.Hour) fires on the hour, Every(24*time.Hour)
// at midnight UTC. Next returns times in UTC. d must be at least a second
// and a whole number of seconds; Every panics otherwise.
func Every(d time.Duration) Schedule {
	if d < time.Second || d%time.Second != 0 {
		panic(fmt.Sprintf("jobs: Every(%v): the period must be a whole number of seconds, at least one", d))
	}
	return every(d / time.Second)
}

// every is a period in seconds.
type every int64

func (e every) Next(t time.Time) time.Time {
	// t.Unix rounds down, also before 1970, so the next multiple is one
	// past the floor of the quotient.
	s, p := t.Unix(), int64(e)
	n := s / p
	if s%p < 0 {
		n--
	}
	return time.Unix((n+1)*p, 0).UTC()
}

// Cron parses a cron expression, evaluated in UTC. It panics on a bad spec
// (for package-level vars), like regexp.MustCompile. See ParseCron for the
// syntax.
func Cron(spec string) Schedule {
	s, err := ParseCron(spec, time.UTC)
	if err != nil {
		panic(err)
	}
	return s
}

// ParseCron parses a cron expression in location loc (nil = UTC) and
// returns an error naming the bad field for a bad one.
//
// A spec has five fields, minute hour day-of-month month day-of-week, or
// six with a leading second field (five fields fire at second 0):
//
//	field          values
//	second         0-59
//	minute         0-59
//	hour           0-23
//	day of month   1-31
//	month          1-12 or JAN-DEC
//	day of week    0-7 or SUN-SAT (0 and 7 are Sunday)
//
// A field is a comma-separated list of items; an item is *, a value, a
// range a-b, or one of those followed by /n to take every nth value
// (a/n means a to the end of the field's range). Names are
// case-insensitive. As in Vixie cron, when both day fields are restricted,
// a day matches if either does: "0 0 1 * MON" fires on the first of the
// month and on Mondays. A field is restricted unless it is a lone *
// (Vixie cron also counts "*/2" as unrestricted; this package does not).
// A spec may instead be one of the descriptors @yearly (or @annually),
// @monthly, @weekly (Sunday), @daily (or @midnight) and @hourly, which
// fire at the start of the period they name.
//
// The fields are matched against the wall clock in loc, and Next returns
// times in loc. When the clocks
// go forward, the times they skip do not exist and are not fired: a job at
// 02:30 in America/New_York does not run on the day summer time starts.
// When they go back, the times of the repeated hour occur twice and fire
// only the first time: a daily job runs once, but "0 * * * *" skips the
// second 01:00 and fires two hours after the first. Use UTC or Every for
// a pace that clock changes must not disturb.
//
// Next searches ten years ahead and returns the zero Time if it finds
// nothing, as for "0 0 30 2 *", which never fires. That is far enough for
// any spec that names days which exist: the rarest, 29 February, comes
// back after eight years at most (2096 to 2104).
func ParseCron(spec string, loc *time.Location) (Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	text := spec
	if strings.HasPrefix(spec, "@") {
		d, ok := descriptors[strings.ToLower(spec)]
		if !ok {
			return nil, fmt.Errorf("jobs: cron spec %q: unknown descriptor", spec)
		}
		text = d
	}
	f := strings.Fields(text)
	switch len(f) {
	case 5:
		f = append([]string{"0"}, f...)
	case 6:
	default:
		return nil, fmt.Errorf("jobs: cron spec %q: %d fields, want 5 or 6", spec, len(f))
	}
	s := &cron{loc: loc, domStar: f[3] == "*", dowStar: f[5] == "*"}
	for i, p := range []*bitset{&s.second, &s.minute, &s.hour, &s.dom, &s.month, &s.dow} {
		b, err := cronFields[i].parse(f[i])
		if err != nil {
			return nil, fmt.Errorf("jobs: cron spec %q: %s field %q: %v", spec, cronFields[i].name, f[i], err)
		}
		*p = b
	}
	return s, nil
}

// descriptors are the six-field specs the @ names stand for.
var descriptors = map[string]string{
	"@yearly":   "0 0 0 1 1 *",
	"@annually": "0 0 0 1 1 *",
	"@monthly":  "0 0 0 1 * *",
	"@weekly":   "0 0 0 * * 0",
	"@daily":    "0 0 0 * * *",
	"@midnight": "0 0 0 * * *",
	"@hourly":   "0 0 * * * *",
}

// A bitset holds the values a field matches: bit i for value i.
type bitset uint64

func (b bitset) has(i int) bool { return b&(1<<i) != 0 }

// next returns the least value in b that is at least i.
func (b bitset) next(i int) (int, bool) {
	m := b >> i
	if m == 0 {
		return 0, false
	}
	return i + bits.TrailingZeros64(uint64(m)), true
}

// A cronField describes the values one field of a spec may take.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var cronFields = [6]cronField{
	{name: "second", min: 0, max: 59},
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	// 7 is Sunday too; parse folds it onto 0, so * need not cover it.
	{name: "day-of-week", min: 0, max: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

func (f *cronField) parse(text string) (bitset, error) {
	var b bitset
	for _, item := range strings.Split(text, ",") {
		if item == "" {
			return 0, fmt.Errorf("empty list item")
		}
		r, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := number(stepText)
			if err != nil {
				return 0, fmt.Errorf("step %q: %v", stepText, err)
			}
			if n == 0 {
				return 0, fmt.Errorf("step 0")
			}
			step = n
		}
		var lo, hi int
		if r == "*" {
			lo, hi = f.min, f.max
			if f.max == 7 {
				hi = 6
			}
		} else {
			loText, hiText, isRange := strings.Cut(r, "-")
			var err error
			if lo, err = f.value(loText); err != nil {
				return 0, err
			}
			switch {
			case isRange:
				if hi, err = f.value(hiText); err != nil {
					return 0, err
				}
				if lo > hi {
					return 0, fmt.Errorf("range %s ends before it starts", r)
				}
			case hasStep:
				hi = f.max
			default:
				hi = lo
			}
		}
		for v := lo; v <= hi; v += step {
			bit := v
			if f.max == 7 {
				bit %= 7
			}
			b |= 1 << bit
		}
	}
	return b, nil
}

// value parses one value of f: a number or a name.
func (f *cronField) value(s string) (int, error) {
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, nil
		}
	}
	n, err := number(s)
	if err != nil {
		return 0, fmt.Errorf("value %q: %v", s, err)
	}
	if n < f.min || n > f.max {
		return 0, fmt.Errorf("value %d out of range %d-%d", n, f.min, f.max)
	}
	return n, nil
}

// number parses a decimal number of digits only; strconv.Atoi would take
// a sign too.
func number(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("missing number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a number")
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("number too large")
	}
	return n, nil
}

// cron is a parsed cron spec.
type cron struct {
	second, minute, hour, dom, month, dow bitset
	// domStar and dowStar say the day field was *: the other alone then
	// decides which days match.
	domStar, dowStar bool
	loc              *time.Location
}

// horizon is how many years Next looks ahead before it gives up.
const horizon = 10

func (s *cron) Next(t time.Time) time.Time {
	// c walks the wall clock in s.loc. It is kept as a time in UTC, which
	// has no clock changes, so that time.Date can carry overflowing fields
	// into the next larger ones; each mismatch moves c to the start of the
	// next value its field allows, skipping all smaller units at once.
	w := t.In(s.loc)
	c := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second()+1, 0, time.UTC)
	end := c.AddDate(horizon, 0, 0)
	for c.Before(end) {
		y, mo, d := c.Date()
		h, mi, sec := c.Clock()
		if m, ok := s.month.next(int(mo)); !ok {
			first, _ := s.month.next(1)
			c = time.Date(y+1, time.Month(first), 1, 0, 0, 0, 0, time.UTC)
			continue
		} else if m != int(mo) {
			c = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if !s.dayMatches(d, c.Weekday()) {
			c = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if v, ok := s.hour.next(h); !ok {
			c = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
			continue
		} else if v != h {
			c = time.Date(y, mo, d, v, 0, 0, 0, time.UTC)
			continue
		}
		if v, ok := s.minute.next(mi); !ok {
			c = time.Date(y, mo, d, h+1, 0, 0, 0, time.UTC)
			continue
		} else if v != mi {
			c = time.Date(y, mo, d, h, v, 0, 0, time.UTC)
			continue
		}
		if v, ok := s.second.next(sec); !ok {
			c = time.Date(y, mo, d, h, mi+1, 0, 0, time.UTC)
			continue
		} else if v != sec {
			c = time.Date(y, mo, d, h, mi, v, 0, time.UTC)
			continue
		}
		// The wall clock c matches. In the repeated hour its first
		// occurrence may lie before t (t is then in the second pass), and
		// it has no later one: go on to the next wall clock time.
		if u, ok := firstInstant(c, s.loc); ok && u.After(t) {
			return u
		}
		c = c.Add(time.Second)
	}
	return time.Time{}
}

func (s *cron) dayMatches(d int, wd time.Weekday) bool {
	dom, dow := s.dom.has(d), s.dow.has(int(wd))
	if s.domStar || s.dowStar {
		// The starred field matches every day.
		return dom && dow
	}
	return dom || dow
}

// firstInstant returns the first instant at which the wall clock in loc
// reads c (a time in UTC), and false if it never does because the clocks
// went forward past it.
func firstInstant(c time.Time, loc *time.Location) (time.Time, bool) {
	y, mo, d := c.Date()
	h, mi, s := c.Clock()
	u := time.Date(y, mo, d, h, mi, s, 0, loc)
	if !sameClock(u, c) {
		return time.Time{}, false
	}
	// time.Date does not promise which of two instants it picks when the
	// clocks went back. The earlier one, if u is the later, lies just
	// before the zone period of u began, at the offset in force then.
	start, _ := u.ZoneBounds()
	if !start.IsZero() {
		_, off := start.Add(-time.Second).Zone()
		e := time.Unix(c.Unix()-int64(off), 0).In(loc)
		if e.Before(start) && sameClock(e, c) {
			u = e
		}
	}
	return u, true
}

// sameClock reports whether u, in its location, reads the wall clock c.
func sameClock(u, c time.Time) bool {
	y1, mo1, d1 := u.Date()
	h1, mi1, s1 := u.Clock()
	y2, mo2, d2 := c.Date()
	h2, mi2, s2 := c.Clock()
	return y1 == y2 && mo1 == mo2 && d1 == d2 && h1 == h2 && mi1 == mi2 && s1 == s2
}
