// UV control block layouts (spec ultravisor.md §4 [P]): the 8-byte header {len, cmd, rc, rrc}
// and each command's block size and field offsets, as Linux's asm/uv.h defines them. Big-endian.
import { StructBytes } from '@pvdump/s390x-arch';
import { UvCommand } from './codes.js';

/** Offsets of the header every UVCB starts with. */
export const UVCB_HEADER = { len: 0x00, cmd: 0x02, rc: 0x04, rrc: 0x06, size: 0x08 } as const;

/** Required header.len per command (the block size). */
export const UVCB_SIZE: Readonly<Record<number, number>> = {
  [UvCommand.INIT_UV]: 0x48,
  [UvCommand.CREATE_SEC_CONF]: 0x80,
  [UvCommand.DESTROY_SEC_CONF]: 0x40,
  [UvCommand.CREATE_SEC_CPU]: 0x60,
  [UvCommand.DESTROY_SEC_CPU]: 0x40,
  [UvCommand.CONV_TO_SEC_STOR]: 0x28,
  [UvCommand.CONV_FROM_SEC_STOR]: 0x20,
  [UvCommand.DESTR_SEC_STOR]: 0x20,
  [UvCommand.PIN_PAGE_SHARED]: 0x20,
  [UvCommand.UNPIN_PAGE_SHARED]: 0x20,
  [UvCommand.SET_SEC_CONF_PARAMS]: 0x50,
  [UvCommand.UNPACK_IMG]: 0x50,
  [UvCommand.VERIFY_IMG]: 0x40,
  [UvCommand.CPU_RESET]: 0x40,
  [UvCommand.CPU_RESET_INITIAL]: 0x40,
  [UvCommand.CPU_RESET_CLEAR]: 0x40,
  [UvCommand.PREPARE_RESET]: 0x40,
  [UvCommand.CPU_SET_STATE]: 0x50,
  [UvCommand.SET_UNSHARE_ALL]: 0x40,
  [UvCommand.DUMP_INIT]: 0x40,
  [UvCommand.DUMP_CONF_STOR_STATE]: 0x50,
  [UvCommand.DUMP_CPU]: 0x50,
  [UvCommand.DUMP_COMPLETE]: 0x50,
  [UvCommand.SET_SHARED_ACCESS]: 0x30,
  [UvCommand.REMOVE_SHARED_ACCESS]: 0x30,
};

/** QUI: minimum accepted length and the full v6.0 block size. */
export const QUI_MIN_LEN = 0xa8;
export const QUI_SIZE = 0x100;

/** Query response fields (uv_cb_qui). */
export const QUI = {
  instCallsList: 0x10, // u64[4]
  uvBaseStorLen: 0x40,
  confBasePhysStorLen: 0x50,
  confBaseVirtStorLen: 0x58,
  confVirtVarStorLen: 0x60,
  cpuStorLen: 0x68,
  maxNumSecConf: 0x7c, // u32
  maxGuestStorAddr: 0x80,
  maxGuestCpuId: 0x9e, // u16
  uvFeatureIndications: 0xa0,
  suppSeHdrVersions: 0xb0,
  suppSeHdrPcf: 0xb8,
  confDumpStorageStateLen: 0xc8,
  confDumpFinalizeLen: 0xd0,
  suppAttReqHdrVer: 0xe0,
  suppAttPflags: 0xe8,
} as const;

export const INIT = { storOrigin: 0x18, storLen: 0x20 } as const;

export const CGC = {
  guestHandle: 0x18,
  confBaseStorOrigin: 0x20,
  confVirtStorOrigin: 0x28,
  flags: 0x30,
  guestStorOrigin: 0x38,
  guestStorLen: 0x40,
  guestSca: 0x48,
  guestAsce: 0x50,
} as const;

