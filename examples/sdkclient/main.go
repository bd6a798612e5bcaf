// Sdkclient runs an ordinary Go API client — the kind every cloud and SaaS
// SDK is, written for net/http and knowing nothing of the loop — inside
// tasks. Its *http.Client gets the aiohttp session's Transport, so each
// call suspends only the task that made it: three calls run at once and a
// ticker task keeps ticking while they are in flight. With
// http.DefaultTransport instead, every call would block the whole loop
// (the ticker would stop, and the watchdog would name the calling task).
//
// The "weather service" the client calls is a local server the program
// starts, so it runs offline.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sdkclient:", err)
		os.Exit(1)
	}
}

// WeatherClient is a typical SDK client: an *http.Client, a base URL and
// methods that take a context.
type WeatherClient struct {
	HTTP    *http.Client
	BaseURL string
}

// Forecast is the service's answer for one city.
type Forecast struct {
	City    string `json:"city"`
	Celsius int    `json:"celsius"`
	Sky     string `json:"sky"`
}

// Forecast returns the forecast for city.
func (c *WeatherClient) Forecast(ctx context.Context, city string) (Forecast, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/v1/forecast?city="+url.QueryEscape(city), nil)
	if err != nil {
		return Forecast{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Forecast{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Forecast{}, fmt.Errorf("weather: %s", resp.Status)
	}
	var f Forecast
	err = json.NewDecoder(resp.Body).Decode(&f)
	return f, err
}

// weatherService answers after a delay that depends on the city.
func weatherService() http.Handler {
	known := map[string]Forecast{
		"Lisbon": {"Lisbon", 19, "sunny"},
		"Oslo":   {"Oslo", -3, "snow"},
		"Lima":   {"Lima", 22, "cloudy"},
	}
	delays := map[string]time.Duration{"Lisbon": 600 * time.Millisecond, "Oslo": 300 * time.Millisecond, "Lima": 450 * time.Millisecond}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		city := r.URL.Query().Get("city")
		f, ok := known[city]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if err := asyncio.Sleep(r.Context(), delays[city]); err != nil {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(f)
	})
}

func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", weatherService())
		if err != nil {
			return struct{}{}, err
		}
		defer srv.Shutdown(ctx)
		session := aiohttp.NewSession()
		defer session.Close(ctx)
		weather := &WeatherClient{
			HTTP:    &http.Client{Transport: session.Transport()},
			BaseURL: "http://" + srv.Addr().String(),
		}

		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		since := func() time.Duration { return (loop.Time() - start).Round(10 * time.Millisecond) }
		ticker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			for {
				if err := asyncio.Sleep(ctx, 250*time.Millisecond); err != nil {
					return struct{}{}, nil
				}
				fmt.Fprintf(w, "%6v tick\n", since())
			}
		}, asyncio.Name("ticker"))

		cities := []string{"Lisbon", "Oslo", "Lima"}
		calls := make([]func(context.Context) (Forecast, error), len(cities))
		for i, city := range cities {
			calls[i] = func(ctx context.Context) (Forecast, error) {
				f, err := weather.Forecast(ctx, city)
				if err == nil {
					fmt.Fprintf(w, "%6v %s: %d°C, %s\n", since(), f.City, f.Celsius, f.Sky)
				}
				return f, err
			}
		}
		_, err = asyncio.Gather(ctx, calls...)
		ticker.Cancel()
		ticker.Wait(ctx)
		fmt.Fprintf(w, "%6v three SDK calls done, the ticker never stopped\n", since())
		return struct{}{}, err
	}, opts...)
	return err
}
