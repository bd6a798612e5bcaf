package aiohttp

import (
	"context"
	"net"
	"time"

	"github.com/asyncio-go/asyncio"
)

// dnsCache keeps the addresses of hosts for a time (aiohttp's
// use_dns_cache and ttl_dns_cache), on the loop's clock. Lookups run off
// the loop, and concurrent lookups of one host share one.
type dnsCache struct {
	ttl      time.Duration
	entries  map[string]dnsEntry
	inflight map[string]*asyncio.Future[dnsResult]
	trace    *traceList
}

// dnsResult is a lookup's outcome, carried as a result so that a failure
// nobody else waited for is not reported as unretrieved.
type dnsResult struct {
	addrs []net.IPAddr
	err   error
}

type dnsEntry struct {
	addrs   []net.IPAddr
	expires time.Duration
}

func newDNSCache(ttl time.Duration, trace *traceList) *dnsCache {
	return &dnsCache{ttl: ttl, entries: map[string]dnsEntry{},
		inflight: map[string]*asyncio.Future[dnsResult]{}, trace: trace}
}

// lookup returns host's addresses, from the cache while they are fresh.
// A ttl < 0 turns the cache off.
func (d *dnsCache) lookup(ctx context.Context, host string) ([]net.IPAddr, error) {
	l := asyncio.RunningLoop(ctx)
	if e, ok := d.entries[host]; ok && (d.ttl == 0 || l.Time() < e.expires) {
		d.trace.dnsCacheHit(ctx, host)
		return e.addrs, nil
	}
	d.trace.dnsCacheMiss(ctx, host)
	if f, ok := d.inflight[host]; ok {
		r, err := f.Wait(ctx)
		if err != nil {
			return nil, err
		}
		return r.addrs, r.err
	}
	f := asyncio.NewFuture[dnsResult](ctx)
	d.inflight[host] = f
	d.trace.dnsResolveHostStart(ctx, host)
	// If ctx ends first, the lookup runs on to its end on the executor's
	// goroutine, its result dropped, and those waiting for it get the
	// cancellation as their failure to retry.
	addrs, err := asyncio.ToThread(ctx, func() ([]net.IPAddr, error) {
		return net.DefaultResolver.LookupIPAddr(context.WithoutCancel(ctx), host)
	})
	delete(d.inflight, host)
	f.SetResult(dnsResult{addrs, err})
	if err != nil {
		return nil, err
	}
	d.trace.dnsResolveHostEnd(ctx, host)
	if d.ttl >= 0 {
		d.entries[host] = dnsEntry{addrs: addrs, expires: l.Time() + d.ttl}
	}
	return addrs, nil
}
