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
	ttl     time.Duration
	entries map[string]dnsEntry
	trace   *traceList
}

type dnsEntry struct {
	addrs   []net.IPAddr
	expires time.Duration
}

func newDNSCache(ttl time.Duration, trace *traceList) *dnsCache {
	return &dnsCache{ttl: ttl, entries: map[string]dnsEntry{}, trace: trace}
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
	d.trace.dnsResolveHostStart(ctx, host)
	// If ctx ends first, the lookup runs on to its end on the executor's
	// goroutine, its result dropped.
	addrs, err := asyncio.ToThread(ctx, func() ([]net.IPAddr, error) {
		return net.DefaultResolver.LookupIPAddr(context.WithoutCancel(ctx), host)
	})
	if err != nil {
		return nil, err
	}
	d.trace.dnsResolveHostEnd(ctx, host)
	if d.ttl >= 0 {
		d.entries[host] = dnsEntry{addrs: addrs, expires: l.Time() + d.ttl}
	}
	return addrs, nil
}
