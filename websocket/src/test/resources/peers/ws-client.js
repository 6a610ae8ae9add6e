// A client on the npm package 'ws' (8.x) against Weft's echo server: sends text, unicode, binary, a
// large random message and 200 small JSON messages at once, checks every echo, pings, closes 1000 "bye".
// usage: node ws-client.js URL deflate|plain   exit status 0 when everything came back as sent.
const WebSocket = require('ws');
const crypto = require('crypto');
const [url, mode] = process.argv.slice(2);
const deflate = mode === 'deflate';
const expected = ['hello', 'κόσμε 👋 unicode', Buffer.from([...Array(256).keys()]), crypto.randomBytes(512 * 1024), ''];
for (let i = 0; i < 200; i++) expected.push(JSON.stringify({ event: 'chat', room: 'lobby', n: i, text: 'hi '.repeat(i % 20) }));
const timer = setTimeout(() => { console.log('TIMEOUT after ' + received + ' echoes'); process.exit(3); }, 30000);
const ws = new WebSocket(url, { perMessageDeflate: deflate ? { threshold: 0 } : false });
let received = 0;
let ok = true;
ws.on('open', () => {
  console.log('EXTENSIONS ' + (ws.extensions || '-'));
  for (const m of expected) ws.send(m, { binary: Buffer.isBuffer(m) });
});
ws.on('message', (data, isBinary) => {
  const want = expected[received++];
  const same = Buffer.isBuffer(want) ? isBinary && want.equals(data) : !isBinary && data.toString() === want;
  if (!same) { ok = false; console.log('MISMATCH at ' + (received - 1)); }
  if (received === expected.length) ws.ping(Buffer.from('ping-payload'));
});
ws.on('pong', (data) => {
  if (data.toString() !== 'ping-payload') { ok = false; console.log('BAD PONG ' + data); }
  console.log('PONG ok');
  ws.close(1000, 'bye');
});
ws.on('close', (code, reason) => {
  clearTimeout(timer);
  console.log('CLOSED ' + code + ' ' + reason.toString() + ' after ' + received + ' echoes');
  process.exit(ok && received === expected.length && code === 1000 ? 0 : 1);
});
ws.on('error', (e) => { console.log('ERROR ' + e.message); process.exit(2); });
