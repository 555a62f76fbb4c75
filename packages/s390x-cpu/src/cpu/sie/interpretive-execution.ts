// START INTERPRETIVE EXECUTION (the SIE architecture as Linux KVM's `__sie64a` and
// kvm-unit-tests' `sie64a` use it; docs/s390x-cpu.md): the guest CPU described by a state
// description runs on a guest `Cpu` whose absolute storage is host storage (`guest-storage.ts`),
// until an interception or a host event, then its state is stored back:
// - in: PSW (SD+0x90), GPRs 14–15 (gg14/gg15), CRs, prefix, CPU timer, clock comparator, TOD
//   programmable register, BEAR and the epoch (+ epoch extension with ECD_MEF) from the state
//   description; GPRs 0–13, access registers, floating-point/vector registers and FPC are the
//   host's own registers (SIE leaves them to the guest and back);
// - out: instruction interception (0x04, the PSW past the instruction as the host expects (it
//   rewinds to retry), IPA/IPB the instruction's first 6 bytes)
//   for every instruction the CPU leaves to its host (DIAGNOSE, SIGP, SERVC, STSI, …),
//   operation-exception interception (0x2C, with ICTL_OPEREXC), program interception (0x08: with
//   ICTL_PINT, and [E] always for specification exceptions; code, ILC, DXC and TEID stored), wait
//   (0x1C), validity (0x20, reason in the high half of IPB), or code 0 when the guest used its
//   time slice, as when a host interruption ends SIE;
// - a host translation exception while translating guest storage ends SIE with the guest state
//   stored and is a program interruption of the host with the host virtual address in its TEID.

import type { CpuCore, CpuOptions } from '../../core/cpu-core.js';
import { translate, type DatContext, type Translation } from '../../core/dat.js';
import { CR0_EDAT, CR0_INSTRUCTION_EXECUTION_PROTECTION } from '../../core/protection.js';
import { isNullifying, PGM_ADDRESSING, PGM_DATA, PGM_OPERATION, PGM_PAGE_TRANSLATION, PGM_SPECIFICATION, ProgramException, type InstructionInterception } from '../../core/exceptions.js';
import { todCarry, type TodClock } from '../../core/clock.js';
import type { AbsoluteStorage } from '../../memory/guest-memory.js';
import { PAGE_SIZE } from '../../memory/guest-memory.js';
import type { CpuSnapshot } from '../../state/snapshot.js';
import { GuestStorageWindow } from './guest-storage.js';
import { CPUSTAT_SM, ECA_MVPGI, ECD_MEF, ICPT, ICTL_OPEREXC, ICTL_PINT, SD, SD_PREFIX_MASK, VALIDITY } from './state-description.js';

/** Program interruption about to be delivered to a CPU; return true when it was taken elsewhere. */
export type ProgramInterruptionHook = (code: number, ilc: number, dxc: number, teid: number | bigint, early: boolean) => boolean;

/** Why the guest CPU's `run` returned (the run loop's `StopReason`, as far as SIE needs it). */
export interface GuestStop {
  kind: 'budget' | 'wait' | 'interception' | 'page-access' | 'stopped';
  interception?: InstructionInterception;
  /** Guest absolute address of a `page-access` stop. */
  absoluteAddress?: number;
}

/** The guest CPU: a full CPU of the run-loop layer. */
export type GuestCpu = CpuCore & {
  run(budget: number): GuestStop;
  onProgramInterruption: ProgramInterruptionHook | undefined;
};

export type GuestCpuFactory = (memory: AbsoluteStorage, options: CpuOptions) => GuestCpu;

/**
 * [E] Guest instructions one SIE runs before it ends with interception code 0 (the host's
 * pending interruptions are then taken and the host re-enters SIE), as a host timer would end it.
 */
export const SIE_TIME_SLICE = 200_000;

/** Largest guest storage one SIE maps (host storage is at most 4 GiB here). */
const MAX_GUEST_BYTES = 2 ** 32;
const TWO32 = 4294967296;
/** MOVE PAGE's IPA. */
const MVPG_OPCODE = 0xb254;

