/**
 * `pvdump run [options] GUEST`: boots a guest on pvdump's QEMU-like VMM (`@pvdump/kvm-pv`, the
 * emulated KVM PV API), with QEMU's options where they exist and libvirt's on_crash policies:
 *
 * - GUEST is a plain s390x ELF (loaded like QEMU `-kernel`), a Secure Execution boot image as IBM's
 *   genprotimg writes it (a raw image: loaded at 0 like a `-kernel` file that is not ELF, started
 *   from the short IPL PSW at 0; its stage3a switches to protected mode, which needs `--host-key`
 *   to open its SE header; `pvdump image` writes the same layout). pvdump's former protected-image
 *   container ('pvdumpSE') is recognised only to say that it must be rebuilt.
 * - The guest's SCLP console goes to stdout. `--qmp` starts a QMP monitor (src/qmp/).
 * - `--on-crash dump=FILE` (libvirt coredump-destroy): on a guest panic the VM is dumped to FILE
 *   (written to a temporary file and renamed when complete), then ended; `pause` (preserve): the
 *   VM stays paused for QMP until `quit`; `exit` (destroy, the default): it ends.
 * - Exit status [E]: 0 the guest powered off (or a QMP `quit`), 130 Ctrl-C, 3 the guest panicked,
 *   1 bad input or a failure the VMM reports (MachineError), 2 bad usage; anything else thrown is
 *   an internal error (70, cli.ts).
 * - `--seed N`: the Ultravisor's randomness and the TOD clock derive from N, so the same guest
 *   and seed give a byte-identical dump.
 * - On a terminal (not with --json), a status line on stderr shows the run state and time, and a
 *   dump after a crash its progress.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { rawImageIplPsw } from '@pvdump/kvm-pv';
import { deterministicRandom, decodeHostPrivateKeyPem, systemRandom, type HostKeyPair } from '@pvdump/ultravisor';
import { ManualTodClock } from '@pvdump/s390x-cpu';
import { parseCommandArgs, positionals } from '../args.js';
import { progressAllowed, progressMeter, UsageError, UserError, writeAtomically, type Command } from '../cli-support.js';
import { parseQmpAddress, QmpServer, type QmpAddress } from '../qmp/server.js';
import { VmMonitor, type VmEnd } from '../qmp/vm.js';
import { KvmPvMachine, type GuestImage } from '../run/kvm-pv-machine.js';
import { RunStatusLine } from '../run/status-line.js';

const USAGE = `usage: pvdump run [options] GUEST
Boots GUEST on pvdump's QEMU-like VMM (the emulated KVM PV API): a Secure Execution image (IBM
genprotimg's layout: loaded at 0, started from its short IPL PSW, it switches itself to protected
mode; 'pvdump image' writes them too), or a plain s390x ELF started like QEMU -kernel.
The guest's console goes to stdout, the VMM's error reports to stderr.
  --host-key FILE           the machine's host private key (host-key.pem of 'pvdump hostkey', or
                            a P-521 EC private key in PEM); opens the SE header of a protected guest
  --smp N                   number of vCPUs (default 1)
  --memory SIZE             guest memory in QEMU's -m forms: 512M, 2G; a number alone is MiB
                            (default 64M)
  --host-memory-limit SIZE  host memory the guest's pages may use; pages beyond it are swapped
                            (protected guests: swapped pages stay encrypted)
  --on-crash ACTION         what a guest panic does: dump=FILE (dump, then exit; libvirt
                            coredump-destroy), pause (keep the VM paused for QMP; preserve),
                            exit (end at once; destroy; the default)
  --qmp ADDRESS             a QMP monitor on unix:PATH or tcp:127.0.0.1:PORT
  -S                        start paused: the guest runs after QMP 'cont'
  --seed N                  reproducible run: the same guest and seed give the same dump
  --json                    print one JSON object when the VM has ended
exit status: 0 the guest powered off (or QMP quit), 130 Ctrl-C, 3 the guest panicked,
1 bad input or a failure of the VMM, 2 bad usage, 70 an internal error of pvdump`;

const OPTIONS = {
  'host-key': { type: 'string' },
  smp: { type: 'string' },
  memory: { type: 'string' },
  'host-memory-limit': { type: 'string' },
  'on-crash': { type: 'string' },
  qmp: { type: 'string' },
  S: { type: 'boolean', short: 'S' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const MIB = 1 << 20;
/** [E] Largest guest memory: the VMM keeps guest RAM in the host's memory. */
const MAX_MEMORY = 16 * 1024 * MIB;
const MAX_CPUS = 248;
/** [E] Largest boot image read into memory. */
const MAX_IMAGE = 1024 * MIB;

export type OnCrash = { kind: 'dump'; file: string } | { kind: 'pause' } | { kind: 'exit' };

