// The machine's channel subsystem (PoO chapters 15-17): one subchannel set of I/O subchannels
// numbered from 0 in device order, each with its device (device numbers from 0, as QEMU numbers
// its virtual devices: the first at 0.0.0000 on subchannel 0.0.0000), the channel-report words
// waiting for STORE CHANNEL REPORT WORD, the channel-measurement mode SET CHANNEL MONITOR sets,
// and the I/O interruption a subchannel makes pending when it becomes status pending.
import { channelReportWord, CrwErc, CrwRsc, PmcwChars, PmcwFlags } from './layout.js';
import { CHPID, Subchannel, type ChannelStorage, type Orb } from './subchannel.js';
import { VirtioNetCcw } from './virtio-ccw.js';

/** What the channel subsystem needs of the machine. */
export interface ChannelSubsystemHost {
  readonly memorySize: number;
  readGuest(absolute: number, length: number): Uint8Array;
  writeGuest(absolute: number, data: Uint8Array): void;
  /** Makes an I/O interruption pending (floating): subsystem-identification word, parameter, identification word. */
  raiseIoInterruption(subsystemId: number, parameter: number, identification: number): void;
}

/** [E] Channel-report words kept before the oldest is lost and the overflow bit set (PoO 17 "Channel-Report Word"). */
const CRW_QUEUE_LIMIT = 64;
const CRW_OVERFLOW = 0x20000000;

export class ChannelSubsystem {
  subchannels: Subchannel[];
  private readonly crws: number[] = [];
  private crwOverflow = false;
  /** SET CHANNEL MONITOR: measurement-block update mode and its format-0 area. */
  measurement: { key: number; update: boolean; deviceConnectTime: boolean; origin: bigint } = { key: 0, update: false, deviceConnectTime: false, origin: 0n };
  private readonly storage: ChannelStorage;

  constructor(
    private readonly host: ChannelSubsystemHost,
    private readonly virtioNetDevices: number,
  ) {
    this.subchannels = this.installDevices();
    this.storage = { size: host.memorySize, read: (a, n) => host.readGuest(a, n), write: (a, d) => host.writeGuest(a, d) };
  }

  private installDevices(): Subchannel[] {
    return Array.from({ length: this.virtioNetDevices }, (_, i) => new Subchannel(i, i, new VirtioNetCcw()));
  }

  /**
   * I/O-system reset (PoO 17 "I/O-System Reset", a clear reset or IPL): every subchannel back to
   * its initial state (disabled, no status, no measurement), no channel reports, measurement off.
   */
  reset(): void {
    this.subchannels = this.installDevices();
    this.crws.length = 0;
    this.crwOverflow = false;
    this.measurement = { key: 0, update: false, deviceConnectTime: false, origin: 0n };
  }

  /** The subchannel a valid subsystem-identification word names (subchannel set 0), if installed. */
  subchannel(subsystemId: number): Subchannel | undefined {
    return this.subchannels[subsystemId & 0xffff];
  }

  /** Whether a channel path is installed. */
  pathInstalled(chpid: number): boolean {
    return chpid === CHPID && this.subchannels.length > 0;
  }

  /** START SUBCHANNEL's start function, the measurement update, and the I/O interruption. */
  start(s: Subchannel, orb: Orb): void {
    s.start(orb, this.storage);
    this.countStart(s);
    this.interrupt(s);
  }

  clear(s: Subchannel): void {
    s.clear();
    this.interrupt(s);
  }

  halt(s: Subchannel): void {
    s.halt();
    this.interrupt(s);
  }

  /** An enabled, status-pending subchannel requests an I/O interruption in its subclass. */
  interrupt(s: Subchannel): void {
    if (!s.enabled || !s.statusPending) return;
    this.host.raiseIoInterruption(s.subsystemId, s.intparm, (s.isc << 27) >>> 0);
  }

  /**
   * The SSCH/RSCH count and sample count of the subchannel's measurement block (PoO 17
   * "Channel-Subsystem Monitoring"): format 1 at the SCHIB's origin, format 0 at the SCHM
   * origin + 32 × index; only in measurement-block-update mode with the subchannel's update
   * enabled. [E] The timing fields stay zero (I/O completes at once); a block outside storage
   * is not updated.
   */
  private countStart(s: Subchannel): void {
    if (!this.measurement.update || (s.flags & PmcwFlags.MBU_ENABLE) === 0) return;
    const format1 = (s.chars & PmcwChars.MB_FORMAT1) !== 0;
    const at = Number(format1 ? s.mbo : this.measurement.origin + 32n * BigInt(s.mbi));
    const size = format1 ? 8 : 4;
    if (at + size > this.host.memorySize) return;
    const block = this.host.readGuest(at, size);
    const v = new DataView(block.buffer, block.byteOffset, size);
    if (format1) {
      v.setUint32(0, (v.getUint32(0) + 1) >>> 0);
      v.setUint32(4, (v.getUint32(4) + 1) >>> 0);
    } else {
      v.setUint16(0, (v.getUint16(0) + 1) & 0xffff);
      v.setUint16(2, (v.getUint16(2) + 1) & 0xffff);
    }
    this.host.writeGuest(at, block);
  }

  /** RESET CHANNEL PATH's result: a solicited channel report "installed parameters initialized" for the path. */
  resetChannelPath(chpid: number): void {
    this.queueCrw(channelReportWord(true, CrwRsc.CHANNEL_PATH, CrwErc.INITIALIZED, chpid));
  }

  private queueCrw(crw: number): void {
    if (this.crws.length >= CRW_QUEUE_LIMIT) {
      this.crwOverflow = true;
      return;
    }
    this.crws.push(crw);
  }

  /** The next channel-report word (the overflow bit on the first after a loss), or undefined; `takeCrw` removes it once stored. */
  nextCrw(): number | undefined {
    const crw = this.crws[0];
    if (crw === undefined) return undefined;
    return this.crwOverflow ? (crw | CRW_OVERFLOW) >>> 0 : crw;
  }

  takeCrw(): void {
    if (this.crws.shift() !== undefined) this.crwOverflow = false;
  }
}
