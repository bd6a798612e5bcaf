// HTTP/1.1 server on Node.js's http module: the Node side of bench/run.sh's
// http-server and http-idle-mem workloads.
//
//   node http_server_node.js PORT
//
// Listens on 127.0.0.1:PORT (backlog 4096) and answers GET / with
// "Hello, World!" (text/plain) and GET /json with the document of DOC,
// stringified again for every request: the same 1,142 bytes as the other
// peers. Node closes an idle keep-alive connection after 5 s by default;
// keepAliveTimeout 0 turns that off, so idle connections stay open as
// they do with net/http. SIGTERM ends the process (Node's default).
'use strict';
const http = require('http');

const port = Number(process.argv[2]);
const hello = Buffer.from('Hello, World!');
const DOC = {
  items: Array.from({ length: 10 }, (_, i) => {
    const d = String(i).padStart(2, '0');
    return { id: i, name: `item-${d}`, email: `user${d}@example.com`, active: i % 2 === 0, tags: ['alpha', 'beta', 'gamma'], score: 37 * i };
  }),
};

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': hello.length });
    res.end(hello);
  } else if (req.method === 'GET' && req.url === '/json') {
    const body = JSON.stringify(DOC);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }
});
server.keepAliveTimeout = 0;
server.listen({ host: '127.0.0.1', port, backlog: 4096 });
