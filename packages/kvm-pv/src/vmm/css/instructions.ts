// The channel-subsystem instructions as the host serves them after the CPU intercepts them (PoO
// chapter 14 "I/O Instructions"; QEMU 7.2's target/s390x/ioinst.c answers the same way). The CPU
// has already recognised privileged operation, the operand's alignment (specification) and its
// access exceptions with the PSW key (s390x-cpu intercepted.ts); here:
// - GR1's subsystem-identification word: bit 47 one and bits 32-46 zero (no MCSS-E, no
//   multiple subchannel sets enabled), else an operand exception; a subchannel not installed: cc 3.
// - STSCH stores the SCHIB (cc 0). MSCH: operand exception for a SCHIB with PMCW word 1 bits 0,
//   1, 6, 7 or word 6 bits 0-28 set, the extended measurement word asked for, or a format-1
//   measurement-block origin not on 64 bytes; cc 1 status pending, cc 2 busy, else the PMCW's
//   settable fields change (bit 5 is ignored) and cc 0.
// - SSCH: operand exception for ORB word 1 bits 13, 25-30 or word 2 bit 0 set; cc 3 device not
//   valid or subchannel disabled, cc 1 status pending, cc 2 busy; else the start function runs
//   to its end (status pending, I/O interruption) and cc 0.
// - TSCH stores the IRB: cc 0 status was pending (the status is then cleared), cc 1 not.
// - CSCH, HSCH, XSCH, RSCH: the clear / halt functions (status pending, interruption); cancel
//   and resume find nothing to do (cc 2) unless status is pending (cc 1).
// - STCRW: a channel-report word stored (cc 0), or zeros (cc 1); kept when the store fails.
// - STCPS: the 32-byte channel-path-status word, all zero (no path is ever active between
//   instructions); the condition code is unchanged.
// - RCHP: operand exception for GR1 bits 32-39, 48-55 or a CSSID other than 0; cc 3 for a path
//   not installed; else a channel report for the path and cc 0.
// - SCHM: operand exception for GR1 bits 36-61 or, with measurement-block update, GR2 bits
//   59-63; the condition code is unchanged. SAL: operand exception for GR1 bit 32 or bits 48-63.
// - CHSC: the 4 KiB command block at GR R1; a request length below 16, above 4088 or not a
//   multiple of 8: operand exception; else the response (chsc.ts) follows the request, cc 0.
// Operands are logical: read and written through KVM_S390_MEM_OP with the vCPU's translation.
// A secure guest's operand is in the SIDA at offset 0 (QEMU 7.2's get_address_from_regs: "all
// offsets into the satellite block"), read and written with the SIDA operations; the SIE moved it
// there and back, and checked STSCH's subsystem-identification word (kernel/secure-io-sida.ts).
import { PGM_OPERAND } from '@pvdump/s390x-cpu';
import { RunOffset, type StructBytes } from '../../uapi/structs.js';
import { MachineError, type HostMachine, type MachineStop, type VcpuHandle } from '../host.js';
import type { ChannelSubsystem } from './channel-subsystem.js';
import { chscResponse } from './chsc.js';
import { IRB_SIZE, ORB_SIZE, OrbCtrl, PmcwChars, PmcwFlags, SCHIB_SIZE, SchibOffset, SID_ONE, encodeScsw, emptyScsw } from './layout.js';

/** The intercepted instructions this file serves (ipa). */
export const CHANNEL_INSTRUCTIONS: ReadonlySet<number> = new Set([0xb230, 0xb231, 0xb232, 0xb233, 0xb234, 0xb235, 0xb237, 0xb238, 0xb239, 0xb23a, 0xb23b, 0xb23c, 0xb25f, 0xb276]);

const PSW_EA = 0x0000000100000000n;
const PSW_BA = 0x0000000080000000n;
const CHSC_BLOCK = 4096;

interface Call {
  m: HostMachine;
  css: ChannelSubsystem;
  v: VcpuHandle;
  run: StructBytes;
  ipb: number;
  gprs: bigint[];
}

export function handleChannelInstruction(m: HostMachine, css: ChannelSubsystem, v: VcpuHandle, run: StructBytes, ipa: number, ipb: number): MachineStop | undefined {
  const c: Call = { m, css, v, run, ipb, gprs: m.gprs(run) };
  switch (ipa) {
    case 0xb230:
      return withSubchannel(c, (s) => (css.clear(s), 0));
    case 0xb231:
      return withSubchannel(c, (s) => (s.statusPending ? 1 : (css.halt(s), 0)));
    case 0xb232:
      return modifySubchannel(c);
    case 0xb233:
      return startSubchannel(c);
    case 0xb234:
      return storeSubchannel(c);
    case 0xb235:
      return testSubchannel(c);
    case 0xb237:
      return setAddressLimit(c);
    case 0xb238:
      return withSubchannel(c, (s) => (!s.enabled ? 3 : s.statusPending ? 1 : 2));
    case 0xb239:
      return storeChannelReportWord(c);
    case 0xb23a:
      return storeChannelPathStatus(c);
    case 0xb23b:
      return resetChannelPath(c);
    case 0xb23c:
      return setChannelMonitor(c);
    case 0xb25f:
      return channelSubsystemCall(c);
    case 0xb276:
      return withSubchannel(c, (s) => (s.statusPending ? 1 : 2));
    default:
      throw new MachineError(`vCPU ${v.id}: 0x${ipa.toString(16)} is not a channel-subsystem instruction`);
  }
}

