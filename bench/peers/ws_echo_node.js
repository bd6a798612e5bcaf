// WebSocket echo server on Node.js with the ws package: the Node side of
// bench/run.sh's ws-echo and ws-idle-mem workloads. Listens on
// 127.0.0.1:PORT with a backlog of 4096; GET / upgrades, without
// compression (perMessageDeflate off, as ws's server has it by default),
// and every message goes back with its type. SIGTERM ends the process
// (Node's default).
//
//   node ws_echo_node.js PORT
//   node ws_echo_node.js --check     exits 0 if ws can be loaded, printing its version
//
// Debian's node-ws installs ws in /usr/share/nodejs, which Debian's own
// node searches but a node from elsewhere (NodeSource's packages) does
// not: that directory is tried after the usual lookup.
'use strict';
const http = require('http');

// loadWS returns the ws module and the directory it came from.
function loadWS() {
  for (const name of ['ws', '/usr/share/nodejs/ws']) {
    try {
      return [require(name), require('path').dirname(require.resolve(name + '/package.json'))];
    } catch (err) {
      if (err.code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  console.error('ws_echo_node.js: no ws package (bench/run.sh install)');
  process.exit(1);
}
const [WebSocket, wsDir] = loadWS();

if (process.argv[2] === '--check') {
  console.log(`ws ${require(wsDir + '/package.json').version} (${wsDir})`);
  process.exit(0);
}

const port = Number(process.argv[2]);
const server = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});
const wss = new WebSocket.WebSocketServer({ server, path: '/', perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => ws.terminate());
});
server.listen({ host: '127.0.0.1', port, backlog: 4096 });
