// An I/O subchannel (PoO chapter 15): its path-management-control word as MODIFY SUBCHANNEL sets
// it, its subchannel-status word, and the start function run to its end at once: the channel
// program's CCWs (format 0 or 1, at absolute addresses) fetched and executed by the device with
// command chaining and TIC, the residual count, incorrect length unless suppressed, program check
// for an invalid CCW, then primary and secondary status with channel end and device end.
import { CCW_TIC, CcwFlags, DeviceStatus, emptyScsw, OrbCtrl, PmcwChars, PmcwFlags, SCHIB_SIZE, SchibOffset, ScswCtrl, SubchannelStatus, decodeCcw, encodeScsw, type Scsw } from './layout.js';
import type { IoDevice } from './virtio-ccw.js';

/** Absolute storage as the channel subsystem accesses it. */
export interface ChannelStorage {
  readonly size: number;
  read(absolute: number, length: number): Uint8Array;
  write(absolute: number, data: Uint8Array): void;
}

/** [E] The one channel path every device uses (QEMU's virtual CHPID 0): installed, available, operational. */
export const CHPID = 0;
const PATH_0 = 0x80;

/** The ORB fields the start function uses. */
export interface Orb {
  intparm: number;
  ctrl: number;
  channelProgram: number;
}

export class Subchannel {
  intparm = 0;
  /** PMCW word 1 bits 0-15 (ISC, enabled, limit mode, measurement modes, multipath, timing; device-number valid). */
  flags: number = PmcwFlags.DEVICE_VALID;
  lpm = PATH_0;
  lpum = 0;
  mbi = 0;
  /** PMCW word 6 bits 29-31. */
  chars = 0;
  mbo = 0n;
  scsw: Scsw = emptyScsw();

  constructor(
    readonly number: number,
    readonly deviceNumber: number,
    readonly device: IoDevice,
  ) {}

  get subsystemId(): number {
    return (0x00010000 | this.number) >>> 0;
  }

  get isc(): number {
    return (this.flags & PmcwFlags.ISC) >> PmcwFlags.ISC_SHIFT;
  }

  get enabled(): boolean {
    return (this.flags & PmcwFlags.ENABLED) !== 0;
  }

  get statusPending(): boolean {
    return (this.scsw.ctrl & ScswCtrl.SC_PENDING) !== 0;
  }

  /** A function (start, halt, clear) is in progress. [E] Functions complete at once, so only until status is cleared. */
  get functionActive(): boolean {
    return (this.scsw.ctrl & (ScswCtrl.FC_START | ScswCtrl.FC_HALT | ScswCtrl.FC_CLEAR)) !== 0 && !this.statusPending;
  }

  /** The SCHIB STORE SUBCHANNEL stores. */
  schib(): Uint8Array {
    const out = new Uint8Array(SCHIB_SIZE);
    const v = new DataView(out.buffer);
    v.setUint32(SchibOffset.intparm, this.intparm >>> 0);
    v.setUint16(SchibOffset.flags, this.flags);
    v.setUint16(SchibOffset.devno, this.deviceNumber);
    v.setUint8(SchibOffset.lpm, this.lpm);
    v.setUint8(SchibOffset.pnom, 0);
    v.setUint8(SchibOffset.lpum, this.lpum);
    v.setUint8(SchibOffset.pim, PATH_0);
    v.setUint16(SchibOffset.mbi, this.mbi);
    v.setUint8(SchibOffset.pom, 0xff);
    v.setUint8(SchibOffset.pam, PATH_0);
    v.setUint8(SchibOffset.chpid, CHPID);
    v.setUint32(SchibOffset.chars, this.chars);
    encodeScsw(this.scsw, v, SchibOffset.scsw);
    v.setBigUint64(SchibOffset.mbo, this.mbo);
    return out;
  }

  /** MODIFY SUBCHANNEL's changes from a valid SCHIB (validity is the caller's check). */
  modify(schib: Uint8Array): void {
    const v = new DataView(schib.buffer, schib.byteOffset, SCHIB_SIZE);
    this.intparm = v.getUint32(SchibOffset.intparm);
    const settable = PmcwFlags.ISC | PmcwFlags.ENABLED | PmcwFlags.LIMIT_MODE | PmcwFlags.MBU_ENABLE | PmcwFlags.DCT_ENABLE | PmcwFlags.MULTIPATH;
    this.flags = (this.flags & ~settable) | (v.getUint16(SchibOffset.flags) & settable) | PmcwFlags.DEVICE_VALID;
    this.lpm = v.getUint8(SchibOffset.lpm);
    this.mbi = v.getUint16(SchibOffset.mbi);
    this.chars = v.getUint32(SchibOffset.chars) & (PmcwChars.MB_FORMAT1 | PmcwChars.CONCURRENT_SENSE);
    this.mbo = (this.chars & PmcwChars.MB_FORMAT1) !== 0 ? v.getBigUint64(SchibOffset.mbo) : 0n;
  }

