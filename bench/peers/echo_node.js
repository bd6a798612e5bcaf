// TCP echo server on Node.js's net module: the Node side of bench/run.sh's
// echo and idle-mem workloads. Listens on 127.0.0.1:PORT with a backlog of
// 4096, TCP_NODELAY on, and writes back every chunk it reads; SIGTERM ends
// the process (Node's default).
//
//   node echo_node.js PORT
'use strict';
const net = require('net');

const port = Number(process.argv[2]);
const server = net.createServer({ noDelay: true }, (sock) => {
  sock.on('data', (chunk) => sock.write(chunk));
  sock.on('error', () => sock.destroy());
});
server.listen({ host: '127.0.0.1', port, backlog: 4096 });
