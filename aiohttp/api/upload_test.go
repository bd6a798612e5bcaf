package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/api"
	"github.com/asyncio-go/asyncio/internal/oascheck"
)

type uploadIn struct {
	Title  string                  `form:"title" validate:"required"`
	Avatar *multipart.FileHeader   `form:"avatar" validate:"required"`
	Extras []*multipart.FileHeader `form:"extra"`
}

type uploaded struct {
	Title string   `json:"title"`
	Files []string `json:"files"`
}

func uploadApp() *api.App {
	a := api.New()
	api.Post(a, "/uploads", func(ctx context.Context, in *uploadIn) (*uploaded, error) {
		out := &uploaded{Title: in.Title}
		for _, fh := range append([]*multipart.FileHeader{in.Avatar}, in.Extras...) {
			f, err := fh.Open()
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, err
			}
			out.Files = append(out.Files, fh.Filename+"="+string(data))
		}
		return out, nil
	})
	return a
}

// multipartBody writes fields and files (name → filename:content).
func multipartBody(t *testing.T, fields map[string]string, files [][3]string) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f[0], f[1])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[2]))
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// TestUploads: files of a multipart form bind to *multipart.FileHeader
// fields, one or many; a missing required file is a 422 at its place.
func TestUploads(t *testing.T) {
	a := uploadApp()
	body, ct := multipartBody(t, map[string]string{"title": "me"},
		[][3]string{{"avatar", "me.png", "PNG"}, {"extra", "a.txt", "A"}, {"extra", "b.txt", "B"}})
	r := httptest.NewRequest("POST", "/uploads", body)
	r.Header.Set("Content-Type", ct)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"title":"me","files":["me.png=PNG","a.txt=A","b.txt=B"]}` {
		t.Errorf("upload: %d %s", w.Code, w.Body)
	}

	body, ct = multipartBody(t, map[string]string{"title": "me"}, nil)
	r = httptest.NewRequest("POST", "/uploads", body)
	r.Header.Set("Content-Type", ct)
	w = httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != 422 || !strings.Contains(w.Body.String(), `"location":"form.avatar"`) {
		t.Errorf("no file: %d %s", w.Code, w.Body)
	}
}

// TestUploadsInTheDocument: an operation that takes files takes a
// multipart form, with the files as binary strings, and the document
// still validates.
func TestUploadsInTheDocument(t *testing.T) {
	raw := uploadApp().OpenAPI()
	if err := oascheck.Validate(raw); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Properties map[string]json.RawMessage `json:"properties"`
						Required   []string                   `json:"required"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	form, ok := doc.Paths["/uploads"]["post"].RequestBody.Content["multipart/form-data"]
	if !ok {
		t.Fatalf("no multipart/form-data body: %s", raw)
	}
	compact := func(raw json.RawMessage) string {
		var b bytes.Buffer
		json.Compact(&b, raw)
		return b.String()
	}
	if got := compact(form.Schema.Properties["avatar"]); !strings.Contains(got, `"format":"binary"`) {
		t.Errorf("avatar: %s", got)
	}
	if got := compact(form.Schema.Properties["extra"]); !strings.Contains(got, `"type":"array"`) || !strings.Contains(got, `"format":"binary"`) {
		t.Errorf("extra: %s", got)
	}
	if strings.Join(form.Schema.Required, ",") != "title,avatar" {
		t.Errorf("required %v", form.Schema.Required)
	}
}
