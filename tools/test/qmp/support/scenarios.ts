/**
 * The QMP command sequences sent to real QEMU 7.2 and to our server. `@DIR@` in a request is
 * replaced by a scratch folder of the run. A step waits for the answers to its request and for
 * the events it names, in any order.
 */
export interface Step {
  /** What is being checked. */
  note: string;
  /** Raw text sent (no trailing newline); absent: only read (the greeting). */
  send?: string;
  /** How many `return`/`error` messages answer the text (default 1). */
  answers?: number;
  /** Events that must arrive before the next step. */
  events?: string[];
  /** The server closes the connection after this step. */
  closes?: boolean;
}

export interface Scenario {
  name: string;
  /** Guest ELF, as a key the runner resolves: the idle guest or the crash fixture's guest. */
  guest: 'idle' | 'crash';
  /** QEMU's -S: wait in prelaunch. */
  startPaused: boolean;
  /** QEMU's -action panic=. */
  panicAction: 'pause' | 'shutdown';
  smp: number;
  memoryMiB: number;
  steps: Step[];
}

const cmd = (execute: string, args?: object, id?: unknown): string => JSON.stringify({ execute, ...(args === undefined ? {} : { arguments: args }), ...(id === undefined ? {} : { id }) });

/** A running idle guest: negotiation, run control, dumps, HMP, errors, reset, quit. */
export const IDLE: Scenario = {
  name: 'idle',
  guest: 'idle',
  startPaused: false,
  panicAction: 'pause',
  smp: 2,
  memoryMiB: 16,
  steps: [
    { note: 'greeting' },
    { note: 'command before negotiation', send: cmd('query-status') },
    { note: 'events are not sent before negotiation', send: cmd('stop') },
    { note: 'qmp_capabilities with id', send: cmd('qmp_capabilities', undefined, 'negotiate') },
    { note: 'qmp_capabilities again', send: cmd('qmp_capabilities') },
    { note: 'query-status running (the stop before negotiation did nothing)', send: cmd('query-status') },
    { note: 'cont while running does nothing', send: cmd('cont', undefined, 2) },
    { note: 'stop', send: cmd('stop', undefined, 1), events: ['STOP'] },
    { note: 'stop while paused', send: cmd('stop') },
    { note: 'query-status paused', send: cmd('query-status') },
    { note: 'cont', send: cmd('cont'), events: ['RESUME'] },
    { note: 'query-cpus-fast', send: cmd('query-cpus-fast') },
    { note: 'query-dump-guest-memory-capability', send: cmd('query-dump-guest-memory-capability') },
    { note: 'query-dump before any dump', send: cmd('query-dump') },
    {
      note: 'dump-guest-memory (synchronous)',
      send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/sync.elf' }),
      events: ['STOP', 'DUMP_COMPLETED', 'RESUME'],
    },
    { note: 'query-dump after the dump', send: cmd('query-dump') },
    {
      note: 'dump-guest-memory detached',
      send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/detached.elf', detach: true }, 'dump'),
      events: ['STOP', 'DUMP_COMPLETED', 'RESUME'],
    },
    { note: 'query-dump after the detached dump', send: cmd('query-dump') },
    { note: 'info registers', send: cmd('human-monitor-command', { 'command-line': 'info registers' }) },
    { note: 'info registers -a', send: cmd('human-monitor-command', { 'command-line': 'info registers -a' }) },
    { note: 'unknown HMP command', send: cmd('human-monitor-command', { 'command-line': 'info nosuch' }) },
    { note: 'unknown command', send: cmd('no-such-command') },
    { note: 'missing argument (first in schema order)', send: cmd('dump-guest-memory') },
    { note: 'missing argument protocol', send: cmd('dump-guest-memory', { paging: false }) },
    { note: 'argument of the wrong type', send: cmd('dump-guest-memory', { paging: 'yes', protocol: 'file:@DIR@/x.elf' }) },
    { note: 'integer argument given as a string', send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/x.elf', begin: '0', length: 4096 }) },
    { note: 'unexpected argument', send: cmd('query-status', { verbose: true }) },
    { note: 'bad enum value', send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/x.elf', format: 'elfx' }) },
    { note: 'begin without length', send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/x.elf', begin: 0 }) },
    { note: 'length without begin', send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/x.elf', length: 4096 }) },
    { note: 'unsupported protocol', send: cmd('dump-guest-memory', { paging: false, protocol: 'tcp:nowhere' }) },
    { note: 'fd protocol without such fd', send: cmd('dump-guest-memory', { paging: false, protocol: 'fd:nosuch' }) },
    { note: 'file that cannot be created', send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/no/such/dir.elf' }) },
    { note: 'bad JSON: missing value', send: '{"execute": }' },
    { note: 'bad JSON: stray closing brace', send: '}' },
    { note: 'bad JSON: unknown keyword', send: 'xyz ' },
    { note: 'bad JSON: missing colon', send: '{"execute" "stop"}' },
    { note: 'not an object', send: '[1, 2]' },
    { note: 'execute not a string', send: '{"execute": 7}' },
    { note: 'arguments not an object', send: '{"execute": "query-status", "arguments": [1]}' },
    { note: 'unexpected member', send: '{"execute": "query-status", "extra": 1}' },
    { note: 'no execute', send: '{"id": 5}' },
    { note: 'exec-oob without oob', send: '{"exec-oob": "query-status"}' },
    { note: 'id of any type is echoed', send: cmd('query-status', undefined, [1, { a: 2 }]) },
    { note: 'two requests in one write', send: `${cmd('query-dump', undefined, 'a')}${cmd('query-status', undefined, 'b')}`, answers: 2 },
    { note: 'system_reset while running', send: cmd('system_reset'), events: ['RESET'] },
    { note: 'query-status after reset while running', send: cmd('query-status') },
    { note: 'stop before reset', send: cmd('stop'), events: ['STOP'] },
    { note: 'system_reset while paused', send: cmd('system_reset'), events: ['RESET'] },
    { note: 'query-status after reset while paused', send: cmd('query-status') },
    { note: 'quit', send: cmd('quit'), events: ['SHUTDOWN'], closes: true },
  ],
};

/** The crash fixture's guest, started paused: it panics (disabled wait) as soon as it runs. */
export const CRASH: Scenario = {
  name: 'crash',
  guest: 'crash',
  startPaused: true,
  panicAction: 'pause',
  smp: 2,
  memoryMiB: 16,
  steps: [
    { note: 'greeting' },
    { note: 'qmp_capabilities', send: cmd('qmp_capabilities') },
    { note: 'query-status prelaunch', send: cmd('query-status') },
    { note: 'query-cpus-fast before start', send: cmd('query-cpus-fast') },
    { note: 'cont: the guest runs and panics', send: cmd('cont'), events: ['RESUME', 'GUEST_PANICKED', 'STOP'] },
    { note: 'query-status guest-panicked', send: cmd('query-status') },
    { note: 'query-cpus-fast after the panic', send: cmd('query-cpus-fast') },
    { note: 'dump-guest-memory of a panicked guest (no STOP/RESUME)', send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/crash.elf' }), events: ['DUMP_COMPLETED'] },
    { note: 'query-dump', send: cmd('query-dump') },
    { note: 'a second dump into the same file', send: cmd('dump-guest-memory', { paging: false, protocol: 'file:@DIR@/crash.elf', detach: true }), events: ['DUMP_COMPLETED'] },
    { note: 'info registers -a of the crashed guest', send: cmd('human-monitor-command', { 'command-line': 'info registers -a' }) },
    { note: 'quit', send: cmd('quit'), events: ['SHUTDOWN'], closes: true },
  ],
};

export const SCENARIOS = [IDLE, CRASH];
