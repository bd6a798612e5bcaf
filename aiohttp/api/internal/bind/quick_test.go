package bind

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

type qLine struct {
	SKU  string   `validate:"required,min=3,max=8"`
	Qty  int      `validate:"min=1,max=10"`
	Tags []string `validate:"max=2,dive,min=1,max=3"`
	U    uint8    `validate:"gte=2,lt=9"`
	F    float64  `validate:"gt=0,lte=1.5"`
}

type qInner struct {
	A int `validate:"max=5"`
}

type qInput struct {
	ID    int64   `validate:"gt=0"`
	Limit *int    `validate:"omitempty,min=1,max=100"`
	Size  *uint   `validate:"required,len=4"`
	Name  string  `validate:"len=3"`
	Note  string  `validate:"omitempty,max=4"`
	Lines []qLine `validate:"required,min=1,max=3,dive"`
	Inner qInner
	P     *qInner
	Arr   [2]int            `validate:"dive,max=7"`
	Grid  [][]int8          `validate:"omitempty,dive,min=1,dive,max=3"`
	Meta  map[string]string `validate:"max=2"`
	Flag  bool              `validate:"required"`
	When  time.Time
	Skip  int `validate:"-"`
	low   int `validate:"min=1"` // unexported: the validator skips it
}

// pick returns one of xs at random: the first, a right value, more often
// than not, so that some inputs are right throughout.
func pick[T any](r *rand.Rand, xs ...T) T {
	if r.IntN(100) < 85 {
		return xs[0]
	}
	return xs[r.IntN(len(xs))]
}

func ptr[T any](x T) *T { return &x }

// randomInput draws each field from values on both sides of its bounds.
func randomInput(r *rand.Rand) qInput {
	line := func() qLine {
		return qLine{
			SKU:  pick(r, "abc", "", "ab", "abcdefgh", "abcdefghi", "ééé"),
			Qty:  pick(r, 1, 0, 10, 11),
			Tags: pick(r, []string{"a"}, nil, []string{}, []string{"", "b"}, []string{"abcd"}, []string{"a", "b", "c"}),
			U:    pick[uint8](r, 2, 1, 8, 9),
			F:    pick(r, 0.1, 0, 1.5, 1.6, math.NaN()),
		}
	}
	var lines []qLine
	switch r.IntN(6) {
	case 0:
	case 1:
		lines = []qLine{}
	default:
		for range 1 + r.IntN(4) {
			lines = append(lines, line())
		}
	}
	return qInput{
		ID:    pick[int64](r, 1, -1, 0, 1<<40),
		Limit: pick(r, nil, ptr(0), ptr(1), ptr(100), ptr(101)),
		Size:  pick(r, ptr[uint](4), nil, ptr[uint](0), ptr[uint](5)),
		Name:  pick(r, "abc", "", "ab", "äbc", "abcd"),
		Note:  pick(r, "", "a", "abcd", "ééééé"),
		Lines: lines,
		Inner: qInner{A: pick(r, 5, 6)},
		P:     pick(r, nil, &qInner{A: 5}, &qInner{A: 6}),
		Arr:   pick(r, [2]int{}, [2]int{7, 1}, [2]int{8, 0}),
		Grid:  pick(r, nil, [][]int8{}, [][]int8{{1}}, [][]int8{{}}, [][]int8{{0}}),
		Meta:  pick(r, nil, map[string]string{"a": "1"}, map[string]string{"a": "1", "b": "2", "c": "3"}),
		Flag:  pick(r, true, false),
		Skip:  pick(r, -1, 1),
		low:   pick(r, 0, 1),
	}
}

// TestCheckAgreesWithValidator: on values drawn around every bound, the
// check vouches for a value exactly when the validator finds nothing
// wrong with it (it must never vouch for a wrong one; vouching for every
// right one is what makes it worth having).
func TestCheckAgreesWithValidator(t *testing.T) {
	c := checkFor(reflect.TypeFor[qInput](), map[reflect.Type]bool{})
	if c == nil {
		t.Fatal("no check for qInput")
	}
	r := rand.New(rand.NewPCG(1, 2))
	var valid int
	for range 50000 {
		in := randomInput(r)
		sure := c.ok(reflect.ValueOf(in))
		err := checker.Struct(&in)
		if sure != (err == nil) {
			t.Fatalf("%+v: check says %v, validator %v", in, sure, err)
		}
		if sure {
			valid++
		}
	}
	if valid < 100 {
		t.Errorf("only %d valid values of 50000: the test draws too few", valid)
	}
}

type qRecursive struct {
	Name     string       `validate:"required"`
	Children []qRecursive `validate:"dive"`
}

type qEmbedded struct {
	qInner
	B int `validate:"min=1"`
}

type qValuer struct{ v int }

func (q qValuer) ValidatorValue() any { return q.v }

// TestCheckLeavesTheRest: a type with a tag, a field or a shape the
// check does not know gets none, so that the validator decides.
func TestCheckLeavesTheRest(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[struct {
			E string `validate:"email"`
		}](),
		reflect.TypeFor[struct {
			S string `validate:"min=1|len=0"`
		}](),
		reflect.TypeFor[struct {
			S string `validate:"oneof='a b' c"`
		}](),
		reflect.TypeFor[struct {
			S string `validate:"min=1,omitempty"`
		}](),
		reflect.TypeFor[struct {
			I qInner `validate:"required"`
		}](),
		reflect.TypeFor[struct {
			D time.Duration `validate:"min=1s"`
		}](),
		reflect.TypeFor[struct {
			T time.Time `validate:"gt"`
		}](),
		reflect.TypeFor[struct {
			X any
		}](),
		reflect.TypeFor[struct {
			M map[string]int `validate:"dive,min=1"`
		}](),
		reflect.TypeFor[struct {
			L []*qInner `validate:"dive"`
		}](),
		reflect.TypeFor[struct {
			B bool `validate:"min=1"`
		}](),
		reflect.TypeFor[struct {
			N int `validate:"min=x"`
		}](),
		reflect.TypeFor[struct {
			V qValuer `validate:"min=1"`
		}](),
		reflect.TypeFor[qRecursive](),
		reflect.TypeFor[qEmbedded](),
	} {
		if c := checkFor(typ, map[reflect.Type]bool{}); c != nil {
			t.Errorf("%v: has a check, want none", typ)
		}
	}
}

// TestCheckAllocatesNothing: the plan of the tests' input has a check,
// and checking a valid input allocates nothing (the validator's walk
// allocates for each field). That the validator still lists the problems
// of an invalid input, the other tests of Bind show.
func TestCheckAllocatesNothing(t *testing.T) {
	p, err := PlanFor(reflect.TypeFor[input]())
	if err != nil {
		t.Fatal(err)
	}
	if p.check == nil {
		t.Fatal("the plan of input has no check")
	}
	allocs := func(in *input) float64 {
		return testing.AllocsPerRun(100, func() { p.check.ok(reflect.ValueOf(in).Elem()) })
	}
	if n := allocs(&input{ID: 1, Token: "t", Body: item{Name: "pen", Price: 1, Tags: []string{"a"}}}); n != 0 {
		t.Errorf("check of a valid input: %v allocations, want 0", n)
	}
}
