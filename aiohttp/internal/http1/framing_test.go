package http1

import (
	"errors"
	"testing"
)

func TestBodyFramingRules(t *testing.T) {
	cases := []struct {
		rule string
		head string // header lines after the request line
		http string
		want BodyFraming
		err  error
	}{
		{"Accept_NoBody", "", "1.1", BodyFraming{}, nil},
		{"Accept_ContentLength", "Content-Length: 12\r\n", "1.1", BodyFraming{ContentLength, 12}, nil},
		{"Accept_ContentLengthZero", "Content-Length: 0\r\n", "1.1", BodyFraming{}, nil},
		{"Accept_ContentLengthDuplicateSame", "Content-Length: 5\r\ncontent-length: 5\r\n", "1.1", BodyFraming{ContentLength, 5}, nil},
		{"Accept_Chunked", "Transfer-Encoding: chunked\r\n", "1.1", BodyFraming{Kind: Chunked}, nil},
		{"Accept_ChunkedAnyCase", "transfer-encoding: CHUNKED\r\n", "1.1", BodyFraming{Kind: Chunked}, nil},
		{"Reject_ContentLengthAndTransferEncoding", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "1.1", BodyFraming{}, ErrLengthAndChunked},
		{"Reject_TransferEncodingAndContentLength", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "1.1", BodyFraming{}, ErrLengthAndChunked},
		{"Reject_ContentLengthDiffering", "Content-Length: 5\r\nContent-Length: 6\r\n", "1.1", BodyFraming{}, ErrBadContentLength},
		{"Reject_ContentLengthList", "Content-Length: 5, 5\r\n", "1.1", BodyFraming{}, ErrBadContentLength},
		{"Reject_ContentLengthEmpty", "Content-Length:\r\n", "1.1", BodyFraming{}, ErrBadContentLength},
		{"Reject_ContentLengthSign", "Content-Length: +5\r\n", "1.1", BodyFraming{}, ErrBadContentLength},
		{"Reject_ContentLengthNegative", "Content-Length: -1\r\n", "1.1", BodyFraming{}, ErrBadContentLength},
		{"Reject_ContentLengthHex", "Content-Length: 0x10\r\n", "1.1", BodyFraming{}, ErrBadContentLength},
		{"Reject_ContentLengthOverflow", "Content-Length: 9223372036854775808\r\n", "1.1", BodyFraming{}, ErrBadContentLength},
		{"Accept_ContentLengthMaxInt64", "Content-Length: 9223372036854775807\r\n", "1.1", BodyFraming{ContentLength, 1<<63 - 1}, nil},
		{"Reject_TransferEncodingGzipChunked", "Transfer-Encoding: gzip, chunked\r\n", "1.1", BodyFraming{}, ErrBadTransferEncoding},
		{"Reject_TransferEncodingChunkedTwice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "1.1", BodyFraming{}, ErrBadTransferEncoding},
		{"Reject_TransferEncodingIdentity", "Transfer-Encoding: identity\r\n", "1.1", BodyFraming{}, ErrBadTransferEncoding},
		{"Reject_TransferEncodingInHTTP10", "Transfer-Encoding: chunked\r\n", "1.0", BodyFraming{}, ErrBadTransferEncoding},
		{"Reject_TrailerDeclaresContentLength", "Transfer-Encoding: chunked\r\nTrailer: X, Content-Length\r\n", "1.1", BodyFraming{}, ErrBadTrailerDecl},
	}
	for _, tt := range cases {
		t.Run(tt.rule, func(t *testing.T) {
			r, _, err := ParseRequestHead([]byte("POST / HTTP/"+tt.http+"\r\n"+tt.head+"\r\n"), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.BodyFraming()
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}
