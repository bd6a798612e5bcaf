package main

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/api"
	"github.com/asyncio-go/asyncio/jobs"
)

// JobStatus is what both routes answer: where a job is.
type JobStatus struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"` // queued, pending, done or failed
	Thumbnail *Thumbnail `json:"thumbnail,omitempty"`
	Error     string     `json:"error,omitempty"`
}

type postIn struct {
	Body ThumbnailRequest `body:""`
}

type getIn struct {
	ID string `path:"id" validate:"required,max=100"`
	// Wait is how many seconds to wait for the result; without it the
	// route only looks (lookTime).
	Wait int `query:"wait" validate:"min=0,max=60"`
}

// lookTime bounds the wait of a GET without ?wait: enough for the round
// trips that find a result already stored.
const lookTime = 200 * time.Millisecond

var validID = regexp.MustCompile(`^[-_=.A-Za-z0-9]{1,100}$`)

// web is the web role's state: a jobs client and the queue its jobs go
// to. The handlers run as tasks of the server's loop; the client's calls
// are waits of those tasks.
type web struct {
	c     *jobs.Client
	queue string
}

// newApp returns the web role's API.
func newApp(c *jobs.Client, queue string) *api.App {
	s := &web{c: c, queue: queue}
	app := api.New(api.Title("jobsweb: thumbnails made by workers"), api.Version("1.0.0"))
	api.Post(app, "/thumbnails", s.enqueue, api.Status(http.StatusAccepted),
		api.Summary("Ask for a thumbnail: enqueues a job and answers with its id"), api.OperationID("enqueueThumbnail"))
	api.Get(app, "/thumbnails/{id}", s.result,
		api.Summary("The thumbnail of a job: 200 once made (or failed), 202 while pending"), api.OperationID("thumbnail"))
	return app
}

// enqueue stores the job and answers 202 at once, with the job's id and
// where to ask for its result. The job is stored by the server before
// the answer goes out: a web process that dies after answering loses
// nothing.
func (s *web) enqueue(ctx context.Context, in *postIn) (*JobStatus, error) {
	id := jobID(in.Body)
	job, err := s.c.Enqueue(ctx, thumbnailFunc, in.Body, jobs.OnQueue(s.queue), jobs.JobID(id))
	if err != nil {
		return nil, err
	}
	api.Header(ctx).Set("Location", "/thumbnails/"+job.ID())
	return &JobStatus{ID: job.ID(), Status: "queued"}, nil
}

// result waits for the job's result within the time the request allows,
// and answers 202 "pending" if it has not come by then. A job id that
// was never enqueued looks pending too: jobs keeps results by id, not a
// list of the ids it was given.
func (s *web) result(ctx context.Context, in *getIn) (*JobStatus, error) {
	if !validID.MatchString(in.ID) {
		return nil, api.NotFound("no job has the id %q", in.ID)
	}
	wait := lookTime
	if in.Wait > 0 {
		wait = time.Duration(in.Wait) * time.Second
	}
	var th Thumbnail
	err := asyncio.Timeout(ctx, wait, func(ctx context.Context) error {
		return s.c.Job(s.queue, in.ID).Result(ctx, &th)
	})
	var failed *jobs.JobError
	switch {
	case err == nil:
		return &JobStatus{ID: in.ID, Status: "done", Thumbnail: &th}, nil
	case errors.As(err, &failed):
		return &JobStatus{ID: in.ID, Status: "failed", Error: failed.Message}, nil
	case errors.Is(err, asyncio.ErrTimeout):
		api.SetStatus(ctx, http.StatusAccepted)
		return &JobStatus{ID: in.ID, Status: "pending"}, nil
	}
	return nil, err
}