function complete(c: Call, cc: number): undefined {
  c.m.complete(c.v, c.run, cc);
  return undefined;
}

function operandException(c: Call): undefined {
  return c.m.programInterruption(c.v, c.run, PGM_OPERAND);
}

/** GR1's subsystem-identification word when valid. */
function subsystemId(c: Call): number | undefined {
  const sid = Number(c.gprs[1]! & 0xffffffffn);
  return (sid & 0xffff0000) === SID_ONE ? sid : undefined;
}

/** An address wrapped to the PSW's addressing mode. */
function wrapped(c: Call, address: bigint): bigint {
  const mask = c.run.u64(RunOffset.pswMask);
  return address & ((mask & PSW_EA) !== 0n ? 0xffffffffffffffffn : (mask & PSW_BA) !== 0n ? 0x7fffffffn : 0xffffffn);
}

/** The second-operand address D2(B2) of an S-format instruction (a secure guest's: SIDA offset 0). */
function secondOperand(c: Call): bigint {
  if (c.m.protected_) return 0n;
  const b2 = (c.ipb >>> 28) & 0xf;
  const d2 = (c.ipb >>> 16) & 0xfff;
  return wrapped(c, (b2 === 0 ? 0n : c.gprs[b2]!) + BigInt(d2));
}

/** Reads a logical operand; undefined when an access exception was presented instead. */
function readOperand(c: Call, address: bigint, length: number): Uint8Array | undefined {
  if (c.m.protected_) {
    const bytes = c.m.api.sidaRead(c.v.fd, Number(address), length);
    return typeof bytes === 'number' ? sidaFailed(c, 'read', bytes) : bytes;
  }
  const r = c.m.api.logicalRead(c.v.fd, address, length);
  if (typeof r !== 'number') return r;
  if (r > 0) return undefined;
  throw new MachineError(`vCPU ${c.v.id}: KVM_S390_MEM_OP read of ${length} bytes at 0x${address.toString(16)} failed (${r})`);
}

/** Stores a logical operand; false when an access exception was presented instead. */
function writeOperand(c: Call, address: bigint, data: Uint8Array): boolean {
  if (c.m.protected_) {
    const r = c.m.api.sidaWrite(c.v.fd, Number(address), data);
    return r === 0 || sidaFailed(c, 'write', r);
  }
  const r = c.m.api.logicalWrite(c.v.fd, address, data);
  if (r === 0) return true;
  if (r > 0) return false;
  throw new MachineError(`vCPU ${c.v.id}: KVM_S390_MEM_OP write of ${data.length} bytes at 0x${address.toString(16)} failed (${r})`);
}

/** A failed SIDA operation is the VMM's failure (QEMU's s390_cpu_pv_mem_rw aborts). */
function sidaFailed(c: Call, what: string, r: number): never {
  throw new MachineError(`vCPU ${c.v.id}: KVM_S390_MEM_OP SIDA ${what} failed (${r})`);
}

/** An instruction on the subchannel GR1 names: operand exception for an invalid word, cc 3 when not installed, else `body`'s cc. */
function withSubchannel(c: Call, body: (s: NonNullable<ReturnType<ChannelSubsystem['subchannel']>>) => number): undefined {
  const sid = subsystemId(c);
  if (sid === undefined) return operandException(c);
  const s = c.css.subchannel(sid);
  return complete(c, s === undefined ? 3 : body(s));
}

function storeSubchannel(c: Call): undefined {
  const sid = subsystemId(c);
  if (sid === undefined) return operandException(c);
  const s = c.css.subchannel(sid);
  if (s === undefined) return complete(c, 3);
  return writeOperand(c, secondOperand(c), s.schib()) ? complete(c, 0) : undefined;
}

function schibValid(schib: Uint8Array): boolean {
  const v = new DataView(schib.buffer, schib.byteOffset, SCHIB_SIZE);
  const chars = v.getUint32(SchibOffset.chars);
  if ((v.getUint16(SchibOffset.flags) & PmcwFlags.INVALID) !== 0 || (chars & PmcwChars.INVALID) !== 0) return false;
  // [E] No extended-I/O-measurement-word facility.
  if ((chars & PmcwChars.EXTENDED_MEASUREMENT_WORD) !== 0) return false;
  return (chars & PmcwChars.MB_FORMAT1) === 0 || (v.getBigUint64(SchibOffset.mbo) & 0x3fn) === 0n;
}

