// The official socket.io-client (4.8, from npm) against Weft's Socket.IO server: every scenario prints
// "OK name" or "FAIL name: why"; the exit status is 0 when all passed.
// usage: node node-client.js URL
const { io } = require('socket.io-client');
const url = process.argv[2];
const results = [];
const timer = setTimeout(() => { console.log('FAIL overall: timeout after ' + results.length + ' scenarios'); process.exit(3); }, 60000);

function connect(path, opts) {
  return new Promise((resolve, reject) => {
    const s = io(url + path, Object.assign({ forceNew: true, reconnection: false }, opts));
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => reject(e));
  });
}
function once(s, ev, ms = 5000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no ' + ev + ' within ' + ms + ' ms')), ms);
    s.once(ev, (...args) => { clearTimeout(t); resolve(args); });
  });
}
// emits with an acknowledgement callback and resolves with all of its arguments (emitWithAck gives only the first)
function call(s, ev, ...args) {
  return new Promise((resolve, reject) => {
    s.timeout(5000).emit(ev, ...args, (err, ...res) => (err ? reject(err) : resolve(res)));
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function scenario(name, fn) {
  try { await fn(); results.push(true); console.log('OK ' + name); }
  catch (e) { results.push(false); console.log('FAIL ' + name + ': ' + (e && e.stack || e)); }
}
function eq(a, b, what) {
  const x = JSON.stringify(a), y = JSON.stringify(b);
  if (x !== y) throw new Error(what + ': expected ' + y + ' but got ' + x);
}

(async () => {
  await scenario('polling', async () => {
    const s = await connect('/', { transports: ['polling'] });
    eq(s.io.engine.transport.name, 'polling', 'transport');
    eq(await call(s, 'echo', 'hi', 1, { a: [true, null] }), ['hi', 1, { a: [true, null] }], 'ack');
    s.disconnect();
  });
  await scenario('websocket', async () => {
    const s = await connect('/', { transports: ['websocket'] });
    eq(s.io.engine.transport.name, 'websocket', 'transport');
    eq(await call(s, 'echo', 'κόσμε 👋'), ['κόσμε 👋'], 'ack');
    s.disconnect();
  });
  await scenario('upgrade', async () => {
    const s = io(url, { forceNew: true, reconnection: false });
    await once(s, 'connect');
    if (s.io.engine.transport.name !== 'websocket') await once(s.io.engine, 'upgrade');
    eq(s.io.engine.transport.name, 'websocket', 'transport after upgrade');
    const many = [];
    for (let i = 0; i < 50; i++) many.push(call(s, 'echo', i));
    eq(await Promise.all(many), [...Array(50).keys()].map((i) => [i]), '50 acks in order');
    s.disconnect();
  });
  await scenario('server-event', async () => {
    const s = await connect('/', {});
    const got = once(s, 'pong-you');
    s.emit('ping-me', 7);
    eq(await got, [{ n: 8 }, 'text'], 'pong-you');
    s.disconnect();
  });
  await scenario('acks-both-ways', async () => {
    const s = await connect('/', {});
    s.on('question', (q, cb) => cb('answer to ' + q));
    const answered = once(s, 'answered');
    s.emit('ask');
    eq(await answered, [['answer to what?']], 'answered');
    const silent = once(s, 'timed-out');
    s.emit('ask-silent');
    const [why] = await silent;
    if (!/did not acknowledge 'silent' within 300 ms/.test(why)) throw new Error('timed-out said ' + why);
    s.disconnect();
  });
  await scenario('rooms', async () => {
    const [a1, a2, b1] = await Promise.all([connect('/', {}), connect('/', { transports: ['websocket'] }), connect('/', { transports: ['polling'] })]);
    eq(await call(a1, 'join', 'A'), ['joined', 'A'], 'a1 join');
    eq(await call(a2, 'join', 'A'), ['joined', 'A'], 'a2 join');
    eq(await call(b1, 'join', 'B'), ['joined', 'B'], 'b1 join');
    const seen = { a1: [], a2: [], b1: [] };
    a1.on('said', (m) => seen.a1.push(m)); a2.on('said', (m) => seen.a2.push(m)); b1.on('said', (m) => seen.b1.push(m));
    a1.emit('say', 'A', 'hi A');
    b1.emit('say', 'B', 'hi B');
    // a marker after the messages: once every client has its marker, the room messages were delivered
    await Promise.all([a1, a2, b1].map((s) => call(s, 'echo', 'marker')));
    await sleep(200);
    eq(seen, { a1: ['hi A'], a2: ['hi A'], b1: ['hi B'] }, 'who got what');
    eq(await call(a1, 'leave', 'A'), ['left', 'A'], 'a1 leave');
    a2.emit('say', 'A', 'second');
    await sleep(300);
    eq(seen.a1, ['hi A'], 'a1 after leaving');
    eq(seen.a2, ['hi A', 'second'], 'a2');
    [a1, a2, b1].forEach((s) => s.disconnect());
  });
  await scenario('binary', async () => {
    for (const transports of [['polling'], ['websocket']]) {
      const s = await connect('/', { transports });
      const [reversed, nested] = await call(s, 'bin', Buffer.from([1, 2, 3, 255]), { inner: Buffer.from('xyz') });
      eq([...reversed], [255, 3, 2, 1], transports + ' reversed');
      eq(Buffer.from(nested.inner).toString(), 'xyz', transports + ' nested');
      eq(nested.size, 4, transports + ' size');
      s.disconnect();
    }
  });
  await scenario('reconnect', async () => {
    const s = io(url, { forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 200 });
    await once(s, 'connect');
    const firstId = s.id;
    const gone = once(s, 'disconnect');
    s.emit('drop');
    const [reason] = await gone;
    eq(reason, 'transport close', 'disconnect reason');
    await once(s, 'connect', 10000);
    if (s.id === firstId) throw new Error('same id after reconnecting');
    eq(await call(s, 'echo', 'back'), ['back'], 'echo after reconnect');
    s.disconnect();
  });
  await scenario('server-disconnect', async () => {
    // on polling the DISCONNECT packet and the close packet must come in separate responses: the
    // client defers a packet's handling, so read together it reports "transport close" instead
    for (const transports of [['polling'], ['websocket'], undefined]) {
      const s = await connect('/', transports ? { transports } : {});
      const gone = once(s, 'disconnect');
      s.emit('kick');
      eq((await gone)[0], 'io server disconnect', 'reason on ' + (transports || 'polling then websocket'));
    }
  });
  await scenario('namespace-auth', async () => {
    try {
      await connect('/admin', { auth: { token: 'wrong' } });
      throw new Error('connected with a wrong token');
    } catch (e) {
      eq(e.message, 'not authorized', 'message');
      eq(e.data, { reason: 'bad token' }, 'data');
    }
    const s = await connect('/admin', { auth: { token: 'secret' } });
    eq(await call(s, 'whoami'), ['/admin', 'secret'], 'admin ack');
    s.disconnect();
    try {
      await connect('/nowhere', {});
      throw new Error('connected to an unknown namespace');
    } catch (e) {
      eq(e.message, 'Invalid namespace', 'unknown namespace');
    }
  });
  clearTimeout(timer);
  const ok = results.every((r) => r);
  console.log(ok ? 'ALL OK ' + results.length : 'SOME FAILED');
  process.exit(ok ? 0 : 1);
})();