/** QEMU's -m forms: a number with an optional K, M, G or T suffix (binary units); no suffix is MiB. */
export function parseSize(option: string, text: string): number {
  const m = /^(\d+)([KMGT]?)i?B?$/i.exec(text.trim());
  if (m === null) throw new UsageError(`${option} '${text}' is not a size: use forms like 512M or 2G\n\n${USAGE}`);
  const unit = { '': MIB, K: 1024, M: MIB, G: 1024 * MIB, T: 1024 * 1024 * MIB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new UsageError(`${option} '${text}' is out of range\n\n${USAGE}`);
  return bytes;
}

export function parseOnCrash(text: string): OnCrash {
  if (text === 'pause' || text === 'preserve') return { kind: 'pause' };
  if (text === 'exit' || text === 'destroy') return { kind: 'exit' };
  if (text.startsWith('dump=') && text.length > 5) return { kind: 'dump', file: text.slice(5) };
  throw new UsageError(`--on-crash '${text}': use dump=FILE, pause or exit\n\n${USAGE}`);
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${option} needs a whole number from ${min} to ${max}, got '${text}'\n\n${USAGE}`);
  return n;
}

/** The magic of pvdump's former protected-image container, which is no longer read. */
const FORMER_CONTAINER_MAGIC = Buffer.from('pvdumpSE', 'latin1');

/**
 * The guest's format from its first bytes: a plain ELF (7F 'E' 'L' 'F') or a raw boot image
 * whose first doubleword is a valid short IPL PSW (genprotimg's SE images, and `pvdump image`'s);
 * images are read whole (bounded).
 */
function readGuest(path: string): GuestImage {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`${path}: not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: no such file`);
  }
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(8);
  try {
    readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return { kind: 'elf', path };
  if (head.equals(FORMER_CONTAINER_MAGIC)) {
    throw new UserError(`${path}: a protected image in pvdump's former container format ('pvdumpSE'), which this version no longer boots: rebuild it with 'pvdump image' (it now writes IBM genprotimg's layout)`);
  }
  if (size < 8 || rawImageIplPsw(head) === undefined) {
    throw new UserError(`${path}: not a guest this machine boots: neither an ELF file nor a Secure Execution image (genprotimg's layout, starting with a short IPL PSW)`);
  }
  if (size > MAX_IMAGE) throw new UserError(`${path}: ${size} bytes is too large for a boot image (at most ${MAX_IMAGE} bytes)`);
  return { kind: 'raw', image: new Uint8Array(readFileSync(path)) };
}

function readHostKey(path: string): HostKeyPair {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`--host-key ${path}: cannot read the file`);
  }
  return decodeHostPrivateKeyPem(text);
}

interface RunReport {
  guest: string;
  protected: boolean;
  smp: number;
  memory: number;
  ended: VmEnd['by'];
  panic: { cpu: number; psw: { mask: string; addr: string } } | null;
  dump: { file: string; bytes: number } | null;
  qmp: string | null;
}

const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

