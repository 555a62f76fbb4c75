// From a unittests.cfg entry to what runs: the suite's runner with ACCEL=tcg (scripts/runtime.bash
// `run`) skips an entry for another accelerator ("kvm only, but ACCEL=tcg"), a pv-host entry
// without gen-se-header, and a migration entry when its migration helper (ncat) is missing; every
// other entry boots `qemu-system-s390x -nodefaults -machine s390-ccw-virtio -kernel FILE -smp S
// [-append ARGS] QEMU_PARAMS`. The QEMU options the suite passes are read here into a machine
// configuration; an option the machine does not offer fails before the guest starts, which the
// runner reports as SKIP with QEMU's last line ("premature failure").
import { join } from 'node:path';
import { ENTITLEMENTS, type CpuPlacement, type Entitlement, type TopologyGeometry } from '@pvdump/kvm-pv';
import { splitShellWords, type UnitTestEntry } from './unittests-cfg.js';

/** A CPU added with `-device <model>-s390x-cpu,core-id=N[,drawer-id=,book-id=,socket-id=,entitlement=,dedicated=]`. */
export interface ExtraCpu {
  coreId: number;
  placement: CpuPlacement;
}

/** `-smp` containers: drawers, books, sockets, cores per socket (their product is maxcpus). */
export type SmpGeometry = TopologyGeometry;

/** The machine one entry runs on (QEMU's command line, as data). */
export interface RunSpec {
  name: string;
  kernel: string;
  /** CPUs present at start (CPU addresses 0..cpus-1), then `extraCpus` in order. */
  cpus: number;
  maxCpus: number;
  /** The `-smp` geometry. */
  geometry: SmpGeometry;
  extraCpus: ExtraCpu[];
  memoryMiB: number;
  /** The `-append` text (the kernel command line), absent without `-append`. */
  commandLine: string | undefined;
  /** `-name` */
  guestName: string | undefined;
  /** `--uuid` */
  uuid: string | undefined;
  /** `-cpu MODEL[,feature=on|off...]` */
  cpuModel: { model: string; features: Record<string, boolean> };
  /** Number of `-device virtio-net-ccw` devices. */
  virtioNetCcw: number;
  /** `-device diag288` with its `--watchdog-action`. */
  watchdog: { action: string } | undefined;
  /** Seconds the suite allows the entry (its `timeout`, else the runner's 90 s). */
  suiteTimeoutSeconds: number;
  /** A `panic` group entry: it passes when the guest panics (arch-run.bash run_panic). */
  expectPanic: boolean;
  /** The machine offers the Ultravisor-call facility (158) with a UV the guest calls as its host. */
  ultravisorCall: boolean;
  /** A `NAME_PV` entry (pv-entries.ts): the ELF runs as a Secure Execution guest. */
  secure?: boolean;
}

export type Plan = { kind: 'run'; spec: RunSpec } | { kind: 'skip'; reason: string };

/** The accelerator our runs stand for: the interpreter is an emulator, as QEMU's TCG. */
export const ACCEL = 'tcg';
/** The runner's default time limit. */
const DEFAULT_SUITE_TIMEOUT = 90;
/** QEMU's default guest memory. */
const DEFAULT_MEMORY_MIB = 128;

/** A QEMU option the machine does not offer (QEMU would refuse to start). */
export class UnsupportedOption extends Error {
  override readonly name = 'UnsupportedOption';
}

/** `timeout` of an entry in seconds (`90`, `90s`, `2m`, `1h`, as coreutils timeout reads it). */
export function parseTimeout(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_SUITE_TIMEOUT;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (m === null) throw new UnsupportedOption(`timeout "${text}" is not a duration`);
  const scale = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * scale;
}

/** `-m` size in MiB (QEMU: a plain number is MiB; K, M, G, T suffixes). */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)[bB]?$/.exec(text.replace(/^size=/, ''));
  if (m === null) throw new UnsupportedOption(`-m ${text}: not a memory size`);
  const mib = Number(m[1]) * { '': 1, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  if (!Number.isInteger(mib) || mib <= 0) throw new UnsupportedOption(`-m ${text}: memory must be a whole number of MiB`);
  return mib;
}

/**
 * `-smp` (`N`, `N,maxcpus=M`, `cpus=N,drawers=D,books=B,sockets=S,cores=C,maxcpus=M`) as QEMU
 * 8.2 reads it for s390-ccw-virtio (hw/core/machine-smp.c, cores preferred over sockets):
 * drawers, books and sockets default to 1, cores to maxcpus over their product, threads must
 * be 1; maxcpus defaults to the boot CPUs, else the product; the boot CPUs to maxcpus; the
 * product must equal maxcpus.
 */
