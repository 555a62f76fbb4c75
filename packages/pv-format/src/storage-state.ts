/**
 * Storage-state entries (section `pv_mem_meta`, docs/pv-dump-crypto.md §4, §7): one 16-byte
 * tweak component per 4 KiB page, returned by DUMP_CONF_STOR_STATE. A component whose first word
 * is not FFFFFFFF belongs to an encrypted page, whose XTS tweak is component OR nonce; a special
 * component (`pv_special_tweak_component_layout_t`) has the indicator FFFFFFFF and flags in byte 15.
 */

/** Bytes of guest memory one entry describes (PV_CSS_PAGESIZE). */
export const PV_PAGE_SIZE = 0x1000;
export const TWEAK_COMPONENT_SIZE = 16;
export const PV_SPECIAL_INDICATOR = 0xffffffff;

/** Byte offsets of a special tweak component. */
export const SpecialTweakComponent = {
  indicator: 0,
  reserved: 4,
  /** Must be 0. */
  flagReserved1: 14,
  /** flag_reserved2 (mask 0xF8, must be 0), is_mapped_page, is_shared_page, is_zero_page. */
  flags: 15,
  size: 16,
} as const;

/** Bits of byte 15 of a special tweak component. */
export const SpecialFlag = { IS_ZERO_PAGE: 0x01, IS_SHARED_PAGE: 0x02, IS_MAPPED_PAGE: 0x04, RESERVED: 0xf8 } as const;

/** A special tweak component with byte-15 `flags`. */
export function specialTweakComponent(flags: number): Uint8Array {
  const e = new Uint8Array(TWEAK_COMPONENT_SIZE);
  new DataView(e.buffer).setUint32(SpecialTweakComponent.indicator, PV_SPECIAL_INDICATOR);
  e[SpecialTweakComponent.flags] = flags;
  return e;
}

/** Whether the component at `entries[at..+16]` is special (starts with the indicator FFFFFFFF). */
export function isSpecialTweakComponent(entries: Uint8Array, at: number): boolean {
  return entries[at] === 0xff && entries[at + 1] === 0xff && entries[at + 2] === 0xff && entries[at + 3] === 0xff;
}

/** The page's XTS tweak, tweak[k] = component[k] | nonce[k], of the component at `entries[at..+16]`, written into `out`. */
export function pageTweak(entries: Uint8Array, at: number, nonce: Uint8Array, out: Uint8Array = new Uint8Array(TWEAK_COMPONENT_SIZE)): Uint8Array {
  for (let k = 0; k < TWEAK_COMPONENT_SIZE; k++) out[k] = entries[at + k]! | nonce[k]!;
  return out;
}
