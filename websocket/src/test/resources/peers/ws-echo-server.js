// An echo server on the npm package 'ws' (8.x), for Weft's client to talk to.
// usage: node ws-echo-server.js deflate|plain   prints "PORT n", then per connection "EXTENSIONS ..." and
// "CLOSED code reason"; ends when its standard input closes.
const { WebSocketServer } = require('ws');
const deflate = process.argv[2] === 'deflate';
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 << 20,
  perMessageDeflate: deflate ? { threshold: 0 } : false });
wss.on('listening', () => console.log('PORT ' + wss.address().port));
wss.on('connection', (ws) => {
  console.log('EXTENSIONS ' + (ws.extensions || '-'));
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('close', (code, reason) => console.log('CLOSED ' + code + ' ' + reason.toString()));
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