export const CSC = { cpuHandle: 0x18, guestHandle: 0x20, storOrigin: 0x28, num: 0x36 /* u16 */, stateOrigin: 0x38 } as const;
export const CTS = { guestHandle: 0x18, gaddr: 0x20 } as const;
export const CFS = { paddr: 0x18 } as const;
export const SSC = { guestHandle: 0x18, secHeaderOrigin: 0x20, secHeaderLen: 0x28 /* u32 */ } as const;
export const UNP = { guestHandle: 0x18, gaddr: 0x20, tweak0: 0x28, tweak1: 0x30 } as const;
export const CPU_SET_STATE = { cpuHandle: 0x18, state: 0x27 /* u8 */ } as const;
export const NODATA = { handle: 0x18 } as const;
export const DUMP_CPU = { cpuHandle: 0x18, dumpAreaOrigin: 0x20 } as const;
export const DUMP_STOR_STATE = { configHandle: 0x18, dumpAreaOrigin: 0x20, gaddr: 0x28 } as const;
export const DUMP_COMPLETE = { configHandle: 0x18, dumpAreaOrigin: 0x20 } as const;
export const SHARE = { paddr: 0x20 } as const;

/** Big-endian field access on a control block held in a Uint8Array, with its header fields. */
export class ControlBlock extends StructBytes {
  get len(): number {
    return this.view.getUint16(UVCB_HEADER.len);
  }
  get cmd(): number {
    return this.view.getUint16(UVCB_HEADER.cmd);
  }
  setResult(rc: number, rrc = 0): void {
    this.view.setUint16(UVCB_HEADER.rc, rc);
    this.view.setUint16(UVCB_HEADER.rrc, rrc);
  }
}

/** A zeroed control block of the command's size with len and cmd filled in. */
export function newControlBlock(cmd: number, size = UVCB_SIZE[cmd] ?? QUI_SIZE): ControlBlock {
  const cb = new ControlBlock(new Uint8Array(size));
  cb.setU16(UVCB_HEADER.len, size);
  cb.setU16(UVCB_HEADER.cmd, cmd);
  return cb;
}

// Size assertions: every block's last field must end inside the block's size.
const LAST_FIELD_END: readonly [number, number][] = [
  [UvCommand.INIT_UV, INIT.storLen + 8],
  [UvCommand.CREATE_SEC_CONF, CGC.guestAsce + 8],
  [UvCommand.CREATE_SEC_CPU, CSC.stateOrigin + 8],
  [UvCommand.CONV_TO_SEC_STOR, CTS.gaddr + 8],
  [UvCommand.CONV_FROM_SEC_STOR, CFS.paddr + 8],
  [UvCommand.SET_SEC_CONF_PARAMS, SSC.secHeaderLen + 4],
  [UvCommand.UNPACK_IMG, UNP.tweak1 + 8],
  [UvCommand.CPU_SET_STATE, CPU_SET_STATE.state + 1],
  [UvCommand.DESTROY_SEC_CONF, NODATA.handle + 8],
  [UvCommand.DUMP_CPU, DUMP_CPU.dumpAreaOrigin + 8],
  [UvCommand.DUMP_CONF_STOR_STATE, DUMP_STOR_STATE.gaddr + 8],
  [UvCommand.DUMP_COMPLETE, DUMP_COMPLETE.dumpAreaOrigin + 8],
  [UvCommand.SET_SHARED_ACCESS, SHARE.paddr + 8],
];
for (const [cmd, end] of LAST_FIELD_END) {
  if (end > (UVCB_SIZE[cmd] ?? 0)) throw new Error(`UVCB layout of command 0x${cmd.toString(16)} does not fit its size`);
}
if (QUI.suppAttPflags + 8 > QUI_SIZE) throw new Error('QUI layout does not fit 0x100 bytes');
// The three dump blocks share the handle and origin offsets (the typed wrappers rely on it).
for (const b of [DUMP_STOR_STATE, DUMP_COMPLETE]) {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a load-time check that the constants keep agreeing
  if (b.configHandle !== DUMP_CPU.cpuHandle || b.dumpAreaOrigin !== DUMP_CPU.dumpAreaOrigin) throw new Error('dump control blocks disagree');
}
