// The configuration topology (facility 11; PoO "STORE SYSTEM INFORMATION" SYSIB 15.1.x and
// "PERFORM TOPOLOGY FUNCTION"), as QEMU 8.2's s390-ccw machine keeps it under KVM
// (hw/s390x/cpu-topology.c, target/s390x/kvm/stsi-topology.c):
// - Geometry from `-smp`: drawers × books × sockets × cores = maxcpus; a CPU sits in a socket of
//   a book of a drawer. Without ids a CPU's place follows its core id (CPU address): sockets fill
//   in order, cores first. Explicit ids (`-device …,drawer-id=,book-id=,socket-id=`) come all
//   three or none, within the geometry, and a socket holds at most `cores` CPUs.
// - Entitlement low, medium or high (auto: high when dedicated, else medium); a dedicated CPU
//   must have high entitlement.
// - Polarization: horizontal after every reset. PTF function code 0 (horizontal) or 1
//   (vertical) changes it (cc 0, topology-change report pending) or, when already so, cc 2 with
//   reason code 1 in R1 bits 48-55. Any bit of R1 other than the function code, or another
//   code: specification exception (code 2, the report check, the SIE interprets).
// - SYSIB 15.1.x for x = 2 (MNEST 2) to 4 (the maximum nesting SCLP reports): magnitudes from
//   MAG1 (cores) up, the levels above x folded into level x; then the topology list: a container
//   entry (8 bytes: nesting level, container id in byte 7) whenever the container at that level
//   changes, and CPU entries (16 bytes: nesting level 0; byte 4 dedication 0x04 and polarization
//   (0 horizontal, else the entitlement 1-3); byte 5 CPU type 3 (IFL); CPU-address origin, a
//   multiple of 64; a 64-bit mask, bit 0 = origin) each grouping the CPUs of one socket with the
//   same type, polarization and dedication. Entries are ordered by drawer, book, socket, then
//   type, polarization (highest first), dedicated first, origin. A list over 4 KiB: cc 3.
// [E] A container id is the container's number in its parent as the list shows it: with levels
// folded, the folded containers are numbered across (a socket at MNEST 2 is
// (drawer × books + book) × sockets + socket); QEMU instead numbers the containers present.

/** A geometry or CPU placement the machine cannot take (QEMU refuses to start); the machine reports it as its error. */
export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

/** `-smp` geometry: containers per parent, cores per socket. */
export interface TopologyGeometry {
  drawers: number;
  books: number;
  sockets: number;
  cores: number;
}

export type Entitlement = 'auto' | 'low' | 'medium' | 'high';
export const ENTITLEMENTS: readonly Entitlement[] = ['auto', 'low', 'medium', 'high'];

/** Where a CPU sits and how it is polarized (QEMU's `-device <model>-s390x-cpu` properties). */
export interface CpuPlacement {
  drawer?: number;
  book?: number;
  socket?: number;
  entitlement?: Entitlement;
  dedicated?: boolean;
}

interface PlacedCpu {
  address: number;
  drawer: number;
  book: number;
  socket: number;
  /** 1 low, 2 medium, 3 high (the vertical polarization values). */
  entitlement: number;
  dedicated: boolean;
}

/** The maximum nesting level (SCLP read SCP info byte 15): drawers, books, sockets above the CPUs. */
export const TOPOLOGY_MNEST = 4;
/** PTF function codes, the reason code of cc 2, and the valid bits of R1. */
export const PtfFunction = { HORIZONTAL: 0, VERTICAL: 1, CHECK_REPORT: 2 } as const;
export const PTF_REASON_ALREADY_POLARIZED = 0x100n;
const PTF_FC_MASK = 0xffn;

const SYSIB_SIZE = 4096;
const HEADER_SIZE = 16;
const CONTAINER_ENTRY = 8;
const CPU_ENTRY = 16;
const CPU_TYPE_IFL = 3;
const DEDICATED = 0x04;
const ENTITLEMENT_VALUE: Readonly<Record<Exclude<Entitlement, 'auto'>, number>> = { low: 1, medium: 2, high: 3 };

/** QEMU's `-smp` geometry for `maxCpus` CPUs without containers given: one socket of maxcpus cores. */
export function defaultGeometry(maxCpus: number): TopologyGeometry {
  return { drawers: 1, books: 1, sockets: 1, cores: maxCpus };
}

/** The outcome of a polarization request: the condition code and R1 after it, or a specification exception. */
export type PtfResult = { kind: 'done'; cc: number; r1: bigint; reportChanged: boolean } | { kind: 'specification' };

export class CpuTopology {
  polarization: 'horizontal' | 'vertical' = 'horizontal';
  private readonly cpus: PlacedCpu[] = [];

  constructor(
    readonly geometry: TopologyGeometry,
    readonly maxCpus: number,
  ) {
    const { drawers, books, sockets, cores } = geometry;
    for (const [name, n] of Object.entries(geometry)) if (!Number.isInteger(n) || n < 1) throw new TopologyError(`CPU topology: ${name}=${n} is not a positive whole number`);
    if (drawers * books * sockets * cores !== maxCpus) throw new TopologyError(`Invalid CPU topology: product of the hierarchy (drawers ${drawers} × books ${books} × sockets ${sockets} × cores ${cores}) must match maxcpus ${maxCpus}`);
  }