  /**
   * The start function for `orb`, run to its end: returns with the subchannel status pending
   * (primary and secondary status; alert status with a unit check or a subchannel error).
   */
  start(orb: Orb, storage: ChannelStorage): void {
    this.intparm = orb.intparm;
    this.lpm = (orb.ctrl & OrbCtrl.LPM) >>> 8;
    this.lpum = PATH_0;
    const format1 = (orb.ctrl & OrbCtrl.FORMAT1) !== 0;
    const end = runChannelProgram(this.device, orb.channelProgram, format1, storage);
    const alert = end.subchannelStatus !== 0 || (end.deviceStatus & DeviceStatus.UNIT_CHECK) !== 0;
    this.scsw = {
      ctrl: ((orb.ctrl & ScswCtrl.FROM_ORB) | ScswCtrl.FC_START | (alert ? ScswCtrl.SC_ALERT : 0) | ScswCtrl.SC_PRIMARY | ScswCtrl.SC_SECONDARY | ScswCtrl.SC_PENDING) >>> 0,
      ccwAddress: end.ccwAddress,
      deviceStatus: end.deviceStatus,
      subchannelStatus: end.subchannelStatus,
      count: end.count,
    };
  }

  /** The clear function: status cleared, then pending with only the clear function indicated. */
  clear(): void {
    this.scsw = { ...emptyScsw(), ctrl: ScswCtrl.FC_CLEAR | ScswCtrl.SC_PENDING };
  }

  /** The halt function on an idle subchannel: status pending, the halt function indicated. */
  halt(): void {
    this.scsw = { ...emptyScsw(), ctrl: ScswCtrl.FC_HALT | ScswCtrl.SC_PENDING };
  }
}

const MAX_CCWS = 65536;

interface ProgramEnd {
  ccwAddress: number;
  deviceStatus: number;
  subchannelStatus: number;
  count: number;
}

/** Executes a channel program; CCWs and data outside storage, a bad CCW or a second TIC in a row end it with program check. */
function runChannelProgram(device: IoDevice, start: number, format1: boolean, storage: ChannelStorage): ProgramEnd {
  let address = start;
  let afterTic = false;
  const programCheck = (at: number): ProgramEnd => ({ ccwAddress: at + 8, deviceStatus: 0, subchannelStatus: SubchannelStatus.PROGRAM_CHECK, count: 0 });
  // [E] A channel program that chains more CCWs than this (a loop through TIC) ends with program check.
  for (let fetched = 0; fetched < MAX_CCWS; fetched++) {
    if (address % 8 !== 0 || address + 8 > storage.size) return programCheck(address);
    const ccw = decodeCcw(storage.read(address, 8), format1);
    if ((ccw.command & 0x0f) === CCW_TIC) {
      if (afterTic || (format1 && (ccw.command & 0xf0) !== 0) || !ccw.addressValid) return programCheck(address);
      afterTic = true;
      address = ccw.data;
      continue;
    }
    afterTic = false;
    // [E] Data chaining and indirect data addressing are not offered: program check.
    if ((ccw.command & 0x0f) === 0 || !ccw.addressValid || (ccw.flags & (CcwFlags.DATA_CHAIN | CcwFlags.IDA | CcwFlags.MIDA)) !== 0) return programCheck(address);
    const result = device.execute(ccw.command);
    let transferred = 0;
    if (result.kind === 'unit-check') return { ccwAddress: address + 8, deviceStatus: DeviceStatus.CHANNEL_END | DeviceStatus.DEVICE_END | DeviceStatus.UNIT_CHECK, subchannelStatus: 0, count: ccw.count };
    if (result.kind === 'read') {
      transferred = Math.min(ccw.count, result.data.length);
      if ((ccw.flags & CcwFlags.SKIP) === 0 && transferred > 0) {
        if (ccw.data + transferred > storage.size) return programCheck(address);
        storage.write(ccw.data, result.data.subarray(0, transferred));
      }
    }
    const residual = ccw.count - transferred;
    const incorrectLength = residual !== 0 && result.kind === 'read' && (ccw.flags & CcwFlags.SLI) === 0;
    if (incorrectLength || (ccw.flags & CcwFlags.COMMAND_CHAIN) === 0) {
      return { ccwAddress: address + 8, deviceStatus: DeviceStatus.CHANNEL_END | DeviceStatus.DEVICE_END, subchannelStatus: incorrectLength ? SubchannelStatus.INCORRECT_LENGTH : 0, count: residual };
    }
    address += 8;
  }
  return programCheck(address);
}