/** How SIE ended. */
type Exit = { kind: 'intercept'; code: number; ipa?: number; ipb?: number; program?: { code: number; ilc: number; dxc: number; teid: number | bigint }; pei?: [bigint, bigint] } | { kind: 'host-exception'; exception: ProgramException };

/**
 * A TOD clock seen through the state description's epoch difference and, with the multiple-epoch
 * facility (ECD_MEF), its epoch extension: the guest's 72-bit clock is the host's plus the epoch
 * extension and epoch difference, the carry out of bit 0 of the sum going into the epoch index.
 */
class GuestTodClock implements TodClock {
  constructor(
    private readonly host: TodClock,
    public epoch: bigint,
    public epochExtension: number,
    private readonly multipleEpoch: boolean,
  ) {}
  readExtended(): { epochIndex: number; tod: bigint } {
    const h = this.host.readExtended();
    const { tod, carry } = todCarry(h.tod + this.epoch);
    return { epochIndex: (h.epochIndex + this.epochExtension + carry) & 0xff, tod };
  }
  read(): bigint {
    return this.readExtended().tod;
  }
  get epochIndex(): number {
    return this.readExtended().epochIndex;
  }
  get offset(): bigint {
    return BigInt.asUintN(64, this.host.offset + this.epoch);
  }
  get epochDifference(): bigint {
    return this.epoch;
  }
  /** SCK in the guest: a new epoch difference; with MEF the epoch extension keeps the guest's epoch index. */
  set(value: bigint): void {
    const before = this.readExtended();
    const h = this.host.readExtended();
    this.epoch = BigInt.asUintN(64, BigInt.asUintN(64, value) - h.tod);
    if (this.multipleEpoch) this.epochExtension = (before.epochIndex - h.epochIndex - todCarry(h.tod + this.epoch).carry) & 0xff;
  }
}

