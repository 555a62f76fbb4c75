// The service-call logical processor (SERVICE CALL, intercepted), as QEMU 7.2's s390-ccw machine
// answers it (hw/s390x/sclp.c, event-facility.c, sclpconsole.c; docs/s390x-cpu.md §6):
// - Checks, in order: SCCB beyond guest memory → addressing exception; in the two low pages, in
//   the prefix area, not doubleword aligned or at/above 2 GiB → specification exception; length in
//   the header < 8 → specification exception (for a protected guest the SIE checks the address:
//   kernel/vcpu.ts). Then command codes outside the known set (mask
//   0xFFFF00FF) answer 0x01F0, and an SCCB crossing its 4 KiB page (no extended-length SCCB)
//   answers 0x0100, before any command runs.
// - READ SCP INFO (forced and plain): memory in 1 MiB increments (rnmax, rnsize), the CPU count
//   and 16-byte CPU entries at offset 128 (sorted by CPU address), the highest CPU address
//   (maxcpus - 1), SCLP facilities "CPU info" and "I/O adapter reconfiguration", the
//   configuration characteristics SOP and ESOP, loadparm of 8 EBCDIC blanks, with the
//   configuration-topology facility the maximum nesting level 4 for STSI 15.1.x; too short
//   (< 144 + 16·maxcpus) answers 0x0300. READ CPU INFO likewise (24 +
//   16·maxcpus). With the extended-length SCCB facility (140) both may cross their 4 KiB page,
//   read SCP info's CPU entries start at 144, and a too-short SCCB with the variable-length
//   control bit (byte 5, 0x80) gets the length needed in its header (QEMU 8.2). WRITE EVENT MASK (mask length 4 or 8, else 0x74F0): records the guest's receive
//   mask and returns the machine's masks. WRITE EVENT DATA: function code 0 (else 0x40F0), event
//   buffer lengths checked (0x73F0 syntax, 0x72F0 inconsistent), each buffer's flags cleared and
//   the ASCII console (type 0x1A) prints and accepts its buffer; a buffer no event handler takes
//   (e.g. a line-mode message, type 0x02, without a line-mode console) answers 0x40F0. READ
//   EVENT DATA: 4 KiB SCCB (else 0x0300), nothing queued → 0x60F0.
// - Every accepted call is cc 0, writes the SCCB back (its header length) and makes a
//   service-signal external interruption (0x2401) pending with the SCCB address as parameter.
// A plain guest's SCCB is read and written through the host path; a protected guest's through its
// vCPU's secure instruction data area (KVM_S390_MEM_OP SIDA_READ/WRITE, QEMU's
// sclp_service_call_protected), where the SIE copied it.
import { CONFIGURATION_TOPOLOGY_FACILITY, PGM_ADDRESSING, PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import { TOPOLOGY_MNEST } from './topology.js';
import { RunOffset, type StructBytes } from '../uapi/structs.js';
import { errnoName } from '../uapi/constants.js';
import { MachineError, type HostMachine, type MachineStop, type VcpuHandle } from './host.js';

export const SCLP_READ_CPU_INFO = 0x00010001;
export const SCLP_READ_SCP_INFO = 0x00020001;
export const SCLP_READ_SCP_INFO_FORCED = 0x00120001;
export const SCLP_CONFIGURE_IOA = 0x001a0001;
export const SCLP_DECONFIGURE_IOA = 0x001b0001;
export const SCLP_READ_EVENT_DATA = 0x00770005;
export const SCLP_WRITE_EVENT_DATA = 0x00760005;
export const SCLP_WRITE_EVENT_MASK = 0x00780005;
const COMMAND_MASK = 0xffff00ff;

export const SclpResponse = {
  NORMAL_READ: 0x0010,
  NORMAL: 0x0020,
  BOUNDARY_VIOLATION: 0x0100,
  INSUFFICIENT_LENGTH: 0x0300,
  INVALID_COMMAND: 0x01f0,
  INVALID_FUNCTION: 0x40f0,
  NO_EVENT_BUFFERS: 0x60f0,
  INVALID_SELECTION_MASK: 0x70f0,
  INCONSISTENT_LENGTHS: 0x72f0,
  EVENT_BUFFER_SYNTAX: 0x73f0,
  INVALID_MASK_LENGTH: 0x74f0,
} as const;

const SCCB_SIZE = 4096;
const HEADER = 8;
const EVENT_HEADER = 6;
const EVENT_ASCII = 0x1a;
const EVENT_BUFFER_ACCEPTED = 0x80;
/** The extended-length SCCB facility: read SCP / CPU info SCCBs may cross their 4 KiB page. */
const EXTENDED_LENGTH_SCCB_FACILITY = 140;
const EXTENDED_LENGTH_COMMANDS: ReadonlySet<number> = new Set([SCLP_READ_SCP_INFO, SCLP_READ_SCP_INFO_FORCED, SCLP_READ_CPU_INFO]);
/** Header control mask byte 2 (SCCB byte 5): the caller takes the length needed back. */
const VARIABLE_LENGTH_RESPONSE = 0x80;
/** Read SCP info: CPU entries at 128 without the extended-length SCCB (after the 144-byte fixed part with it). */
const READ_INFO_CPU_OFFSET = 128;
const READ_INFO_SIZE = 144;
const READ_CPU_INFO_SIZE = 24;
const CPU_ENTRY = 16;
/** CPU entry feature bit (byte, mask): SIE interpretive-execution facility 2 (SIEF2). */
const CPU_FEATURE_SIEF2: readonly [number, number] = [2, 0x08];
/** SCLP facilities (read info bytes 48–55): CPU info commands, I/O adapter reconfiguration. */
const SCLP_FACILITIES = 0x0c00000040000000n;
/**
 * Configuration characteristics (read info bytes 80–95, bit n from the left of byte 80 + n/8):
 * suppression on protection (byte 80 bit 2) and enhanced suppression on protection (byte 85
 * bit 6, the bit QEMU's CPU models set as "esop"): the CPU's protection exceptions suppress and
 * store a translation-exception identification that says the cause (s390x-cpu README).
 */
const CONF_CHAR_SOP: readonly [number, number] = [80, 0x20];
const CONF_CHAR_ESOP: readonly [number, number] = [85, 0x02];
/** Event masks (bit n from the left = event type n): ASCII console 0x1A, signal quiesce 0x1D, config change 0x04. */
const MASK_ASCII = 0x00000040;
const MASK_QUIESCE = 0x00000008;
const MASK_CONFIG_CHANGE = 0x10000000;
/** What the machine accepts from the guest and what it can send it. */
const HOST_RECEIVE_MASK = MASK_ASCII;
const HOST_SEND_MASK = MASK_ASCII | MASK_QUIESCE | MASK_CONFIG_CHANGE;

/**
 * The most CPUs a protected VM may have (QEMU ≥ 8.0 hw/s390x/pv.c, checked when the machine is
 * built with confidential-guest support): a secure guest's read SCP info goes through the one-page
 * SIDA, so its CPU entries must fit the page after their offset (144 with the extended-length
 * SCCB facility in the CPU model, else 128): 247 or 248.
 */
export function protectedVmMaxCpus(facilities: readonly number[]): number {
  const cpuOffset = facilities.includes(EXTENDED_LENGTH_SCCB_FACILITY) ? READ_INFO_SIZE : READ_INFO_CPU_OFFSET;
  return Math.floor((SCCB_SIZE - cpuOffset) / CPU_ENTRY);
}

/** The SCLP's state of one machine. */
export class Sclp {
  /** The event types the guest wants to receive (write event mask's cp receive mask). */
  guestReceiveMask = 0;
  maskLength = 4;

  constructor(private readonly m: HostMachine) {}

  /** SERVICE CALL from vCPU `v`: R1 = command word, R2 = SCCB real address (RRE: registers in ipb). */
  serviceCall(v: VcpuHandle, run: StructBytes): MachineStop | undefined {
    const m = this.m;
    const gprs = m.gprs(run);
    const ipb = run.u32(RunOffset.ipb);
    const command = Number(gprs[(ipb >>> 20) & 0xf]! & 0xffffffffn);
    const address = gprs[(ipb >>> 16) & 0xf]!;
    const prefix = BigInt(m.prefixOf(run));
    const page2 = ~0x1fffn & 0xffffffffffffffffn;
    // A protected guest's SCCB address was checked by the SIE, which knows its prefix (QEMU's
    // sclp_service_call_protected checks none).
    if (!m.protected_) {
      if (address + BigInt(HEADER) > BigInt(m.memorySize)) return m.programInterruption(v, run, PGM_ADDRESSING);
      if ((address & page2) === 0n || (address & page2) === prefix || (address & ~0x7ffffff8n & 0xffffffffffffffffn) !== 0n) return m.programInterruption(v, run, PGM_SPECIFICATION);
    }
    const sccbAddress = Number(address);
    const read = (n: number): Uint8Array => (m.protected_ ? sidaBytes(m.api.sidaRead(v.fd, 0, Math.min(n, SCCB_SIZE))) : m.readGuest(sccbAddress, n));
    const length = new DataView(read(HEADER).slice().buffer).getUint16(0);
    if (length < HEADER) return m.programInterruption(v, run, PGM_SPECIFICATION);
    const sccb = read(Math.min(length, m.memorySize - sccbAddress)).slice();
    const view = new DataView(sccb.buffer, sccb.byteOffset, sccb.byteLength);
    const respond = (code: number): void => view.setUint16(6, code);
    if (!KNOWN_COMMANDS.has((command & COMMAND_MASK) >>> 0)) respond(SclpResponse.INVALID_COMMAND);
    else if ((sccbAddress % SCCB_SIZE) + length > SCCB_SIZE && !(this.extendedLength && EXTENDED_LENGTH_COMMANDS.has((command & COMMAND_MASK) >>> 0))) respond(SclpResponse.BOUNDARY_VIOLATION);
    else this.execute((command & COMMAND_MASK) >>> 0, sccb, view, respond);
    const written = sccb.subarray(0, Math.min(view.getUint16(0), sccb.length));
    if (m.protected_) sidaDone(m.api.sidaWrite(v.fd, 0, written));
    else m.writeGuest(sccbAddress, written);
    m.complete(v, run, 0);
    // The parameter's last bit says whether an event is still pending (none are queued here).
    m.raiseServiceSignal(sccbAddress & ~3);
    return undefined;
  }

  private execute(command: number, sccb: Uint8Array, view: DataView, respond: (code: number) => void): void {
    switch (command) {
      case SCLP_READ_SCP_INFO:
      case SCLP_READ_SCP_INFO_FORCED:
        return this.readScpInfo(sccb, view, respond);
      case SCLP_READ_CPU_INFO:
        return this.readCpuInfo(sccb, view, respond);
      case SCLP_WRITE_EVENT_MASK:
        return this.writeEventMask(view, respond);
      case SCLP_WRITE_EVENT_DATA:
        return this.writeEventData(sccb, view, respond);
      case SCLP_READ_EVENT_DATA:
        return respond(view.getUint16(0) !== SCCB_SIZE ? SclpResponse.INSUFFICIENT_LENGTH : sccb[2] !== 0 && sccb[2] !== 1 ? SclpResponse.INVALID_FUNCTION : SclpResponse.NO_EVENT_BUFFERS);
      default:
        // Configure / deconfigure I/O adapter: no PCI adapters on this machine.
        return respond(SclpResponse.INVALID_COMMAND);
    }
  }

  /**
   * CPU entries sorted by CPU address: address at byte 0, features from byte 2 (SIEF2, the CPU's
   * START INTERPRETIVE EXECUTION, for a plain guest), type 0 (CP) at byte 14.
   */
  private cpuEntries(sccb: Uint8Array, at: number): number {
    const addresses = this.m.vcpus.map((c) => c.id).sort((a, b) => a - b);
    for (const [i, address] of addresses.entries()) {
      sccb.fill(0, at + CPU_ENTRY * i, at + CPU_ENTRY * (i + 1));
      sccb[at + CPU_ENTRY * i] = address;
      if (!this.m.protected_) sccb[at + CPU_ENTRY * i + CPU_FEATURE_SIEF2[0]] = CPU_FEATURE_SIEF2[1];
    }
    return addresses.length;
  }

  /** The extended-length SCCB facility (140) is in the CPU model. */
  private get extendedLength(): boolean {
    return this.m.facilities.includes(EXTENDED_LENGTH_SCCB_FACILITY);
  }

  /**
   * Whether the SCCB holds `required` bytes; if not it answers 0x0300, and with the
   * extended-length facility and a variable-length request puts the length needed in the header.
   */
  private sufficient(sccb: Uint8Array, view: DataView, required: number, respond: (code: number) => void): boolean {
    if (view.getUint16(0) >= required && sccb.length >= required) return true;
    if (this.extendedLength && (sccb[5]! & VARIABLE_LENGTH_RESPONSE) !== 0) view.setUint16(0, required);
    respond(SclpResponse.INSUFFICIENT_LENGTH);
    return false;
  }

  private readScpInfo(sccb: Uint8Array, view: DataView, respond: (code: number) => void): void {
    const m = this.m;
    if (!this.sufficient(sccb, view, READ_INFO_SIZE + CPU_ENTRY * m.maxCpus, respond)) return;
    const cpuOffset = this.extendedLength ? READ_INFO_SIZE : READ_INFO_CPU_OFFSET;
    sccb.fill(0, HEADER, READ_INFO_SIZE);
    // Storage in 1 MiB increments (QEMU's increment size for a current machine type).
    const increments = m.memorySize / (1024 * 1024);
    if (increments < 0x10000) view.setUint16(8, increments);
    else view.setBigUint64(104, BigInt(increments));
    sccb[10] = 1;
    view.setUint16(16, this.cpuEntries(sccb, cpuOffset));
    view.setUint16(18, cpuOffset);
    sccb.fill(0x40, 24, 32); // loadparm: EBCDIC blanks
    view.setBigUint64(48, SCLP_FACILITIES);
    for (const [byte, bit] of [CONF_CHAR_SOP, CONF_CHAR_ESOP]) sccb[byte] = sccb[byte]! | bit;
    view.setUint16(120, m.maxCpus - 1);
    if (m.facilities.includes(CONFIGURATION_TOPOLOGY_FACILITY)) sccb[15] = TOPOLOGY_MNEST; // STSI parameter: the maximum nesting
    respond(SclpResponse.NORMAL_READ);
  }

  private readCpuInfo(sccb: Uint8Array, view: DataView, respond: (code: number) => void): void {
    const m = this.m;
    if (!this.sufficient(sccb, view, READ_CPU_INFO_SIZE + CPU_ENTRY * m.maxCpus, respond)) return;
    sccb.fill(0, HEADER, READ_CPU_INFO_SIZE);
    const count = this.cpuEntries(sccb, READ_CPU_INFO_SIZE);
    view.setUint16(8, count);
    view.setUint16(10, READ_CPU_INFO_SIZE);
    view.setUint16(12, 0);
    view.setUint16(14, READ_CPU_INFO_SIZE + CPU_ENTRY * count);
    respond(SclpResponse.NORMAL_READ);
  }

  /** Masks of `maskLength` bytes after the 12-byte head: cp receive, cp send, send, receive. */
  private writeEventMask(view: DataView, respond: (code: number) => void): void {
    const maskLength = view.getUint16(10);
    if (maskLength === 0 || maskLength > 8 || view.byteLength < 12 + 4 * maskLength) return respond(SclpResponse.INVALID_MASK_LENGTH);
    const readMask = (at: number): number => {
      let mask = 0;
      for (let i = 0; i < 4; i++) mask = (mask << 8) | (i < maskLength ? view.getUint8(at + i) : 0);
      return mask >>> 0;
    };
    const writeMask = (at: number, mask: number): void => {
      for (let i = 0; i < maskLength; i++) view.setUint8(at + i, i < 4 ? (mask >>> (24 - 8 * i)) & 0xff : 0);
    };
    this.guestReceiveMask = readMask(12);
    this.maskLength = maskLength;
    writeMask(12 + 2 * maskLength, HOST_SEND_MASK);
    writeMask(12 + 3 * maskLength, HOST_RECEIVE_MASK);
    respond(SclpResponse.NORMAL);
  }

  private writeEventData(sccb: Uint8Array, view: DataView, respond: (code: number) => void): void {
    if (sccb[2] !== 0) return respond(SclpResponse.INVALID_FUNCTION);
    const length = Math.min(view.getUint16(0), sccb.length);
    // First the event buffers' lengths, then each buffer to the console that takes its type.
    let at = HEADER;
    while (at < length) {
      const eventLength = length - at >= 2 ? view.getUint16(at) : 0;
      if (eventLength < EVENT_HEADER || eventLength > length - at) return respond(SclpResponse.EVENT_BUFFER_SYNTAX);
      at += eventLength;
    }
    if (at !== length) return respond(SclpResponse.INCONSISTENT_LENGTHS);
    let response: number = SclpResponse.NORMAL;
    for (at = HEADER; at < length; at += view.getUint16(at)) {
      sccb[at + 3] = 0;
      if (sccb[at + 2] === EVENT_ASCII) {
        this.m.printConsole(Buffer.from(sccb.subarray(at + EVENT_HEADER, at + view.getUint16(at))).toString('latin1'));
        sccb[at + 3] = EVENT_BUFFER_ACCEPTED;
        response = SclpResponse.NORMAL;
      } else response = SclpResponse.INVALID_FUNCTION;
    }
    respond(response);
  }
}

const KNOWN_COMMANDS = new Set([SCLP_READ_SCP_INFO, SCLP_READ_SCP_INFO_FORCED, SCLP_READ_CPU_INFO, SCLP_CONFIGURE_IOA, SCLP_DECONFIGURE_IOA, SCLP_READ_EVENT_DATA, SCLP_WRITE_EVENT_DATA, SCLP_WRITE_EVENT_MASK]);

/** A SIDA access failure (which QEMU treats as fatal) stops the machine. */
function sidaBytes(r: Uint8Array | number): Uint8Array {
  if (typeof r === 'number') throw new MachineError(`KVM_S390_MEM_OP on the SCCB in the SIDA failed: ${errnoName(r)}`);
  return r;
}

function sidaDone(r: number): void {
  if (r < 0) throw new MachineError(`KVM_S390_MEM_OP on the SCCB in the SIDA failed: ${errnoName(r)}`);
}
