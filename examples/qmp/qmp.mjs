#!/usr/bin/env node
// A small QMP client (QEMU's monitor protocol, as `pvdump run --qmp` and qemu-system-* speak it):
// connects, then takes STEPs in order and prints every message the server sends, one a line.
// A STEP is a JSON command (sent once the previous command, or the greeting, is answered) or an
// event name such as GUEST_PANICKED (the client waits until that event has come). Exit status 0,
// or 1 when a command got an error answer or the connection failed.
import { connect } from 'node:net';

const USAGE = 'usage: node qmp.mjs unix:PATH|tcp:HOST:PORT STEP...   (STEP: a JSON command or an EVENT_NAME to wait for)';
const [address, ...steps] = process.argv.slice(2);
if (address === undefined || steps.length === 0) {
  console.error(USAGE);
  process.exit(2);
}
const tcp = /^tcp:(.+):(\d+)$/.exec(address);
const target = tcp !== null ? { host: tcp[1], port: Number(tcp[2]) } : address.startsWith('unix:') ? { path: address.slice(5) } : undefined;
if (target === undefined) {
  console.error(USAGE);
  process.exit(2);
}

/** The server may not listen yet (it was just started): retry for 30 seconds. */
function open(deadline = Date.now() + 30_000) {
  return new Promise((resolve, reject) => {
    const socket = connect(target);
    socket.once('connect', () => resolve(socket));
    socket.once('error', (e) => {
      if ((e.code === 'ENOENT' || e.code === 'ECONNREFUSED') && Date.now() < deadline) setTimeout(() => open(deadline).then(resolve, reject), 100);
      else reject(e);
    });
  });
}

let failed = false;
let awaiting = 'greeting';
/** Events that came since the last command was sent (an event may overtake its command's answer). */
let seen = [];
const socket = await open().catch((e) => {
  console.error(`qmp: cannot connect to ${address}: ${e.message}`);
  process.exit(1);
});

/** Sends commands until the next one must wait: for an answer, or for an event. */
function advance() {
  while (awaiting === undefined) {
    const step = steps.shift();
    if (step === undefined) {
      socket.end();
      return;
    }
    if (/^[A-Z_]+$/.test(step)) {
      if (seen.includes(step)) continue;
      awaiting = { event: step };
      return;
    }
    socket.write(step + '\n');
    seen = [];
    awaiting = 'answer';
  }
}

let buffer = '';
socket.setEncoding('utf8').on('data', (data) => {
  buffer += data;
  for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
    const line = buffer.slice(0, end).trim();
    buffer = buffer.slice(end + 1);
    if (line === '') continue;
    console.log(line);
    const message = JSON.parse(line);
    if ('error' in message) failed = true;
    if ('event' in message) seen.push(message.event);
    const answered = awaiting === 'greeting' ? 'QMP' in message : awaiting === 'answer' ? 'return' in message || 'error' in message : message.event === awaiting.event;
    if (answered) {
      awaiting = undefined;
      advance();
    }
  }
});
socket.on('close', () => process.exit(failed ? 1 : 0));
socket.on('error', (e) => {
  console.error(`qmp: ${e.message}`);
  process.exit(1);
});