export const command: Command = {
  summary: 'boot a guest (protected SE image or plain ELF) on the emulated KVM PV machine, with QMP',
  usage: USAGE,
  async run(argv) {
    const { values, positionals: rest } = parseCommandArgs(argv, OPTIONS, USAGE);
    const [guestPath] = positionals(rest, ['GUEST'], USAGE);
    const smp = values.smp === undefined ? 1 : wholeNumber('--smp', values.smp, 1, MAX_CPUS);
    const memory = values.memory === undefined ? 64 * MIB : parseSize('--memory', values.memory);
    if (memory % MIB !== 0 || memory > MAX_MEMORY) throw new UsageError(`--memory ${values.memory}: the guest needs a whole number of MiB up to ${MAX_MEMORY / MIB} MiB\n\n${USAGE}`);
    const limit = values['host-memory-limit'] === undefined ? undefined : parseSize('--host-memory-limit', values['host-memory-limit']);
    const onCrash = parseOnCrash(values['on-crash'] ?? 'exit');
    let qmpAddress: QmpAddress | undefined;
    if (values.qmp !== undefined) {
      try {
        qmpAddress = parseQmpAddress(values.qmp);
      } catch (e) {
        throw new UsageError(`--qmp ${(e as Error).message}\n\n${USAGE}`);
      }
    }
    const seed = values.seed === undefined ? undefined : wholeNumber('--seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
    const json = values.json === true;

    const guest = readGuest(guestPath!);
    const hostKeys = values['host-key'] === undefined ? [] : [readHostKey(values['host-key'])];
    const startedAt = Date.now();
    let vmState = (): string => 'starting';
    const status = new RunStatusLine(() => `pvdump run: guest ${vmState()}, ${Math.floor((Date.now() - startedAt) / 1000)} s`, progressAllowed(json));
    const machine = new KvmPvMachine({
      kernel: {
        hostKeys,
        random: seed === undefined ? systemRandom : deterministicRandom(`pvdump run --seed ${seed}`),
        ...(seed === undefined ? {} : { clock: () => new ManualTodClock() }),
        ...(limit === undefined ? {} : { guestPageLimit: Math.max(1, Math.floor(limit / 4096)) }),
      },
      memorySize: memory,
      cpus: smp,
      guest,
      console: (text) => {
        status.beforeConsole(text);
        process.stdout.write(text);
      },
      log: (line) => {
        status.beforeConsole(line);
        process.stderr.write(`pvdump: ${line}\n`);
      },
    });
    const vm = new VmMonitor(machine, { startPaused: values.S === true, panicAction: onCrash.kind === 'exit' ? 'shutdown' : 'pause' });
    vmState = () => vm.runState;
    status.start();
    // A dump after a crash draws its own progress.
    vm.onEvent((e) => {
      if (e.event === 'GUEST_PANICKED' && onCrash.kind === 'dump') status.stop();
    });
    const ended = new Promise<VmEnd>((resolve) => vm.onEnd(resolve));
    const crash: { dump: RunReport['dump']; failure: Error | undefined } = { dump: null, failure: undefined };
    if (onCrash.kind === 'dump') {
      vm.onEvent((e) => {
        if (e.event !== 'GUEST_PANICKED') return;
        queueMicrotask(() => {
          void dumpOnCrash(vm, onCrash.file, json)
            .then((bytes) => (crash.dump = { file: onCrash.file, bytes }))
            .catch((err: unknown) => (crash.failure = err instanceof Error ? err : new Error(String(err))))
            .finally(() => vm.quit());
        });
      });
    }
    const server = qmpAddress === undefined ? undefined : new QmpServer(vm);
    const bound = server === undefined || qmpAddress === undefined ? undefined : await server.listen(qmpAddress);
    const interrupt = (): void => vm.quit();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const end = await ended;
    status.stop();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await server?.close();
    if (crash.failure !== undefined) {
      // A file-system error (ENOSPC, EACCES…) or a failure the libraries report is the user's to
      // know; anything else is a bug and goes on as the internal error it is.
      const cause = crash.failure.cause instanceof Error ? crash.failure.cause : crash.failure;
      const reported = typeof (cause as NodeJS.ErrnoException).code === 'string' || cause instanceof UserError || (cause as { userError?: unknown }).userError === true;
      if (!reported) throw cause;
      throw new UserError(`the dump after the guest's crash failed: ${crash.failure.message}`);
    }
    if (end.by === 'internal-error') throw new UserError(`the VM failed: ${end.message}`);
    const panic = vm.lastPanic;
    const report: RunReport = {
      guest: guestPath!,
      protected: machine.isProtected,
      smp,
      memory,
      ended: panic !== undefined ? 'guest-panic' : end.by,
      panic: panic === undefined ? null : { cpu: panic.core, psw: { mask: hex64(panic.pswMask), addr: hex64(panic.pswAddr) } },
      dump: crash.dump,
      qmp: bound === undefined ? null : bound.kind === 'unix' ? `unix:${bound.path}` : `tcp:${bound.host}:${bound.port}`,
    };
    if (json) process.stdout.write(JSON.stringify(report) + '\n');
    else if (panic !== undefined) {
      // A protected CPU's PSW is not the host's to see (the hypervisor's view shows zeros).
      const psw = machine.isProtected ? 'its PSW is hidden from the host (protected guest)' : `PSW ${hex64(panic.pswMask)} ${hex64(panic.pswAddr)}`;
      process.stderr.write(`pvdump: the guest panicked: CPU ${panic.core} in a disabled wait, ${psw}\n`);
      if (crash.dump !== null) process.stderr.write(`pvdump: dump written to ${crash.dump.file} (${crash.dump.bytes} bytes)\n`);
    }
    return panic !== undefined ? 3 : 0;
  },
};

/** libvirt's coredump-destroy: the dump goes to a temporary file beside FILE, renamed when complete. */
async function dumpOnCrash(vm: VmMonitor, file: string, json: boolean): Promise<number> {
  return writeAtomically(file, async (tmp) => {
    const meter = progressMeter('dumping', vm.machine.memorySize, progressAllowed(json));
    const timer = setInterval(() => meter.update(Number(vm.queryDump().completed)), 200);
    try {
      await vm.dumpGuestMemory(`file:${tmp}`, { paging: false }, false);
    } finally {
      clearInterval(timer);
      meter.finish();
    }
    return statSync(tmp).size;
  });
}
