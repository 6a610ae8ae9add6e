// The official socket.io-client (4.8, from npm) against Weft's Socket.IO server on several hubs:
// clients (polling, websocket, polling upgraded) are connected until each of the rooms A and B has
// at least two members on every hub and the server saw a polling GET, a POST and an upgrade's
// WebSocket of a session arrive on another hub than the session's; then senders on each hub say 20
// numbered lines to their room: every member gets every line of each sender once, in order, and no
// one else gets any; Broadcast.count() counts every hub's members; an emit to everyone from a plain
// thread reaches all. Prints "OK name" or
// "FAIL name: why" and "HUBS OK" at the end; exit status 0 when all passed.
// usage: node node-hubs.js URL HUBS
const { io } = require('socket.io-client');
const url = process.argv[2];
const hubs = Number(process.argv[3]);
const MAX_CLIENTS = 120;
const LINES = 20;
const timer = setTimeout(() => { console.log('FAIL overall: timeout'); process.exit(3); }, 80000);
let failed = false;

function connect(opts) {
  return new Promise((resolve, reject) => {
    const s = io(url, Object.assign({ forceNew: true, reconnection: false }, opts));
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => reject(e));
  });
}
function call(s, ev, ...args) {
  return new Promise((resolve, reject) => {
    s.timeout(10000).emit(ev, ...args, (err, ...res) => (err ? reject(err) : resolve(res)));
  });
}
function until(what, test, ms = 10000) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const check = () => {
      if (test()) resolve();
      else if (Date.now() - start > ms) reject(new Error('not within ' + ms + ' ms: ' + what));
      else setTimeout(check, 20);
    };
    check();
  });
}
function fail(name, why) { failed = true; console.log('FAIL ' + name + ': ' + why); }

(async () => {
  const clients = []; // {s, hub, room, said: {sender: [n...]}, everyone: []}
  const transports = [['polling'], ['websocket'], undefined];
  const members = {}; // room -> hub -> count
  let stats = {};
  const enough = () => ['A', 'B'].every((r) => [...Array(hubs).keys()].every((h) => ((members[r] || {})[h] || 0) >= 2))
    && stats.polls > 0 && stats.posts > 0 && stats.websockets > 0;
  try {
    while (!enough()) {
      if (clients.length >= MAX_CLIENTS) throw new Error(MAX_CLIENTS + ' clients and still not spread: ' + JSON.stringify({ members, stats }));
      const i = clients.length;
      const opts = transports[i % 3] ? { transports: transports[i % 3] } : {};
      const s = await connect(opts);
      const c = { s, room: i % 2 === 0 ? 'A' : 'B', said: {}, everyone: [], name: 'c' + i };
      s.on('said', (m) => { (c.said[m.from] = c.said[m.from] || []).push(m.n); });
      s.on('everyone', (m) => c.everyone.push(m));
      await call(s, 'join', c.room);
      if (!opts.transports) { // let it upgrade before the next one: the upgrade's WebSocket is what is counted
        await until(c.name + ' upgrades', () => s.io.engine.transport.name === 'websocket');
      }
      const [hub, st] = await call(s, 'whereami');
      c.hub = hub;
      stats = st;
      members[c.room] = members[c.room] || {};
      members[c.room][hub] = (members[c.room][hub] || 0) + 1;
      clients.push(c);
    }
    const [, last] = await call(clients[0].s, 'whereami');
    console.log('OK spread: ' + clients.length + ' clients, members per room and hub ' + JSON.stringify(members)
      + ', requests on another hub than their session\'s ' + JSON.stringify(last));
  } catch (e) {
    fail('spread', e && e.stack || e);
  }
  if (!failed) {
    try {
      // senders: in each room, the first member on each hub
      const senders = [];
      for (const room of ['A', 'B']) {
        for (let h = 0; h < hubs; h++) senders.push(clients.find((c) => c.room === room && c.hub === h));
      }
      for (let n = 0; n < LINES; n++) {
        for (const snd of senders) snd.s.emit('say', snd.room, { from: snd.name, n });
      }
      const expected = (c) => senders.filter((snd) => snd.room === c.room).map((snd) => snd.name);
      await until('every member has every line', () => clients.every((c) => expected(c).every((f) => (c.said[f] || []).length >= LINES)));
      // a marker through every client's own handler fiber: lines still in flight to a wrong room would be there by now
      await Promise.all(clients.map((c) => call(c.s, 'echo', 'marker')));
      for (const c of clients) {
        const from = Object.keys(c.said).sort();
        const want = expected(c).sort();
        if (JSON.stringify(from) !== JSON.stringify(want)) throw new Error(c.name + ' (room ' + c.room + ', hub ' + c.hub + ') got lines from ' + from + ', wanted ' + want);
        for (const f of from) {
          const got = JSON.stringify(c.said[f]);
          if (got !== JSON.stringify([...Array(LINES).keys()])) throw new Error(c.name + ' got ' + f + "'s lines as " + got);
        }
      }
      console.log('OK rooms: ' + senders.length + ' senders on ' + hubs + ' hubs, ' + LINES + ' lines each, every member got its room\'s lines once and in order, no one else');
    } catch (e) {
      fail('rooms', e && e.stack || e);
    }
    try {
      for (const room of ['A', 'B']) {
        const want = clients.filter((c) => c.room === room).length;
        for (const asker of [...Array(hubs).keys()].map((h) => clients.find((c) => c.hub === h))) {
          const [n] = await call(asker.s, 'count', room);
          if (n !== want) throw new Error('count of room ' + room + ' asked on hub ' + asker.hub + ': ' + n + ', wanted ' + want);
        }
      }
      console.log('OK count: Broadcast.count() counts the members on every hub');
    } catch (e) {
      fail('count', e && e.stack || e);
    }
    try {
      eqAck(await call(clients[clients.length - 1].s, 'everyone-from-a-thread', 'to all'));
      await until('everyone got the broadcast from a plain thread', () => clients.every((c) => c.everyone.length === 1));
      console.log('OK everyone-from-a-thread: ' + clients.length + ' clients');
    } catch (e) {
      fail('everyone-from-a-thread', e && e.stack || e);
    }
  }
  for (const c of clients) c.s.disconnect();
  clearTimeout(timer);
  console.log(failed ? 'SOME FAILED' : 'HUBS OK');
  process.exit(failed ? 1 : 0);
})();
function eqAck(res) {
  if (JSON.stringify(res) !== JSON.stringify(['sent'])) throw new Error('ack ' + JSON.stringify(res));
}
