/**
 * Byte layouts of the three UV dump outputs (spec pv-dump-crypto.md §2–§4), as offset tables.
 * All integers are big-endian. The assertions at the bottom pin each table to its v1 size.
 */

/** Completion data v1 (`pv_dump_completion_data_v1_t`), 288 bytes; AAD = bytes 0–95. */
export const Completion = {
  version: 0,
  len: 4,
  reserved8: 8,
  seed: 16,
  iv: 80,
  reserved92: 92,
  /** Start of the encrypted part. */
  tweakNonce: 96,
  key1: 112,
  key2: 144,
  reserved176: 176,
  tag: 272,
  size: 288,
} as const;
export const COMPLETION_AAD_END = Completion.tweakNonce;
export const COMPLETION_CIPHERTEXT_BYTES = Completion.tag - Completion.tweakNonce;
/** `pv_compl` may be up to 4096 bytes; only the first 288 are used. */
export const COMPLETION_SECTION_MAX = 0x1000;

/** Offsets inside the decrypted completion area (ciphertext bytes 96–271). */
export const CompletionPlain = {
  tweakNonce: Completion.tweakNonce - Completion.tweakNonce,
  xtsKey: Completion.key1 - Completion.tweakNonce,
  xtsKeyEnd: Completion.reserved176 - Completion.tweakNonce,
} as const;

/** CPU data v1 (`pv_cpu_dump_v1_t`), 1568 bytes; AAD = bytes 0–31. */
export const CpuData = {
  version: 0,
  len: 4,
  iv: 8,
  reserved20: 20,
  /** Start of the encrypted confidential area (1520 bytes). */
  confidential: 32,
  tag: 1552,
  size: 1568,
} as const;
export const CPU_DATA_AAD_END = CpuData.confidential;
export const CPU_DATA_CIPHERTEXT_BYTES = CpuData.tag - CpuData.confidential;
export const CPU_NOTE_MAX = 0x1000;

/** The decrypted confidential area ("plain" offsets = note offset − 32). */
export const CpuPlain = {
  gprs: 0x000,
  pswMask: 0x080,
  pswAddr: 0x088,
  reserved090: 0x090,
  prefix: 0x098,
  fpc: 0x09c,
  reserved0a0: 0x0a0,
  todpreg: 0x0a4,
  timer: 0x0a8,
  todcmp: 0x0b0,
  reserved0b8: 0x0b8,
  acrs: 0x0c0,
  crs: 0x100,
  vrsLow: 0x180,
  vrsHigh: 0x280,
  reserved380: 0x380,
  gsReserved: 0x580,
  gsd: 0x588,
  gssm: 0x590,
  gsEpl: 0x598,
  reserved5a0: 0x5a0,
  dumpFlags: 0x5e0,
  reserved5e2: 0x5e2,
  size: 0x5f0,
} as const;
/** dump_flags bit 0 (MSB-0 of a 16-bit field): the CPU was dumped with partial instruction results. */
export const DUMP_FLAG_HAS_OSII = 0x8000;

/** Storage-state entries (`pv_mem_meta`): one 16-byte entry per 4 KiB page. */
export const STORAGE_ENTRY_BYTES = 16;
export const PV_PAGE_SIZE = 0x1000;
/** Special entry: bytes 0–3 = FF FF FF FF; byte 14 reserved flags; byte 15 state bits. */
export const SpecialEntry = { indicator: 0, reservedFlags: 14, stateBits: 15 } as const;
export const STATE_ZERO = 0x01;
export const STATE_SHARED = 0x02;
export const STATE_MAPPED = 0x04;
export const STATE_RESERVED_MASK = 0xf8;

function assertSize(name: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`layout ${name}: ${actual} bytes, spec says ${expected}`);
}
assertSize('completion v1', Completion.size, 288);
assertSize('completion ciphertext', COMPLETION_CIPHERTEXT_BYTES, 176);
assertSize('completion XTS key', CompletionPlain.xtsKeyEnd - CompletionPlain.xtsKey, 64);
assertSize('CPU data v1', CpuData.size, 1568);
assertSize('CPU data confidential area', CPU_DATA_CIPHERTEXT_BYTES, CpuPlain.size);
assertSize('CPU data confidential area', CpuPlain.size, 1520);
assertSize('V0–V15', CpuPlain.vrsHigh - CpuPlain.vrsLow, 256);
assertSize('V16–V31', CpuPlain.reserved380 - CpuPlain.vrsHigh, 256);
