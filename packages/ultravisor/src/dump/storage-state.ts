// Storage-state entries (spec pv-dump-crypto.md §4 [P], ultravisor.md §7.4 [E]): one 16-byte
// entry per 4 KiB page, 256 per 1 MiB. An exported page's entry is its tweak component (never
// starting with FF FF FF FF); other pages get a special entry FFFFFFFF, zeros, flags in byte 15.

export const STORAGE_STATE_ENTRY_LENGTH = 16;
export const PAGES_PER_MIB = 256;
export const STORAGE_STATE_MIB_LENGTH = STORAGE_STATE_ENTRY_LENGTH * PAGES_PER_MIB;
export const MIB = 0x100000;

/** Byte-15 flags of a special entry. */
export const SpecialFlag = { ZERO: 0x01, SHARED: 0x02, MAPPED: 0x04 } as const;

/** A special entry with the given byte-15 flags. */
export function specialEntry(flags: number): Uint8Array {
  const e = new Uint8Array(STORAGE_STATE_ENTRY_LENGTH);
  e[0] = e[1] = e[2] = e[3] = 0xff;
  e[15] = flags;
  return e;
}

/** Tweak component of an export: 00000000 ‖ counter (u32) ‖ guest absolute page address (u64). */
export function tweakComponent(counter: number, guestAddress: number): Uint8Array {
  const c = new Uint8Array(16);
  const v = new DataView(c.buffer);
  v.setUint32(4, counter);
  v.setBigUint64(8, BigInt(guestAddress));
  return c;
}

/** tweak = component OR nonce, bytewise. */
export function combineTweak(component: Uint8Array, nonce: Uint8Array): Uint8Array {
  const t = new Uint8Array(16);
  for (let i = 0; i < 16; i++) t[i] = component[i]! | nonce[i]!;
  return t;
}
