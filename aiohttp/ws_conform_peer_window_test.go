package aiohttp_test

import (
	"errors"
	"fmt"
)

// deflateReach decodes raw deflate data p (RFC 1951), a message's payload
// with the tail of RFC 7692 put back, and returns the longest distance of
// its references (0 if none) and the length of its output: the scripted
// peer checks with it the window that compress/flate's reader does not
// enforce. Literals and references are counted, not produced.
func deflateReach(p []byte) (maxDist, n int, err error) {
	br := &bitReader{b: p}
	for {
		final := br.bits(1)
		switch br.bits(2) {
		case 0:
			br.pos = (br.pos + 7) &^ 7
			l := br.bits(16)
			if nl := br.bits(16); l != ^nl&0xffff {
				return 0, 0, errors.New("stored block length mismatch")
			}
			br.pos += 8 * l
			n += l
		case 1:
			if err := br.block(fixedLit, fixedDist, &maxDist, &n); err != nil {
				return 0, 0, err
			}
		case 2:
			lit, dist, err := br.dynamicTables()
			if err != nil {
				return 0, 0, err
			}
			if err := br.block(lit, dist, &maxDist, &n); err != nil {
				return 0, 0, err
			}
		default:
			return 0, 0, errors.New("reserved block type")
		}
		if br.pos > 8*len(br.b) {
			return 0, 0, errors.New("unexpected end of data")
		}
		if final == 1 || br.pos+3 > 8*len(br.b) {
			return maxDist, n, nil
		}
	}
}

// bitReader reads deflate's bits, least significant first; past the end
// it reads zeros, which the caller detects from pos.
type bitReader struct {
	b   []byte
	pos int
}

func (r *bitReader) bits(n int) int {
	v := 0
	for i := range n {
		if r.pos>>3 < len(r.b) && r.b[r.pos>>3]>>(r.pos&7)&1 == 1 {
			v |= 1 << i
		}
		r.pos++
	}
	return v
}

// huffman is a canonical Huffman code: counts of codes per length and the
// symbols in code order.
type huffman struct {
	count  [16]int
	symbol []int
}

func newHuffman(lengths []int) huffman {
	var h huffman
	for _, l := range lengths {
		h.count[l]++
	}
	h.count[0] = 0
	var offs [16]int
	for l := 1; l < 16; l++ {
		offs[l] = offs[l-1] + h.count[l-1]
	}
	h.symbol = make([]int, len(lengths))
	for s, l := range lengths {
		if l > 0 {
			h.symbol[offs[l]] = s
			offs[l]++
		}
	}
	return h
}

// decode reads one symbol, a bit at a time (the codes are written most
// significant bit first).
func (r *bitReader) decode(h huffman) (int, error) {
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		code |= r.bits(1)
		c := h.count[l]
		if code-first < c {
			return h.symbol[index+code-first], nil
		}
		index += c
		first = (first + c) << 1
		code <<= 1
	}
	return 0, errors.New("invalid Huffman code")
}

var lenBase = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
var lenExtra = [29]int{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
var distBase = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
var distExtra = [30]int{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}

var fixedLit, fixedDist = func() (huffman, huffman) {
	l := make([]int, 288)
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	d := make([]int, 30)
	for i := range d {
		d[i] = 5
	}
	return newHuffman(l), newHuffman(d)
}()

// block reads the symbols of a compressed block up to its end, adding
// to n the bytes they stand for and raising maxDist to the longest
// distance.
func (r *bitReader) block(lit, dist huffman, maxDist, n *int) error {
	for {
		s, err := r.decode(lit)
		if err != nil {
			return err
		}
		switch {
		case s < 256:
			*n++
		case s == 256:
			return nil
		case s <= 285:
			l := lenBase[s-257] + r.bits(lenExtra[s-257])
			d, err := r.decode(dist)
			if err != nil || d >= 30 {
				return fmt.Errorf("invalid distance code %d: %v", d, err)
			}
			*maxDist = max(*maxDist, distBase[d]+r.bits(distExtra[d]))
			*n += l
		default:
			return fmt.Errorf("invalid literal/length code %d", s)
		}
		if r.pos > 8*len(r.b) {
			return errors.New("unexpected end of data")
		}
	}
}

// dynamicTables reads the code of a dynamic block.
func (r *bitReader) dynamicTables() (lit, dist huffman, err error) {
	nlit, ndist, nclen := r.bits(5)+257, r.bits(5)+1, r.bits(4)+4
	var clen [19]int
	for _, k := range []int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}[:nclen] {
		clen[k] = r.bits(3)
	}
	ch := newHuffman(clen[:])
	lengths := make([]int, 0, nlit+ndist)
	for len(lengths) < nlit+ndist {
		s, err := r.decode(ch)
		if err != nil {
			return lit, dist, err
		}
		switch {
		case s < 16:
			lengths = append(lengths, s)
		case s == 16:
			if len(lengths) == 0 {
				return lit, dist, errors.New("repeat with no length")
			}
			for range 3 + r.bits(2) {
				lengths = append(lengths, lengths[len(lengths)-1])
			}
		case s == 17:
			lengths = append(lengths, make([]int, 3+r.bits(3))...)
		default:
			lengths = append(lengths, make([]int, 11+r.bits(7))...)
		}
	}
	if len(lengths) > nlit+ndist {
		return lit, dist, errors.New("code lengths overrun")
	}
	return newHuffman(lengths[:nlit]), newHuffman(lengths[nlit:]), nil
}
