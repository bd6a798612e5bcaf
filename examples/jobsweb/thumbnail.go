package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/asyncio-go/asyncio/patterns"
)

// thumbnailFunc is the name the job function is registered and enqueued
// under: the web role and the worker role agree on it, and on nothing else.
const thumbnailFunc = "thumbnail"

// ThumbnailRequest is what POST /thumbnails takes, and the job's
// arguments.
type ThumbnailRequest struct {
	URL  string `json:"url" validate:"required,url"`
	Size int    `json:"size,omitempty" validate:"omitempty,min=16,max=512"`
}

// Thumbnail is a job's result.
type Thumbnail struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// Digest is the start of the SHA-256 of the pixels: the image itself
	// would make the example's output unreadable.
	Digest string `json:"digest"`
}

// defaultSize is the side of a thumbnail whose request gives none.
const defaultSize = 64

// images are the extensions a URL must end in to be made a thumbnail of.
var images = []string{".png", ".jpg", ".jpeg", ".gif", ".webp"}

// makeThumbnail is the job function. A real one would download the image
// and scale it; this one draws an identicon from the URL, so that the
// example needs no network and its output is the same on every run. A
// URL that names no image fails the job for good: trying again would not
// help.
func makeThumbnail(ctx context.Context, req ThumbnailRequest) (Thumbnail, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return Thumbnail{}, patterns.Permanent(err)
	}
	ext := strings.ToLower(path.Ext(u.Path))
	if !slices.Contains(images, ext) {
		return Thumbnail{}, patterns.Permanent(fmt.Errorf("%s does not name an image", req.URL))
	}
	size := req.Size
	if size == 0 {
		size = defaultSize
	}
	if size < 5 {
		return Thumbnail{}, patterns.Permanent(errors.New("size below 5 pixels"))
	}
	img := identicon(req.URL, size)
	sum := sha256.Sum256(img.Pix)
	return Thumbnail{URL: req.URL, Width: size, Height: size, Digest: hex.EncodeToString(sum[:8])}, nil
}

// identicon draws a 5×5 left–right symmetric pattern, in a colour and a
// shape taken from the SHA-256 of s, scaled to size×size pixels.
func identicon(s string, size int) *image.RGBA {
	h := sha256.Sum256([]byte(s))
	fg := color.RGBA{h[0], h[1], h[2], 255}
	bg := color.RGBA{240, 240, 240, 255}
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	cell := size / 5
	for y := range size {
		for x := range size {
			cx, cy := min(x/cell, 4), min(y/cell, 4)
			if cx > 2 {
				cx = 4 - cx // the right half mirrors the left
			}
			c := bg
			if h[3+cy*3+cx]&1 == 1 {
				c = fg
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// jobID names the job of req after what it asks for, so that the same
// request made twice within the queue's duplicate window (two minutes)
// is one job: the second POST gets the first one's id.
func jobID(req ThumbnailRequest) string {
	size := req.Size
	if size == 0 {
		size = defaultSize
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%d %s", size, req.URL))
	return "thumb-" + hex.EncodeToString(sum[:8])
}