function modifySubchannel(c: Call): undefined {
  const schib = readOperand(c, secondOperand(c), SCHIB_SIZE);
  if (schib === undefined) return undefined;
  const sid = subsystemId(c);
  if (sid === undefined || !schibValid(schib)) return operandException(c);
  const s = c.css.subchannel(sid);
  if (s === undefined) return complete(c, 3);
  if (s.statusPending) return complete(c, 1);
  if (s.functionActive) return complete(c, 2);
  s.modify(schib);
  return complete(c, 0);
}

function startSubchannel(c: Call): undefined {
  const bytes = readOperand(c, secondOperand(c), ORB_SIZE);
  if (bytes === undefined) return undefined;
  const orb = new DataView(bytes.buffer, bytes.byteOffset, ORB_SIZE);
  const ctrl = orb.getUint32(4);
  const channelProgram = orb.getUint32(8);
  const sid = subsystemId(c);
  if (sid === undefined || (ctrl & OrbCtrl.INVALID) !== 0 || (channelProgram & 0x80000000) !== 0) return operandException(c);
  const s = c.css.subchannel(sid);
  if (s === undefined || !s.enabled) return complete(c, 3);
  if (s.statusPending) return complete(c, 1);
  if (s.functionActive) return complete(c, 2);
  c.css.start(s, { intparm: orb.getUint32(0), ctrl, channelProgram });
  return complete(c, 0);
}

function testSubchannel(c: Call): undefined {
  const sid = subsystemId(c);
  if (sid === undefined) return operandException(c);
  const s = c.css.subchannel(sid);
  if (s === undefined) return complete(c, 3);
  const irb = new Uint8Array(IRB_SIZE);
  const v = new DataView(irb.buffer);
  encodeScsw(s.scsw, v, 0);
  // ESW format 1 (I/O subchannel): byte 1 the last-path-used mask.
  v.setUint8(13, s.lpum);
  if (!writeOperand(c, secondOperand(c), irb)) return undefined;
  if (!s.statusPending) return complete(c, 1);
  s.scsw = emptyScsw();
  return complete(c, 0);
}

function storeChannelReportWord(c: Call): undefined {
  const crw = c.css.nextCrw();
  const word = new Uint8Array(4);
  new DataView(word.buffer).setUint32(0, crw ?? 0);
  if (!writeOperand(c, secondOperand(c), word)) return undefined;
  if (crw === undefined) return complete(c, 1);
  c.css.takeCrw();
  return complete(c, 0);
}

/** STCPS: the channel-path-status word, one bit per CHPID active for a subchannel; all zero, as functions complete at once. */
function storeChannelPathStatus(c: Call): undefined {
  return writeOperand(c, secondOperand(c), new Uint8Array(32)) ? complete(c, c.m.ccOf(c.run)) : undefined;
}

function resetChannelPath(c: Call): undefined {
  const gr1 = Number(c.gprs[1]! & 0xffffffffn);
  if ((gr1 & 0xff00ff00) !== 0 || (gr1 & 0x00ff0000) !== 0) return operandException(c);
  const chpid = gr1 & 0xff;
  if (!c.css.pathInstalled(chpid)) return complete(c, 3);
  c.css.resetChannelPath(chpid);
  return complete(c, 0);
}

function setChannelMonitor(c: Call): undefined {
  const gr1 = c.gprs[1]! & 0xffffffffn;
  const gr2 = c.gprs[2]!;
  if ((gr1 & 0x0ffffffcn) !== 0n) return operandException(c);
  const update = (gr1 & 2n) !== 0n;
  if (update && (gr2 & 0x1fn) !== 0n) return operandException(c);
  c.css.measurement = { key: Number(gr1 >> 28n), update, deviceConnectTime: (gr1 & 1n) !== 0n, origin: update ? gr2 : 0n };
  return complete(c, c.m.ccOf(c.run));
}

function setAddressLimit(c: Call): undefined {
  const gr1 = c.gprs[1]! & 0xffffffffn;
  if ((gr1 & 0x80000000n) !== 0n || (gr1 & 0xffffn) !== 0n) return operandException(c);
  // Address-limit checking is not offered, so the limit is not kept.
  return complete(c, c.m.ccOf(c.run));
}

function channelSubsystemCall(c: Call): undefined {
  const r1 = (c.ipb >>> 20) & 0xf;
  const address = c.m.protected_ ? 0n : wrapped(c, c.gprs[r1]!);
  const block = readOperand(c, address, CHSC_BLOCK);
  if (block === undefined) return undefined;
  const length = new DataView(block.buffer, block.byteOffset, 2).getUint16(0);
  if (length < 16 || length > 4088 || length % 8 !== 0) return operandException(c);
  const response = chscResponse(block, length);
  return writeOperand(c, address + BigInt(length), response) ? complete(c, 0) : undefined;
}