export function parseSmp(text: string): { cpus: number; maxCpus: number; geometry: SmpGeometry } {
  const given: Record<string, number> = {};
  for (const [i, part] of text.split(',').entries()) {
    const kv = /^([a-z-]+)=(\d+)$/.exec(part);
    if (i === 0 && /^\d+$/.test(part)) given.cpus = Number(part);
    else if (kv === null) throw new UnsupportedOption(`-smp ${text}: "${part}" is not understood`);
    else if (['cpus', 'maxcpus', 'drawers', 'books', 'sockets', 'cores', 'threads'].includes(kv[1]!)) given[kv[1]!] = Number(kv[2]);
    else throw new UnsupportedOption(`-smp ${text}: "${kv[1]}" is not understood`);
  }
  if ((given.threads ?? 1) !== 1) throw new UnsupportedOption(`-smp ${text}: only threads=1 is supported`);
  const drawers = given.drawers ?? 1;
  const books = given.books ?? 1;
  const sockets = given.sockets ?? 1;
  const containers = drawers * books * sockets;
  const cores = given.cores ?? (given.cpus === undefined && given.maxcpus === undefined ? 1 : Math.max(1, Math.floor((given.maxcpus ?? given.cpus!) / containers)));
  const max = given.maxcpus ?? given.cpus ?? containers * cores;
  const boot = given.cpus ?? max;
  if (containers * cores !== max) throw new UnsupportedOption(`-smp ${text}: invalid CPU topology: product of the hierarchy (${containers * cores}) must match maxcpus (${max})`);
  if (boot < 1 || boot > max) throw new UnsupportedOption(`-smp ${text}: ${boot} CPUs with maxcpus ${max}`);
  return { cpus: boot, maxCpus: max, geometry: { drawers, books, sockets, cores } };
}

/** The topology properties of a `-device <model>-s390x-cpu` (QEMU 8.2's S390CPU properties). */
function cpuPlacement(driver: string, prop: (name: string) => string | undefined): CpuPlacement {
  const placement: CpuPlacement = {};
  const id = (name: string): number | undefined => {
    const v = prop(name);
    if (v !== undefined && !/^\d+$/.test(v)) throw new UnsupportedOption(`-device ${driver}: ${name}=${v} is not a number`);
    return v === undefined ? undefined : Number(v);
  };
  const [drawer, book, socket] = [id('drawer-id'), id('book-id'), id('socket-id')];
  if (drawer !== undefined) placement.drawer = drawer;
  if (book !== undefined) placement.book = book;
  if (socket !== undefined) placement.socket = socket;
  const entitlement = prop('entitlement');
  if (entitlement !== undefined) {
    if (!(ENTITLEMENTS as readonly string[]).includes(entitlement)) throw new UnsupportedOption(`-device ${driver}: entitlement=${entitlement} is not one of ${ENTITLEMENTS.join(', ')}`);
    placement.entitlement = entitlement as Entitlement;
  }
  const dedicated = prop('dedicated');
  if (dedicated !== undefined) {
    if (dedicated !== 'true' && dedicated !== 'false' && dedicated !== 'on' && dedicated !== 'off') throw new UnsupportedOption(`-device ${driver}: dedicated=${dedicated} is not a boolean`);
    placement.dedicated = dedicated === 'true' || dedicated === 'on';
  }
  return placement;
}

/**
 * QEMU CPU features the suite switches, with what the interpreter's CPU has: the vector facility
 * (129) and guarded storage (133) are installed and can be withdrawn (`vx=off`: the machine's
 * CPU model drops it and the facilities built on it, vector instructions become operation
 * exceptions; `gs=off`: LGG, LLGFSG, LGSC and STGSC become operation exceptions);
 * configuration topology (11) is offered by the machine, as KVM offers it to QEMU's host model,
 * and can be withdrawn (`ctop=off`). A feature asked in a state the CPU cannot take fails like
 * QEMU refusing the model.
 */
const CPU_FEATURES: Record<string, { facility: number; installed: boolean; switchable: boolean }> = {
  vx: { facility: 129, installed: true, switchable: true },
  gs: { facility: 133, installed: true, switchable: true },
  ctop: { facility: 11, installed: true, switchable: true },
};
/** CPU models: QEMU's `qemu` and `max` are what the interpreter offers; `host` needs KVM. */
const CPU_MODELS = ['qemu', 'max'];

function parseCpuModel(text: string): RunSpec['cpuModel'] {
  const [model, ...rest] = text.split(',');
  if (!CPU_MODELS.includes(model!)) throw new UnsupportedOption(`-cpu ${model}: CPU model not offered by this machine (${CPU_MODELS.join(', ')})`);
  const features: Record<string, boolean> = {};
  for (const f of rest) {
    const kv = /^([a-z0-9_-]+)=(on|off)$/.exec(f);
    if (kv === null) throw new UnsupportedOption(`-cpu ${text}: "${f}" is not a feature=on|off`);
    const feature = CPU_FEATURES[kv[1]!];
    const on = kv[2] === 'on';
    if (feature === undefined) throw new UnsupportedOption(`-cpu ${text}: unknown CPU feature ${kv[1]}`);
    if (on !== feature.installed && !feature.switchable) throw new UnsupportedOption(`CPU feature ${kv[1]}=${kv[2]}: facility ${feature.facility} is ${feature.installed ? 'installed and cannot be withdrawn' : 'not available'} on this CPU`);
    features[kv[1]!] = on;
  }
  return { model: model!, features };
}