/** Runs the guest of the state description at host real address `sd` on behalf of `host`. */
export function startInterpretiveExecution(host: CpuCore, sd: number, createGuest: GuestCpuFactory): void {
  const u64 = (off: number): bigint => host.readRealU64(sd + off);
  const u32 = (off: number): number => host.readRealU32(sd + off);
  const u8 = (off: number): number => (host.readRealU16(sd + (off & ~1)) >>> ((off & 1) === 0 ? 8 : 0)) & 0xff;
  const intercept = (code: number, ipa = 0, ipb = 0): void => {
    host.writeRealU8(sd + SD.ICPTCODE, code);
    host.writeRealU16(sd + SD.IPA, ipa);
    host.writeRealU32(sd + SD.IPB, ipb);
  };
  const validity = (reason: number): void => intercept(ICPT.VALIDITY, 0, (reason << 16) >>> 0);

  // Facility list designation: format 0 (31-bit address of the list) only.
  const fac = u32(SD.FACILITY_LIST);
  if ((fac & 3) !== 0) return validity(VALIDITY.FACILITY_LIST_FORMAT);
  let facilities: number[] | undefined;
  if ((fac & 0x7ffffff8) !== 0) {
    facilities = [];
    for (let dw = 0; dw < 3; dw++) {
      const word = host.readRealU64((fac & 0x7ffffff8) + 8 * dw);
      for (let bit = 0; bit < 64; bit++) if (((word >> BigInt(63 - bit)) & 1n) !== 0n) facilities.push(dw * 64 + bit);
    }
  }

  // Guest storage: guest absolute + MSO (none with CPUSTAT_SM) up to MSL's 1 MiB block → host virtual.
  const pageable = (u32(SD.CPUFLAGS) & CPUSTAT_SM) !== 0;
  const mso = pageable ? 0 : Number(u64(SD.MSO) & ~0xfffffn);
  const limit = pageable ? MAX_GUEST_BYTES : Math.min(MAX_GUEST_BYTES, Number(u64(SD.MSL) | 0xfffffn) + 1 - mso);
  const hostAbsolute = (guestAbsolute: number): number => hostVirtualToAbsolute(host, mso + guestAbsolute);
  // A host translation exception for the guest's first page is the host's program interruption.
  const base = hostAbsolute(0);
  // The contiguous run of host frames; with MSO/MSL, unmapped pages inside it are holes.
  const holes = new Set<number>();
  let size = PAGE_SIZE;
  let scanned = PAGE_SIZE;
  while (scanned < limit && base + scanned < host.mem.size) {
    let next: number | undefined;
    try {
      next = hostAbsolute(scanned);
    } catch (e) {
      if (!(e instanceof ProgramException)) throw e;
    }
    if (next === undefined) {
      if (pageable) break;
      holes.add(scanned / PAGE_SIZE);
    } else if (next !== base + scanned) break;
    else size = scanned + PAGE_SIZE;
    scanned += PAGE_SIZE;
  }
  for (const page of holes) if (page * PAGE_SIZE >= size) holes.delete(page);
  const storage = new GuestStorageWindow(host.mem, base, size, holes);

  // Guest state: the state description's part and the host registers SIE hands over.
  const mef = (u32(SD.ECD) & ECD_MEF) !== 0;
  const clock = new GuestTodClock(host.clock, u64(SD.EPOCH), mef ? u8(SD.EPOCH_EXTENSION) : 0, mef);
  const hostState = host.snapshot();
  const gprs = hostState.gprs.slice(0, 14).concat([u64(SD.GG14), u64(SD.GG15)]);
  const crs: bigint[] = [];
  for (let i = 0; i < 16; i++) crs.push(u64(SD.GCR + 8 * i));
  const guestState: CpuSnapshot = {
    ...hostState,
    psw: { mask: u64(SD.GPSW), addr: u64(SD.GPSW + 8) },
    gprs,
    crs,
    prefix: u32(SD.PREFIX) & SD_PREFIX_MASK,
    cpuTimer: u64(SD.CPU_TIMER),
    clockComparator: u64(SD.CLOCK_COMPARATOR),
    todProgrammable: u32(SD.TOD_PROGRAMMABLE) & 0xffff,
    bear: u64(SD.GBEA),
  };
  const guest = createGuest(storage, { cpuAddress: host.cpuAddress, clock, snapshot: guestState, facilities: facilities ?? facilityBits(host.facilityList), waitSkipsTime: false });

  const ictl = u32(SD.ICTL);
  const eca = u32(SD.ECA);
  let exit: Exit | undefined;
  /** A guest access to guest absolute `address` the window does not map: the host's translation decides. */
  const hostFault = (address: number): Exit => {
    try {
      hostAbsolute(address - (address % PAGE_SIZE));
    } catch (e) {
      if (!(e instanceof ProgramException)) throw e;
      return partialExecution(guest, (eca & ECA_MVPGI) !== 0, (guestAbsolute) => pageTableEntryAddress(host, mso + guestAbsolute)) ?? { kind: 'host-exception', exception: e };
    }
    return { kind: 'intercept', code: ICPT.VALIDITY, ipb: (VALIDITY.NONCONTIGUOUS_STORAGE << 16) >>> 0 };
  };
  guest.onProgramInterruption = (code, ilc, dxc, teid, early) => {
    if (exit !== undefined) return true;
    const address = typeof teid === 'bigint' ? Number(teid) : teid;
    if ((code & 0x7f) === PGM_ADDRESSING && address >= size && address < limit) {
      exit = hostFault(address);
    } else if ((code & 0x7f) === PGM_OPERATION && (ictl & ICTL_OPEREXC) !== 0) {
      const [ipa, ipb] = instructionParameters(guest, guest.ia);
      exit = { kind: 'intercept', code: ICPT.OPERATION_EXCEPTION, ipa, ipb };
      // As for an instruction interception, the PSW is past the instruction.
      if (ilc !== 0) guest.setPsw({ ...guest.getPsw(), addr: guest.addressBig(guest.step(guest.ia, ilc)) });
    } else if ((ictl & ICTL_PINT) !== 0 || (code & 0x7f) === PGM_SPECIFICATION) {
      exit = { kind: 'intercept', code: ICPT.PROGRAM, program: { code, ilc, dxc, teid } };
      // The guest PSW is left as the interruption's old PSW.
      if (!early && ilc !== 0 && !isNullifying(code)) guest.setPsw({ ...guest.getPsw(), addr: guest.addressBig(guest.step(guest.ia, ilc)) });
    } else return false;
    guest.requestStop();
    return true;
  };

  const stop = guest.run(SIE_TIME_SLICE);
  if (exit === undefined) {
    if (stop.kind === 'interception' && stop.interception !== undefined) {
      const i = stop.interception;
      // The PSW is past the intercepted instruction (a host retrying it rewinds by its length).
      guest.pendingInterception = undefined;
      const [ipa, ipb] = parametersOf(i.bytes);
      exit = { kind: 'intercept', code: ICPT.INSTRUCTION, ipa, ipb };
    } else if (stop.kind === 'wait') exit = { kind: 'intercept', code: ICPT.WAIT };
    else if (stop.kind === 'page-access' && stop.absoluteAddress !== undefined && holes.has(Math.floor(stop.absoluteAddress / PAGE_SIZE))) exit = hostFault(stop.absoluteAddress);
    else exit = { kind: 'intercept', code: ICPT.NONE };
  }

  // Guest state back to the state description and the host registers.
  const out = guest.snapshot();
  host.writeRealU64(sd + SD.GPSW, out.psw.mask);
  host.writeRealU64(sd + SD.GPSW + 8, out.psw.addr);
  host.writeRealU64(sd + SD.GG14, out.gprs[14]!);
  host.writeRealU64(sd + SD.GG15, out.gprs[15]!);
  for (let i = 0; i < 16; i++) host.writeRealU64(sd + SD.GCR + 8 * i, out.crs[i]!);
  host.writeRealU32(sd + SD.PREFIX, ((u32(SD.PREFIX) & ~SD_PREFIX_MASK) | out.prefix) >>> 0);
  host.writeRealU64(sd + SD.CPU_TIMER, out.cpuTimer);
  host.writeRealU64(sd + SD.CLOCK_COMPARATOR, out.clockComparator);
  host.writeRealU64(sd + SD.EPOCH, clock.epoch);
  if (mef) host.writeRealU8(sd + SD.EPOCH_EXTENSION, clock.epochExtension);
  host.writeRealU64(sd + SD.GBEA, out.bear);
  for (let i = 0; i < 14; i++) host.setGpr(i, out.gprs[i]!);
  host.acr.set(out.acrs);
  for (let i = 0; i < out.vrs.length; i++) host.vr.set(out.vrs[i]!, 16 * i);
  host.fpc = out.fpc;

  if (exit.kind === 'host-exception') {
    intercept(ICPT.NONE);
    throw exit.exception;
  }
  intercept(exit.code, exit.ipa, exit.ipb);
  if (exit.pei !== undefined) {
    host.writeRealU64(sd + SD.PEI_DESTINATION, exit.pei[0]);
    host.writeRealU64(sd + SD.PEI_SOURCE, exit.pei[1]);
  }
  if (exit.program !== undefined) {
    const p = exit.program;
    host.writeRealU16(sd + SD.PGM_ILC, p.ilc);
    host.writeRealU16(sd + SD.PGM_CODE, p.code);
    if ((p.code & 0x7f) === PGM_DATA) host.writeRealU32(sd + SD.DXC, p.dxc);
    host.writeRealU64(sd + SD.TEID, BigInt(p.teid));
  }
}

