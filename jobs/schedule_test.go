package jobs_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/jobs"
)

func TestParseCronErrors(t *testing.T) {
	tests := []struct {
		spec string
		want []string // substrings of the error
	}{
		{"", []string{"0 fields"}},
		{"* * * *", []string{"4 fields", "want 5 or 6"}},
		{"* * * * * * *", []string{"7 fields"}},
		{"60 * * * *", []string{`minute field "60"`, "out of range 0-59"}},
		{"60 * * * * *", []string{`second field "60"`, "out of range 0-59"}},
		{"* 24 * * *", []string{`hour field "24"`, "out of range 0-23"}},
		{"* * 0 * *", []string{`day-of-month field "0"`, "out of range 1-31"}},
		{"* * 32 * *", []string{`day-of-month field "32"`}},
		{"* * * 13 *", []string{`month field "13"`, "out of range 1-12"}},
		{"* * * 0 *", []string{`month field "0"`}},
		{"* * * * 8", []string{`day-of-week field "8"`, "out of range 0-7"}},
		{"*/0 * * * *", []string{"minute field", "step 0"}},
		{"* * 1-10/0 * *", []string{"day-of-month field", "step 0"}},
		{"*/ * * * *", []string{"minute field", "missing number"}},
		{"*/x * * * *", []string{"minute field", `step "x"`, "not a number"}},
		{"1,,2 * * * *", []string{"minute field", "empty list item"}},
		{"* * * * 1,", []string{"day-of-week field", "empty list item"}},
		{"5-3 * * * *", []string{"minute field", "5-3 ends before it starts"}},
		{"* * * * FRI-MON", []string{"day-of-week field", "ends before it starts"}},
		{"a * * * *", []string{"minute field", `value "a"`, "not a number"}},
		{"-1 * * * *", []string{"minute field", "missing number"}},
		{"+5 * * * *", []string{"minute field", "not a number"}},
		{"1-2-3 * * * *", []string{"minute field", "not a number"}},
		{"99999999999999999999 * * * *", []string{"minute field", "too large"}},
		{"* * * FOO *", []string{"month field", `value "FOO"`}},
		{"* * * * MONDAY", []string{"day-of-week field"}},
		{"* * * MON *", []string{"month field"}}, // weekday names are not months
		{"* * * * JAN", []string{"day-of-week field"}},
		{"@every 5m", []string{"unknown descriptor"}},
		{"@often", []string{"unknown descriptor"}},
	}
	for _, tt := range tests {
		s, err := jobs.ParseCron(tt.spec, nil)
		if err == nil {
			t.Errorf("ParseCron(%q) = %v, want an error", tt.spec, s)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseCron(%q) error %q does not say %q", tt.spec, err, w)
			}
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.spec)) {
			t.Errorf("ParseCron(%q) error %q does not quote the spec", tt.spec, err)
		}
	}
}

func TestCronPanicsOnBadSpec(t *testing.T) {
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !strings.Contains(err.Error(), "hour field") {
			t.Errorf("Cron panicked with %v, want an error naming the hour field", r)
		}
	}()
	jobs.Cron("0 25 * * *")
	t.Error("Cron did not panic")
}

