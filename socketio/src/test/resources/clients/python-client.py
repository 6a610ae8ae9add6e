# Python's socketio client (Debian's python3-socketio) against Weft's Socket.IO server: polling and
# websocket, an upgrade, events both ways, acks both ways, rooms, binary, and a refused namespace.
# usage: python3 python-client.py URL   prints OK/FAIL lines; exit status 0 when all passed.
import sys, threading, socketio

url = sys.argv[1]
failures = []

def check(name, cond, detail=''):
    print(('OK ' if cond else 'FAIL ') + name + ('' if cond else ': ' + str(detail)), flush=True)
    if not cond:
        failures.append(name)

for transports in (['polling'], ['websocket'], ['polling', 'websocket']):
    sio = socketio.Client(reconnection=False)
    got = threading.Event()
    said = []
    sio.on('pong-you', lambda *a: (said.append(a), got.set()))
    sio.on('question', lambda q: 'py answer to ' + q)
    answered = threading.Event()
    sio.on('answered', lambda a: (said.append(('answered', a)), answered.set()))
    sio.connect(url, transports=transports, wait_timeout=10)
    label = '+'.join(transports)
    check(label + ' echo ack', sio.call('echo', ('hi', 1, {'a': [True, None]}), timeout=5) == ('hi', 1, {'a': [True, None]}),
          'got something else')
    sio.emit('ping-me', 41)
    check(label + ' server event', got.wait(5) and said[0] == ({'n': 42}, 'text'), said)
    sio.emit('ask')
    check(label + ' server ack', answered.wait(5) and said[-1] == ('answered', ['py answer to what?']), said)
    r = sio.call('bin', (b'\x01\x02\x03\xff', {'inner': b'xyz'}), timeout=5)
    check(label + ' binary', r[0] == b'\xff\x03\x02\x01' and r[1]['inner'] == b'xyz' and r[1]['size'] == 4, r)
    check(label + ' transport', sio.transport() in transports, sio.transport())
    sio.disconnect()

# rooms: two in A, one in B
clients = [socketio.Client(reconnection=False) for _ in range(3)]
seen = [[], [], []]
for i, c in enumerate(clients):
    c.on('said', lambda m, i=i: seen[i].append(m))
    c.connect(url, wait_timeout=10)
for c, room in zip(clients, ['A', 'A', 'B']):
    c.call('join', room, timeout=5)
clients[0].emit('say', ('A', 'hi A'))
clients[2].emit('say', ('B', 'hi B'))
for c in clients:
    c.call('echo', 'marker', timeout=5)
import time
time.sleep(0.3)
check('rooms', seen == [['hi A'], ['hi A'], ['hi B']], seen)
for c in clients:
    c.disconnect()

refused = socketio.Client(reconnection=False)
errors = []
refused.on('connect_error', lambda *a: errors.append(a), namespace='/admin')
try:
    refused.connect(url, namespaces=['/admin'], auth={'token': 'wrong'}, wait_timeout=5)
    check('admin refused', False, 'connected with a wrong token')
except socketio.exceptions.ConnectionError as e:
    check('admin refused', 'not authorized' in str(errors) and 'bad token' in str(errors), errors)
admitted = socketio.Client(reconnection=False)
admitted.connect(url, namespaces=['/admin'], auth={'token': 'secret'}, wait_timeout=10)
check('admin admitted', admitted.call('whoami', namespace='/admin', timeout=5) == ('/admin', 'secret'), 'whoami')
admitted.disconnect()

print('ALL OK' if not failures else 'SOME FAILED ' + str(failures), flush=True)
sys.exit(1 if failures else 0)