/**
 * MOVE PAGE under ECA_MVPGI whose operand the host has not mapped: a partial-execution
 * interception (0x38) with the host real addresses of both operands' page-table entries (0 when
 * the translation does not reach a page table) at SD+0xC0 (first operand) and SD+0xC8 (second);
 * the guest PSW is past the instruction, as for an instruction interception (the host resolves
 * the fault and rewinds to retry). Undefined for any other instruction.
 */
function partialExecution(guest: CpuCore, mvpgInterpretation: boolean, pageTableEntry: (guestAbsolute: number) => number | undefined): Exit | undefined {
  if (!mvpgInterpretation) return undefined;
  const [ipa, ipb] = instructionParameters(guest, guest.ia);
  if (ipa !== MVPG_OPCODE) return undefined;
  const entryOf = (register: number): bigint => {
    try {
      return BigInt(pageTableEntry(guest.absoluteNoCheck(guest.gprAddress(register))) ?? 0);
    } catch (e) {
      if (e instanceof ProgramException) return 0n;
      throw e;
    }
  };
  const pei: [bigint, bigint] = [entryOf((ipb >>> 20) & 0xf), entryOf((ipb >>> 16) & 0xf)];
  guest.setPsw({ ...guest.getPsw(), addr: guest.addressBig(guest.step(guest.ia, 4)) });
  return { kind: 'intercept', code: ICPT.PARTIAL_EXECUTION, ipa, ipb, pei };
}