func TestCronNext(t *testing.T) {
	tests := []struct {
		spec, from, want string // times in RFC 3339, evaluated in UTC
	}{
		// Plain values, lists, ranges and steps.
		{"30 10 * * *", "2026-12-06T09:00:00Z", "2026-12-06T10:30:00Z"},
		{"30 10 * * *", "2026-12-06T10:30:00Z", "2026-12-07T10:30:00Z"},
		{"30 10 * * *", "2026-12-06T10:29:59.999999999Z", "2026-12-06T10:30:00Z"},
		{"*/15 * * * *", "2026-12-06T10:07:00Z", "2026-12-06T10:15:00Z"},
		{"*/15 * * * *", "2026-12-06T10:45:00Z", "2026-12-06T11:00:00Z"},
		{"5/20 * * * *", "2026-12-06T10:30:00Z", "2026-12-06T10:45:00Z"},
		{"5/20 * * * *", "2026-12-06T10:45:00Z", "2026-12-06T11:05:00Z"},
		{"10-30/10 * * * *", "2026-12-06T10:09:00Z", "2026-12-06T10:10:00Z"},
		{"10-30/10 * * * *", "2026-12-06T10:30:00Z", "2026-12-06T11:10:00Z"},
		{"0 8,12-16/2 * * *", "2026-12-06T08:00:00Z", "2026-12-06T12:00:00Z"},
		{"0 8,12-16/2 * * *", "2026-12-06T14:00:00Z", "2026-12-06T16:00:00Z"},
		{"0 8,12-16/2 * * *", "2026-12-06T16:00:00Z", "2026-12-07T08:00:00Z"},
		{"0\t0  1 * *", "2026-12-06T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"0 0 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"},
		{"0 0 31 * *", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"},
		// Month and weekday names, any case; 7 is Sunday.
		{"0 12 * JAN,jul *", "2026-12-06T00:00:00Z", "2027-01-01T12:00:00Z"},
		{"0 12 1 Mar-May/2 *", "2026-03-02T00:00:00Z", "2026-05-01T12:00:00Z"},
		{"0 9 * * MON-FRI", "2026-12-04T09:00:00Z", "2026-12-07T09:00:00Z"}, // Fri to Mon
		{"0 9 * * mon-fri", "2026-12-07T09:00:00Z", "2026-12-08T09:00:00Z"},
		{"0 0 * * 7", "2026-12-01T00:00:00Z", "2026-12-06T00:00:00Z"},
		{"0 0 * * 0", "2026-12-01T00:00:00Z", "2026-12-06T00:00:00Z"},
		{"0 0 * * sun", "2026-12-01T00:00:00Z", "2026-12-06T00:00:00Z"},
		{"0 0 * * 6-7", "2026-12-05T00:00:00Z", "2026-12-06T00:00:00Z"},
		{"0 0 * * 6-7", "2026-12-06T00:00:00Z", "2026-12-12T00:00:00Z"},
		{"0 0 * * */3", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"}, // Sun, Wed, Sat
		// Day of month and day of week: either matches when both are
		// given, the given one when the other is *.
		{"0 0 13 * FRI", "2026-12-06T00:00:00Z", "2026-12-11T00:00:00Z"}, // a Friday
		{"0 0 13 * FRI", "2026-12-11T00:00:00Z", "2026-12-13T00:00:00Z"}, // a Sunday
		{"0 0 13 * FRI", "2026-12-13T00:00:00Z", "2026-12-18T00:00:00Z"},
		{"0 0 13 * *", "2026-12-06T00:00:00Z", "2026-12-13T00:00:00Z"},
		{"0 0 * * FRI", "2026-12-11T00:00:00Z", "2026-12-18T00:00:00Z"},
		{"0 0 */10 * 0", "2026-12-01T00:00:00Z", "2026-12-06T00:00:00Z"},
		{"0 0 */10 * 0", "2026-12-06T00:00:00Z", "2026-12-11T00:00:00Z"},
		{"0 0 1 * MON", "2027-01-26T00:00:00Z", "2027-02-01T00:00:00Z"}, // a Monday and the 1st
		{"0 0 1 * MON", "2027-02-01T00:00:00Z", "2027-02-08T00:00:00Z"},
		// Leap years.
		{"0 0 29 2 *", "2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"0 0 29 2 *", "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"},
		{"0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z"}, // 2100 is no leap year
		{"0 0 28 2 *", "2024-02-28T00:00:00Z", "2025-02-28T00:00:00Z"},
		// Year rollover.
		{"0 0 1 1 *", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"},
		{"59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"},
		{"* * * * *", "2026-12-31T23:59:30Z", "2027-01-01T00:00:00Z"},
		// The seconds field.
		{"*/10 * * * * *", "2026-12-06T10:00:05Z", "2026-12-06T10:00:10Z"},
		{"*/10 * * * * *", "2026-12-06T10:00:50Z", "2026-12-06T10:01:00Z"},
		{"30 0 0 * * *", "2026-12-06T00:00:00Z", "2026-12-06T00:00:30Z"},
		{"30 0 0 * * *", "2026-12-06T00:00:30Z", "2026-12-07T00:00:30Z"},
		{"* * * * * *", "2026-12-06T10:00:00.5Z", "2026-12-06T10:00:01Z"},
		{"* * * * * *", "2026-12-06T10:00:00Z", "2026-12-06T10:00:01Z"},
		{"0,30 * * * * *", "2026-12-06T10:00:00Z", "2026-12-06T10:00:30Z"},
		{"59 59 23 31 12 *", "2026-12-31T23:59:59Z", "2027-12-31T23:59:59Z"},
		// Descriptors.
		{"@yearly", "2026-12-06T10:00:00Z", "2027-01-01T00:00:00Z"},
		{"@annually", "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"},
		{"@monthly", "2026-12-06T10:00:00Z", "2027-01-01T00:00:00Z"},
		{"@weekly", "2026-12-06T00:00:00Z", "2026-12-13T00:00:00Z"},
		{"@daily", "2026-12-06T10:00:00Z", "2026-12-07T00:00:00Z"},
		{"@midnight", "2026-12-06T23:59:59Z", "2026-12-07T00:00:00Z"},
		{"@hourly", "2026-12-06T10:00:00Z", "2026-12-06T11:00:00Z"},
		{"@HOURLY", "2026-12-06T10:59:59Z", "2026-12-06T11:00:00Z"},
		// Specs that never fire.
		{"0 0 30 2 *", "2026-12-06T00:00:00Z", ""},
		{"0 0 31 4,6,9,11 *", "2026-12-06T00:00:00Z", ""},
	}
	for _, tt := range tests {
		s, err := jobs.ParseCron(tt.spec, nil)
		if err != nil {
			t.Errorf("ParseCron(%q): %v", tt.spec, err)
			continue
		}
		got := s.Next(parseTime(t, tt.from))
		if f := formatTime(got); f != tt.want {
			t.Errorf("%q.Next(%s) = %s, want %s", tt.spec, tt.from, f, tt.want)
		}
	}
}

// TestCronNextNewYork follows schedules across the clock changes of 2026
// in New York: forward at 02:00 on 8 March, back at 02:00 on 1 November.
func TestCronNextNewYork(t *testing.T) {
	ny := loadLocation(t, "America/New_York")
	tests := []struct {
		spec, from, want string
	}{
		{"30 10 * * *", "2026-12-06T15:00:00Z", "2026-12-06T10:30:00-05:00"},
		{"30 10 * * *", "2026-07-06T15:00:00Z", "2026-07-07T10:30:00-04:00"}, // 11:00 EDT,
		// 02:30 does not exist on 8 March.
		{"30 2 * * *", "2026-03-07T03:00:00-05:00", "2026-03-09T02:30:00-04:00"},
		{"0 * * * *", "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00"},
		{"*/20 * * * *", "2026-03-08T01:50:00-05:00", "2026-03-08T03:00:00-04:00"},
		// 01:30 occurs twice on 1 November and fires the first time only.
		{"30 1 * * *", "2026-11-01T00:00:00-04:00", "2026-11-01T01:30:00-04:00"},
		{"30 1 * * *", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"},
		{"30 1 * * *", "2026-11-01T01:45:00-04:00", "2026-11-02T01:30:00-05:00"},
		{"30 1 * * *", "2026-11-01T01:15:00-05:00", "2026-11-02T01:30:00-05:00"},
		{"0 * * * *", "2026-11-01T00:30:00-04:00", "2026-11-01T01:00:00-04:00"},
		{"0 * * * *", "2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00"},
		{"0 * * * *", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"},
		{"59 1 * * *", "2026-11-01T01:00:00-05:00", "2026-11-02T01:59:00-05:00"},
		{"0 2 * * *", "2026-11-01T00:00:00-04:00", "2026-11-01T02:00:00-05:00"},
		{"@daily", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"},
	}
	for _, tt := range tests {
		s, err := jobs.ParseCron(tt.spec, ny)
		if err != nil {
			t.Fatalf("ParseCron(%q): %v", tt.spec, err)
		}
		got := s.Next(parseTime(t, tt.from))
		if got.Location() != ny {
			t.Errorf("%q.Next(%s) is in %v, want %v", tt.spec, tt.from, got.Location(), ny)
		}
		if f := formatTime(got); f != tt.want {
			t.Errorf("%q.Next(%s) = %s, want %s", tt.spec, tt.from, f, tt.want)
		}
	}
}

func TestCronNextProperties(t *testing.T) {
	specs := []string{
		"* * * * * *", "*/7 * * * * *", "0 * * * *", "30 1 * * *", "30 2 * * *",
		"*/15 9-17 * * MON-FRI", "0 0 13 * FRI", "0 0 29 2 *", "15 0 1 */3 *",
		"@weekly", "10 */5 1-3 * * *",
	}
	zones := []*time.Location{
		time.UTC,
		loadLocation(t, "America/New_York"),
		// Lord Howe Island moves its clocks by half an hour.
		loadLocation(t, "Australia/Lord_Howe"),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, loc := range zones {
		for _, spec := range specs {
			s, err := jobs.ParseCron(spec, loc)
			if err != nil {
				t.Fatalf("ParseCron(%q): %v", spec, err)
			}
			for i := range 300 {
				from := randomTime(r, loc)
				if _, end := from.ZoneBounds(); i%2 == 1 && !end.IsZero() {
					// Near a clock change.
					from = end.Add(time.Duration(r.Int64N(int64(6*time.Hour))) - 3*time.Hour)
				}
				next := s.Next(from)
				if !next.After(from) {
					t.Fatalf("%q in %v: Next(%v) = %v, not after it", spec, loc, from, next)
				}
				if again := s.Next(next.Add(-time.Nanosecond)); !again.Equal(next) {
					t.Fatalf("%q in %v: Next(%v) = %v, but Next of 1ns before that = %v", spec, loc, from, next, again)
				}
				between := from.Add(time.Duration(r.Int64N(int64(next.Sub(from)))))
				if got := s.Next(between); !got.Equal(next) {
					t.Fatalf("%q in %v: Next(%v) = %v, but Next(%v) = %v", spec, loc, from, next, between, got)
				}
			}
		}
	}
}

// TestCronNextBruteForce checks Next against a walk minute by minute with
// the fields written as Go, in UTC and in New York around its clock
// changes. A wall clock time that occurred an hour before fires no more.
func TestCronNextBruteForce(t *testing.T) {
	tests := []struct {
		spec  string
		match func(w time.Time) bool
	}{
		{"*/15 9-17 * * MON-FRI", func(w time.Time) bool {
			return w.Minute()%15 == 0 && w.Hour() >= 9 && w.Hour() <= 17 &&
				w.Weekday() >= time.Monday && w.Weekday() <= time.Friday
		}},
		{"30 1 * * *", func(w time.Time) bool { return w.Hour() == 1 && w.Minute() == 30 }},
		{"5 2 * * *", func(w time.Time) bool { return w.Hour() == 2 && w.Minute() == 5 }},
		{"0 * * * *", func(w time.Time) bool { return w.Minute() == 0 }},
		{"0 0 13 * FRI", func(w time.Time) bool {
			return w.Hour() == 0 && w.Minute() == 0 && (w.Day() == 13 || w.Weekday() == time.Friday)
		}},
		{"0 22 * * 0,6", func(w time.Time) bool {
			return w.Hour() == 22 && w.Minute() == 0 && (w.Weekday() == time.Saturday || w.Weekday() == time.Sunday)
		}},
	}
	ny := loadLocation(t, "America/New_York")
	r := rand.New(rand.NewPCG(3, 4))
	for _, loc := range []*time.Location{time.UTC, ny} {
		for _, tt := range tests {
			s, err := jobs.ParseCron(tt.spec, loc)
			if err != nil {
				t.Fatalf("ParseCron(%q): %v", tt.spec, err)
			}
			for i := range 100 {
				// Every other start lies within three days of a clock change.
				from := randomTime(r, loc)
				if i%2 == 1 {
					change := time.Date(2026, time.March, 8, 7, 0, 0, 0, time.UTC)
					if i%4 == 3 {
						change = time.Date(2026, time.November, 1, 6, 0, 0, 0, time.UTC)
					}
					from = change.Add(time.Duration(r.Int64N(int64(6*24*time.Hour))) - 3*24*time.Hour)
				}
				want := from.Truncate(time.Minute)
				for {
					want = want.Add(time.Minute)
					w := want.In(loc)
					if tt.match(w) && !sameWallClock(want.Add(-time.Hour).In(loc), w) {
						break
					}
				}
				if got := s.Next(from); !got.Equal(want) {
					t.Fatalf("%q in %v: Next(%v) = %v, want %v", tt.spec, loc, from, got, want)
				}
			}
		}
	}
}

func TestEvery(t *testing.T) {
	tests := []struct {
		d          time.Duration
		from, want string
	}{
		{time.Second, "2026-12-06T10:00:00Z", "2026-12-06T10:00:01Z"},
		{time.Second, "2026-12-06T10:00:00.1Z", "2026-12-06T10:00:01Z"},
		{time.Hour, "2026-12-06T10:59:59.999999999Z", "2026-12-06T11:00:00Z"},
		{time.Hour, "2026-12-06T11:00:00Z", "2026-12-06T12:00:00Z"},
		{time.Hour, "2026-12-06T11:30:00+05:30", "2026-12-06T07:00:00Z"},
		{24 * time.Hour, "2026-12-06T10:00:00-05:00", "2026-12-07T00:00:00Z"},
		{7 * 24 * time.Hour, "2026-12-06T10:00:00Z", "2026-12-10T00:00:00Z"}, // a Thursday, as 1 January 1970
		{90 * time.Second, "2026-12-06T10:00:00Z", "2026-12-06T10:01:30Z"},   // 1796551200 is a multiple of 90
		{time.Hour, "1969-12-31T22:30:00Z", "1969-12-31T23:00:00Z"},
		{time.Hour, "1969-12-31T22:59:59.5Z", "1969-12-31T23:00:00Z"},
		{time.Hour, "1969-12-31T23:00:00Z", "1970-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		got := jobs.Every(tt.d).Next(parseTime(t, tt.from))
		if f := formatTime(got); f != tt.want {
			t.Errorf("Every(%v).Next(%s) = %s, want %s", tt.d, tt.from, f, tt.want)
		}
	}
}

// TestEveryAlignment checks that processes started at different times
// compute the same fire times.
func TestEveryAlignment(t *testing.T) {
	const d = 7 * time.Second
	s := jobs.Every(d)
	seq := func(from time.Time) []time.Time {
		var ts []time.Time
		for range 20 {
			from = s.Next(from)
			ts = append(ts, from)
		}
		return ts
	}
	a := seq(time.Date(2026, time.December, 6, 15, 42, 20, 123, time.UTC))
	b := seq(time.Date(2026, time.December, 6, 15, 43, 1, 999, time.UTC))
	for i, u := range a {
		if u.Unix()%7 != 0 || u.Nanosecond() != 0 {
			t.Errorf("fire time %v is not a multiple of %v since the epoch", u, d)
		}
		if i > 0 && u.Sub(a[i-1]) != d {
			t.Errorf("fire times %v and %v are not %v apart", a[i-1], u, d)
		}
	}
	// b starts 41s later, so its first fire time is a's sixth or seventh.
	k := 0
	for k < len(a) && !a[k].Equal(b[0]) {
		k++
	}
	if k != 5 && k != 6 {
		t.Fatalf("the later start first fires at %v, not among %v", b[0], a)
	}
	for i := range a[k:] {
		if !b[i].Equal(a[k+i]) {
			t.Fatalf("the later start fires at %v, the earlier at %v", b, a[k:])
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		from := a[0].Add(time.Duration(r.Int64N(int64(time.Hour))))
		next := s.Next(from)
		if !next.After(from) || next.Sub(from) > d {
			t.Fatalf("Next(%v) = %v, want within %v after it", from, next, d)
		}
		if again := s.Next(next.Add(-time.Nanosecond)); !again.Equal(next) {
			t.Fatalf("Next(%v) = %v, but Next of 1ns before that = %v", from, next, again)
		}
	}
}

func TestEveryPanics(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second, time.Second - 1, 1500 * time.Millisecond} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("Every(%v) did not panic", d)
				}
			}()
			jobs.Every(d)
		}()
	}
}

func ExampleCron() {
	s := jobs.Cron("0 9 * * MON-FRI")
	t := time.Date(2026, time.December, 4, 12, 0, 0, 0, time.UTC) // a Friday
	for range 3 {
		t = s.Next(t)
		fmt.Println(t.Format(time.RFC1123))
	}
	// Output:
	// Mon, 07 Dec 2026 09:00:00 UTC
	// Tue, 08 Dec 2026 09:00:00 UTC
	// Wed, 09 Dec 2026 09:00:00 UTC
}

func ExampleEvery() {
	// Workers started at different times name the same run alike, so
	// the stream (with jobs.MsgID) stores it once.
	s := jobs.Every(15 * time.Minute)
	for _, now := range []time.Time{
		time.Date(2026, time.December, 6, 10, 2, 17, 0, time.UTC),
		time.Date(2026, time.December, 6, 10, 11, 59, 0, time.UTC),
	} {
		id := fmt.Sprintf("report-%d", s.Next(now).Unix())
		fmt.Println(now.Format(time.TimeOnly), id)
	}
	// Output:
	// 10:02:17 report-1796552100
	// 10:11:59 report-1796552100
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	u, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// formatTime shows the offset of u, so a comparison also checks it, and
// the zero Time as "".
func formatTime(u time.Time) string {
	if u.IsZero() {
		return ""
	}
	return u.Format(time.RFC3339Nano)
}

func loadLocation(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// randomTime returns a time in loc between 2020 and 2035, not on a whole
// second.
func randomTime(r *rand.Rand, loc *time.Location) time.Time {
	lo := time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	hi := time.Date(2035, time.January, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	return time.Unix(0, lo+r.Int64N(hi-lo)).In(loc)
}

func sameWallClock(a, b time.Time) bool {
	return a.Format(time.DateTime) == b.Format(time.DateTime)
}