/**
 * pv-host entries that need no SE header [E]: the suite's runner skips the whole group without
 * gen-se-header, which builds the secure guest images the others embed; uv-host embeds none (it
 * makes configurations and CPUs of its own and runs no secure guest), so it runs, on a machine
 * that offers the Ultravisor call as an LPAR with Secure Execution does.
 */
const PV_HOST_WITHOUT_SE_HEADER: ReadonlySet<string> = new Set(['uv-host.elf']);

/** What the runner does with one entry (ACCEL=tcg, no gen-se-header, no ncat). */
export function planEntry(entry: UnitTestEntry, suiteDir: string): Plan {
  const pvHost = entry.groups.includes('pv-host');
  if (pvHost && !PV_HOST_WITHOUT_SE_HEADER.has(entry.file)) return { kind: 'skip', reason: 'no gen-se-header available for pv-host test' };
  if (entry.arch !== undefined && entry.arch !== 's390x') return { kind: 'skip', reason: `${entry.arch} only` };
  if (entry.accel !== undefined && entry.accel !== ACCEL) return { kind: 'skip', reason: `${entry.accel} only, but ACCEL=${ACCEL}` };
  // The machine has no migration, as the runner without ncat (arch-run.bash run_migration).
  if (entry.groups.includes('migration')) return { kind: 'skip', reason: 'run_migration needs ncat (netcat)' };
  try {
    return { kind: 'run', spec: { ...specOf(entry, suiteDir), ultravisorCall: pvHost } };
  } catch (e) {
    if (e instanceof UnsupportedOption) return { kind: 'skip', reason: e.message };
    throw e;
  }
}

function specOf(entry: UnitTestEntry, suiteDir: string): RunSpec {
  const spec: RunSpec = {
    name: entry.name,
    kernel: join(suiteDir, entry.file),
    ...parseSmp(entry.smp),
    extraCpus: [],
    memoryMiB: DEFAULT_MEMORY_MIB,
    commandLine: entry.testArgs === undefined ? undefined : splitShellWords(entry.testArgs).join(' '),
    guestName: undefined,
    uuid: undefined,
    cpuModel: { model: 'qemu', features: {} },
    virtioNetCcw: 0,
    watchdog: undefined,
    suiteTimeoutSeconds: parseTimeout(entry.timeout),
    expectPanic: entry.groups.includes('panic'),
    ultravisorCall: false,
  };
  const words = splitShellWords(entry.qemuParams);
  let watchdogAction = 'reset';
  let watchdog = false;
  for (let i = 0; i < words.length; i++) {
    const option = words[i]!.replace(/^--/, '-');
    const value = (): string => {
      const v = words[++i];
      if (v === undefined) throw new UnsupportedOption(`${option} needs a value`);
      return v;
    };
    switch (option) {
      case '-m':
        spec.memoryMiB = parseMemory(value());
        break;
      case '-smp':
        Object.assign(spec, parseSmp(value()));
        break;
      case '-name':
        spec.guestName = value()
          .replace(/^guest=/, '')
          .split(',')[0];
        break;
      case '-uuid':
        spec.uuid = value();
        break;
      case '-cpu':
        spec.cpuModel = parseCpuModel(value());
        break;
      case '-watchdog-action':
        watchdogAction = value();
        break;
      case '-append':
        spec.commandLine = value();
        break;
      case '-device': {
        const [driver, ...props] = value().split(',');
        const prop = (name: string): string | undefined => props.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);
        if (driver === 'virtio-net-ccw') spec.virtioNetCcw++;
        else if (driver === 'diag288') watchdog = true;
        else if (driver !== undefined && /^[a-z0-9]+-s390x-cpu$/.test(driver)) {
          const coreId = prop('core-id');
          if (coreId === undefined || !/^\d+$/.test(coreId)) throw new UnsupportedOption(`-device ${driver} needs a core-id`);
          spec.extraCpus.push({ coreId: Number(coreId), placement: cpuPlacement(driver, prop) });
        } else throw new UnsupportedOption(`-device ${driver}: no such device on this machine`);
        break;
      }
      default:
        throw new UnsupportedOption(`QEMU option ${words[i]} is not offered by this machine`);
    }
  }
  if (watchdog) spec.watchdog = { action: watchdogAction };
  if (spec.cpus + spec.extraCpus.length > spec.maxCpus) throw new UnsupportedOption(`${spec.cpus + spec.extraCpus.length} CPUs exceed maxcpus ${spec.maxCpus}`);
  return spec;
}