/** IPA and IPB of an instruction: its bytes 0–1 and 2–5 (zeros past its length). */
function parametersOf(bytes: Uint8Array): [number, number] {
  const six = new Uint8Array(6);
  six.set(bytes.subarray(0, 6));
  const v = new DataView(six.buffer);
  return [v.getUint16(0), v.getUint32(2)];
}

/** IPA and IPB of the guest instruction at `address` (for an operation-exception interception). */
function instructionParameters(guest: CpuCore, address: number): [number, number] {
  const first = guest.fetchU16(address);
  const length = first >>> 14 === 0 ? 2 : first >>> 14 === 3 ? 6 : 4;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 2) {
    const h = i === 0 ? first : guest.fetchU16(guest.step(address, i));
    bytes[i] = h >>> 8;
    bytes[i + 1] = h & 0xff;
  }
  return parametersOf(bytes);
}

/** The bit numbers set in a facility list. */
function facilityBits(list: Uint8Array): number[] {
  const bits: number[] = [];
  for (let i = 0; i < list.length * 8; i++) if ((list[i >>> 3]! & (0x80 >>> (i & 7))) !== 0) bits.push(i);
  return bits;
}

/**
 * The host real address of the page-table entry that translates host virtual `virtual` through
 * the host's CR1, or undefined when the translation ends before the page table.
 */
function pageTableEntryAddress(host: CpuCore, virtual: number): number | undefined {
  let last: number | undefined;
  try {
    hostTranslate(host, virtual, (real) => {
      last = real;
    });
  } catch (e) {
    if (!(e instanceof ProgramException)) throw e;
    return (e.code & 0x7f) === PGM_PAGE_TRANSLATION ? last : undefined;
  }
  return last;
}

/**
 * A host virtual address → host absolute address through the host's primary ASCE (CR1) and the
 * host prefix, with the host's translation exceptions (TEID = the host virtual address).
 */
function hostVirtualToAbsolute(host: CpuCore, virtual: number): number {
  const t = hostTranslate(host, virtual);
  if (t.absolute) return t.real;
  return host.realToAbsoluteChecked(t.real);
}

/** Translation of a host virtual address with the host's CR0 and CR1; `onEntry` sees each table entry's real address. */
function hostTranslate(host: CpuCore, virtual: number, onEntry?: (real: number) => void): Translation {
  const cr0 = Number(host.getCr(0) & 0xffffffffn);
  const asce = host.getCr(1);
  const ctx: DatContext = {
    asceHi: Number(asce >> 32n),
    asceLo: Number(asce & 0xffffffffn),
    asceId: 0,
    edat1: (cr0 & CR0_EDAT) !== 0,
    edat2: (cr0 & CR0_EDAT) !== 0,
    iep: (cr0 & CR0_INSTRUCTION_EXECUTION_PROTECTION) !== 0,
    instruction: false,
    readEntry: (real) => {
      onEntry?.(real);
      const v = host.readRealU64(real);
      return [Number(v >> 32n), Number(v & 0xffffffffn)];
    },
  };
  const vhi = Math.floor(virtual / TWO32);
  return translate(vhi, virtual - vhi * TWO32, false, ctx);
}
