// The reference Node socket.io 4.8 server of ./weft bench fanout (dev.weft.jmh.fanout.FanoutBench):
// one process, default options, listening on 127.0.0.1. A client's 'join' puts it in the room 'room'
// and answers its acknowledgement; a 'send' is broadcast to the room as 'm' with the same argument
// (io.to('room'): every member; the sender is not a member). Speaks the driver's protocol: prints
// 'PORT <n>', exits at 'stop' or when standard input closes.
const http = require('http');
const { Server } = require('socket.io');
const readline = require('readline');

const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('join', (_room, ack) => {
    socket.join('room');
    if (typeof ack === 'function') ack();
  });
  socket.on('send', (m) => io.to('room').emit('m', m));
});
httpServer.listen(0, '127.0.0.1', () => {
  console.log('PORT ' + httpServer.address().port);
});
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'stop') process.exit(0);
});
lines.on('close', () => process.exit(0));