  /** Adds the CPU with `address` (its core id) at `placement`, checked as QEMU checks a CPU it plugs. */
  place(address: number, placement: CpuPlacement = {}): void {
    const { drawers, books, sockets, cores } = this.geometry;
    const ids = [placement.drawer, placement.book, placement.socket];
    const given = ids.filter((id) => id !== undefined).length;
    if (given !== 0 && given !== 3) throw new TopologyError(`CPU ${address}: define all or none of drawer-id, book-id and socket-id`);
    const socket = placement.socket ?? Math.floor(address / cores) % sockets;
    const book = placement.book ?? Math.floor(address / (cores * sockets)) % books;
    const drawer = placement.drawer ?? Math.floor(address / (cores * sockets * books)) % drawers;
    if (socket >= sockets) throw new TopologyError(`CPU ${address}: unavailable socket ${socket} (sockets=${sockets})`);
    if (book >= books) throw new TopologyError(`CPU ${address}: unavailable book ${book} (books=${books})`);
    if (drawer >= drawers) throw new TopologyError(`CPU ${address}: unavailable drawer ${drawer} (drawers=${drawers})`);
    const dedicated = placement.dedicated ?? false;
    const asked = placement.entitlement ?? 'auto';
    if (dedicated && (asked === 'low' || asked === 'medium')) throw new TopologyError(`CPU ${address}: a dedicated CPU implies high entitlement`);
    const entitlement = ENTITLEMENT_VALUE[asked === 'auto' ? (dedicated ? 'high' : 'medium') : asked];
    if (this.cpus.filter((c) => c.drawer === drawer && c.book === book && c.socket === socket).length >= cores)
      throw new TopologyError(`CPU ${address}: no more space on socket ${socket} of book ${book} of drawer ${drawer} (cores=${cores})`);
    this.cpus.push({ address, drawer, book, socket, entitlement, dedicated });
  }

  /** The reset's state (QEMU's s390_topology_reset): horizontal polarization. */
  reset(): void {
    this.polarization = 'horizontal';
  }

  /** PTF as user space completes it (function codes 0 and 1; the rest are specification exceptions). */
  performTopologyFunction(r1: bigint): PtfResult {
    if ((r1 & ~PTF_FC_MASK) !== 0n) return { kind: 'specification' };
    const fc = Number(r1);
    if (fc !== PtfFunction.HORIZONTAL && fc !== PtfFunction.VERTICAL) return { kind: 'specification' };
    const wanted = fc === PtfFunction.VERTICAL ? 'vertical' : 'horizontal';
    if (this.polarization === wanted) return { kind: 'done', cc: 2, r1: r1 | PTF_REASON_ALREADY_POLARIZED, reportChanged: false };
    this.polarization = wanted;
    return { kind: 'done', cc: 0, r1, reportChanged: true };
  }

  /** SYSIB 15.1.`sel2`, or undefined (cc 3) for a selector outside 2..MNEST or a list that does not fit. */
  sysib(sel2: number): Uint8Array | undefined {
    if (sel2 < 2 || sel2 > TOPOLOGY_MNEST) return undefined;
    const { drawers, books, sockets, cores } = this.geometry;
    const b = new Uint8Array(SYSIB_SIZE);
    const view = new DataView(b.buffer);
    // MAG6 at byte 4 … MAG1 at byte 9.
    const magnitudes = sel2 === 4 ? [drawers, books, sockets, cores] : sel2 === 3 ? [drawers * books, sockets, cores] : [drawers * books * sockets, cores];
    b.set(magnitudes, 10 - magnitudes.length);
    b[11] = sel2;
    const containerIds = (c: PlacedCpu): number[] => (sel2 === 4 ? [c.drawer, c.book, c.socket] : sel2 === 3 ? [c.drawer * books + c.book, c.socket] : [(c.drawer * books + c.book) * sockets + c.socket]);
    let at = HEADER_SIZE;
    let previous: number[] = [];
    for (const group of this.cpuGroups()) {
      const ids = containerIds(group.cpu);
      const firstChange = ids.findIndex((id, i) => id !== previous[i]);
      for (let level = firstChange < 0 ? ids.length : firstChange; level < ids.length; level++) {
        if (at + CONTAINER_ENTRY > SYSIB_SIZE) return undefined;
        b[at] = ids.length - level; // nesting level
        b[at + 7] = ids[level]!;
        at += CONTAINER_ENTRY;
      }
      previous = ids;
      if (at + CPU_ENTRY > SYSIB_SIZE) return undefined;
      b[at + 4] = (group.cpu.dedicated ? DEDICATED : 0) | group.polarization;
      b[at + 5] = CPU_TYPE_IFL;
      view.setUint16(at + 6, group.origin);
      view.setBigUint64(at + 8, group.mask);
      at += CPU_ENTRY;
    }
    view.setUint16(2, at);
    return b.subarray(0, at);
  }

  /** CPU entries: the CPUs grouped by socket, type, polarization, dedication and origin, in the architecture's order. */
  private cpuGroups(): { cpu: PlacedCpu; polarization: number; origin: number; mask: bigint }[] {
    const vertical = this.polarization === 'vertical';
    const groups = new Map<string, { cpu: PlacedCpu; polarization: number; origin: number; mask: bigint }>();
    for (const cpu of this.cpus) {
      const polarization = vertical ? cpu.entitlement : 0;
      const origin = cpu.address - (cpu.address % 64);
      const key = `${cpu.drawer}.${cpu.book}.${cpu.socket}.${polarization}.${cpu.dedicated}.${origin}`;
      const group = groups.get(key) ?? { cpu, polarization, origin, mask: 0n };
      group.mask |= 1n << BigInt(63 - (cpu.address % 64));
      groups.set(key, group);
    }
    return [...groups.values()].sort(
      (l, r) => l.cpu.drawer - r.cpu.drawer || l.cpu.book - r.cpu.book || l.cpu.socket - r.cpu.socket || r.polarization - l.polarization || Number(r.cpu.dedicated) - Number(l.cpu.dedicated) || l.origin - r.origin,
    );
  }
}
