// The load client of ./weft bench fanout (dev.weft.jmh.fanout.FanoutBench), with the official
// socket.io-client 4.8 (NODE_PATH): N receivers and one sender, each its own connection (forceNew),
// WebSocket transport only, no permessage-deflate, no reconnection (a dropped client stays dropped
// and shows as lost messages). Each receiver emits 'join' and waits for its acknowledgement (the
// server has put it in the room); the sender joins nothing. Then the sender emits 'send' with
// {s: sequence number, t: send time (performance.now(), this process's clock)}; the server broadcasts
// it to the room as 'm'.
//
// Closed loop (the default): at most --window messages in flight; a message leaves the window when
// every receiver still connected has it, or after --loss-ms (counted as timed out; its missing
// deliveries show as lost at the end). Open loop (--rate R > 0): R messages a second whatever happens.
//
// Lines on standard output: 'JOINED n', 'WINDOW START', 'WINDOW END', then 'RESULT {json}' after the
// last messages were delivered (or --loss-ms passed). Deliveries are counted per receiver by sequence
// number: a number skipped is lost, one seen again (or late) is a duplicate, numbers sent after a
// receiver's last one are lost; delivered + lost = sent x receivers when nothing is duplicated.
'use strict';
const { io } = require('socket.io-client');
const { performance } = require('perf_hooks');

const o = { url: null, clients: 1000, warmup: 3, seconds: 5, window: 8, rate: 0, lossMs: 2000, connectBatch: 100 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
  if (!(k in o) || argv[i + 1] === undefined) {
    console.error('fanout-client: unknown option or missing value: ' + argv[i]);
    process.exit(2);
  }
  o[k] = k === 'url' ? argv[i + 1] : Number(argv[i + 1]);
}
if (!o.url) {
  console.error('fanout-client: --url is needed');
  process.exit(2);
}

/** Delivery latencies in microseconds, in buckets 1 % wide (a percentile is its bucket's upper edge). */
class Histogram {
  constructor() { this.counts = new Float64Array(2400); this.n = 0; this.max = 0; }
  record(us) {
    const i = us < 1 ? 0 : Math.min(this.counts.length - 1, Math.floor(Math.log(us) / Histogram.STEP) + 1);
    this.counts[i]++;
    this.n++;
    if (us > this.max) this.max = us;
  }
  percentile(p) {
    if (this.n === 0) return 0;
    const rank = Math.ceil(p / 100 * this.n);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, i === 0 ? 1 : Math.exp(i * Histogram.STEP));
    }
    return this.max;
  }
}
Histogram.STEP = Math.log(1.01);

/** One receiver's count, by sequence number. */
class Receiver {
  constructor() { this.next = 0; this.received = 0; this.duplicates = 0; this.gaps = 0; this.disconnected = null; this.joined = false; }
  /** Counts {@code seq}; true when it is new to this receiver (not a duplicate or late). */
  onMessage(seq) {
    if (seq === this.next) {
      this.next++;
      this.received++;
      return true;
    } else if (seq > this.next) {
      this.gaps += seq - this.next;
      this.next = seq + 1;
      this.received++;
      return true;
    }
    this.duplicates++;
    return false;
  }
  lost(sent) { return this.gaps + Math.max(0, sent - this.next); }
}

const histogram = new Histogram();
const receivers = [];
const inFlight = new Map(); // seq -> {t, got}
let sent = 0;
let sentInWindow = 0;
let deliveredInWindow = 0;
let timedOut = 0;
let connected = 0; // receivers joined and not disconnected
let connectErrors = 0;
const connectErrorMessages = {};
let phase = 'connecting'; // warmup, measure, drain, done
let windowStart = 0;
let windowEnd = 0;
let sender;

function options() {
  return { transports: ['websocket'], forceNew: true, reconnection: false, perMessageDeflate: false, timeout: 30000 };
}

function finishIfComplete(seq, entry) {
  if (entry.got >= connected) {
    inFlight.delete(seq);
    pump();
  }
}

function onDelivery(r, m) {
  const now = performance.now();
  if (!r.onMessage(m.s)) return;
  if (phase === 'measure') {
    deliveredInWindow++;
    histogram.record((now - m.t) * 1000);
  }
  const entry = inFlight.get(m.s);
  if (entry) {
    entry.got++;
    finishIfComplete(m.s, entry);
  }
}

