// Control blocks of the channel subsystem (z/Architecture Principles of Operation, chapter 15
// "Basic I/O Functions" and chapter 16 "I/O Interruptions"): the subsystem-identification word,
// the SCHIB with its PMCW and SCSW, the ORB, format-0 and format-1 CCWs, the IRB, the CRW.
// Fields are big-endian; bit numbers below are those of the 32-bit word they sit in.

/** Subsystem-identification word (GR1 of the subchannel instructions): bit 15 one, bits 16-31 the subchannel number. */
export const SID_ONE = 0x00010000;

/** SCHIB (52 bytes): PMCW (words 0-6), SCSW (words 7-9), measurement-block origin (10-11), model-dependent word 12. */
export const SCHIB_SIZE = 52;
export const SchibOffset = {
  intparm: 0,
  flags: 4,
  devno: 6,
  lpm: 8,
  pnom: 9,
  lpum: 10,
  pim: 11,
  mbi: 12,
  pom: 14,
  pam: 15,
  chpid: 16,
  chars: 24,
  scsw: 28,
  mbo: 40,
  mda: 48,
} as const;

/** PMCW word 1 bits 0-15 (the halfword at offset 4). */
export const PmcwFlags = {
  /** Bits 0, 1, 6, 7: must be zero in MODIFY SUBCHANNEL's operand. */
  INVALID: 0xc300,
  /** Bit 5: ignored by MODIFY SUBCHANNEL, stored as zero. */
  IGNORED: 0x0400,
  ISC: 0x3800,
  ISC_SHIFT: 11,
  ENABLED: 0x0080,
  LIMIT_MODE: 0x0060,
  MBU_ENABLE: 0x0010,
  DCT_ENABLE: 0x0008,
  MULTIPATH: 0x0004,
  TIMING: 0x0002,
  DEVICE_VALID: 0x0001,
} as const;

/** PMCW word 6: subchannel type (bits 8-10), MB format 1 (29), extended measurement word (30), concurrent sense (31). */
export const PmcwChars = {
  /** Bits 0-28: zero in MODIFY SUBCHANNEL's operand (an I/O subchannel's type is 0). */
  INVALID: 0xfffffff8,
  MB_FORMAT1: 0x00000004,
  EXTENDED_MEASUREMENT_WORD: 0x00000002,
  CONCURRENT_SENSE: 0x00000001,
} as const;

/** SCSW word 0. */
export const ScswCtrl = {
  /** ORB bits copied at the start function: key, suspend, format, prefetch, initial-status, address-limit, suppress-suspended. */
  FROM_ORB: 0xf8f80000,
  FC_START: 0x00004000,
  FC_HALT: 0x00002000,
  FC_CLEAR: 0x00001000,
  AC_SUSPENDED: 0x00000020,
  SC_ALERT: 0x00000010,
  SC_PRIMARY: 0x00000004,
  SC_SECONDARY: 0x00000002,
  SC_PENDING: 0x00000001,
} as const;

/** Device status (SCSW byte 8) and subchannel status (byte 9). */
export const DeviceStatus = { CHANNEL_END: 0x08, DEVICE_END: 0x04, UNIT_CHECK: 0x02 } as const;
export const SubchannelStatus = { INCORRECT_LENGTH: 0x40, PROGRAM_CHECK: 0x20, PROTECTION_CHECK: 0x10 } as const;

/** ORB word 1. */
export const OrbCtrl = {
  FORMAT1: 0x00800000,
  /** Bit 13 (transport mode, the FCX facility), bit 25 (MIDAWs), bits 26-30 (reserved): not valid here. */
  INVALID: 0x0004007e,
  LPM: 0x0000ff00,
} as const;
export const ORB_SIZE = 12;

/** A subchannel-status word (SCSW) as the subchannel keeps it. */
export interface Scsw {
  ctrl: number;
  ccwAddress: number;
  deviceStatus: number;
  subchannelStatus: number;
  count: number;
}

export function encodeScsw(s: Scsw, out: DataView, at: number): void {
  out.setUint32(at, s.ctrl >>> 0);
  out.setUint32(at + 4, s.ccwAddress >>> 0);
  out.setUint8(at + 8, s.deviceStatus);
  out.setUint8(at + 9, s.subchannelStatus);
  out.setUint16(at + 10, s.count);
}

export function emptyScsw(): Scsw {
  return { ctrl: 0, ccwAddress: 0, deviceStatus: 0, subchannelStatus: 0, count: 0 };
}

/** IRB stored by TEST SUBCHANNEL: SCSW, ESW (5 words), ECW (8 words); no EMW (no extended-I/O-measurement-word facility). */
export const IRB_SIZE = 64;

/** A channel command word, either format, with its fields. */
export interface Ccw {
  command: number;
  flags: number;
  count: number;
  data: number;
}

export const CcwFlags = { DATA_CHAIN: 0x80, COMMAND_CHAIN: 0x40, SLI: 0x20, SKIP: 0x10, PCI: 0x08, IDA: 0x04, SUSPEND: 0x02, MIDA: 0x01 } as const;
export const CCW_TIC = 0x08;

/** Decodes a CCW: format 1 (command, flags, count, 31-bit address with bit 0 zero) or format 0 (24-bit address). */
export function decodeCcw(bytes: Uint8Array, format1: boolean): Ccw & { addressValid: boolean } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, 8);
  if (format1) {
    const data = v.getUint32(4);
    return { command: v.getUint8(0), flags: v.getUint8(1), count: v.getUint16(2), data: data & 0x7fffffff, addressValid: (data & 0x80000000) === 0 };
  }
  return { command: v.getUint8(0), data: v.getUint32(0) & 0xffffff, flags: v.getUint8(4), count: v.getUint16(6), addressValid: true };
}

/** Channel-report word: solicited (bit 1), reporting-source code (bits 4-7), error-recovery code (10-15), reporting-source ID (16-31). */
export const CrwRsc = { CHANNEL_PATH: 4 } as const;
export const CrwErc = { INITIALIZED: 2 } as const;
export function channelReportWord(solicited: boolean, rsc: number, erc: number, rsid: number): number {
  return ((solicited ? 0x40000000 : 0) | (rsc << 24) | (erc << 16) | (rsid & 0xffff)) >>> 0;
}