function send() {
  const seq = sent++;
  const t = performance.now();
  inFlight.set(seq, { t, got: 0 });
  if (phase === 'measure') sentInWindow++;
  sender.emit('send', { s: seq, t });
}

function pump() {
  if (o.rate > 0 || (phase !== 'warmup' && phase !== 'measure')) return;
  while (inFlight.size < o.window) send();
}

function expireOld() {
  const now = performance.now();
  for (const [seq, entry] of inFlight) {
    if (now - entry.t > o.lossMs) {
      inFlight.delete(seq);
      timedOut++;
    }
  }
  pump();
}

function connectReceiver(i) {
  return new Promise((resolve) => {
    const r = new Receiver();
    receivers[i] = r;
    const s = io(o.url, options());
    r.socket = s;
    setTimeout(resolve, 60000); // a join the server never answers: go on without it (it shows as not joined)
    s.on('m', (m) => onDelivery(r, m));
    s.on('connect', () => {
      s.emit('join', 'room', () => {
        r.joined = true;
        connected++;
        resolve();
      });
    });
    s.on('connect_error', (e) => {
      connectErrors++;
      connectErrorMessages[e.message] = (connectErrorMessages[e.message] || 0) + 1;
      resolve();
    });
    s.on('disconnect', (reason) => {
      if (phase === 'done') return;
      r.disconnected = reason;
      if (r.joined) {
        connected--;
        for (const [seq, entry] of inFlight) finishIfComplete(seq, entry);
      }
      resolve();
    });
  });
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

async function main() {
  for (let i = 0; i < o.clients; i += o.connectBatch) {
    const batch = [];
    for (let j = i; j < Math.min(o.clients, i + o.connectBatch); j++) batch.push(connectReceiver(j));
    await Promise.all(batch);
  }
  sender = io(o.url, options());
  await new Promise((resolve, reject) => {
    sender.on('connect', resolve);
    sender.on('connect_error', reject);
  });
  console.log('JOINED ' + connected);
  const expiry = setInterval(expireOld, 100);
  let ticker = null;
  phase = 'warmup';
  const start = performance.now();
  if (o.rate > 0) {
    ticker = setInterval(() => {
      const due = Math.floor(o.rate * (performance.now() - start) / 1000) - sent;
      for (let k = 0; k < due; k++) send();
    }, 5);
  } else {
    pump();
  }
  await sleep(o.warmup * 1000);
  console.log('WINDOW START');
  phase = 'measure';
  windowStart = performance.now();
  await sleep(o.seconds * 1000);
  phase = 'drain';
  windowEnd = performance.now();
  console.log('WINDOW END');
  if (ticker) clearInterval(ticker);
  const drainStart = performance.now();
  while (inFlight.size > 0 && performance.now() - drainStart < o.lossMs + 200) await sleep(10);
  clearInterval(expiry);
  phase = 'done';
  let delivered = 0, lost = 0, duplicates = 0, disconnected = 0;
  const reasons = {};
  for (const r of receivers) {
    delivered += r.received;
    lost += r.lost(sent);
    duplicates += r.duplicates;
    if (r.disconnected !== null) {
      disconnected++;
      reasons[r.disconnected] = (reasons[r.disconnected] || 0) + 1;
    }
  }
  const result = {
    clients: o.clients, joined: receivers.filter((r) => r.joined).length, connectErrors, connectErrorMessages,
    mode: o.rate > 0 ? 'rate ' + o.rate + '/s' : 'closed loop, window ' + o.window,
    sent, sentInWindow, windowSeconds: (windowEnd - windowStart) / 1000, deliveredInWindow,
    expected: sent * o.clients, delivered, lost, duplicates, timedOut, disconnected, disconnectReasons: reasons,
    p50Micros: histogram.percentile(50), p99Micros: histogram.percentile(99), maxMicros: histogram.max,
  };
  console.log('RESULT ' + JSON.stringify(result));
  for (const r of receivers) r.socket.close();
  sender.close();
  setTimeout(() => process.exit(0), 100);
}

main().catch((e) => {
  console.error('fanout-client: ' + (e && e.stack || e));
  process.exit(1);
});
