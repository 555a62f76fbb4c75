/**
 * The Secure Execution boot image as IBM's genprotimg writes it (s390-tools genprotimg 2.35;
 * fixtures/genprotimg-2.35/README.md). The file is loaded at guest absolute 0 like a non-ELF
 * `-kernel`, so file offset = guest address. Big-endian:
 *
 *   0x0        short IPL PSW (bit 12 set, 31-bit address): where stage3a starts
 *   0x10000    stage3a, the non-secure loader; its last 24 bytes (the trailer) hold, relative to
 *              the trailer, the SE header offset, the SE header size and the IPIB offset
 *   next page  the PV IPL parameter block (type 5): the components and the SE header's size; the
 *              SE header address is filled in by stage3a at run time
 *   next page  the SE header
 *   next page  the components, page-aligned, AES-256-XTS encrypted with the image key page by
 *              page: kernel (type 0), parmline (1, with a trailing NUL), initrd (2), stage3b (3)
 *
 * Page k of a component has the tweak {u16 type, 6 random bytes, u64 k·4096}: the first eight
 * bytes are the component's tweak prefix (tweak[0] of UNPACK_IMG), the last its byte offset.
 * The SE header's digests cover every component page in order (spec ultravisor.md §5):
 * SHA-512 of the encrypted pages, of their u64 addresses and of their 16-byte tweaks.
 *
 * The secure CPU starts at the header's PSW, the stage3b component; stage3b reads its arguments
 * (Stage3bArgsOffset) from its own last 64 bytes, moves the kernel without its first 64 KiB to
 * 0x10000, copies the command line to 0x10480 and loads the kernel PSW.
 */

export const PAGE = 4096;
/** The short IPL PSW at absolute 0: bit 12 set, EA/BA and the 31-bit address of stage3a. */
export const SHORT_PSW_BIT_12 = 0x0008000000000000n;
export const SHORT_PSW_ADDRESS_MASK = 0x7fffffffn;
/** Bits 0 and 2-4 of a short PSW, which must be zero. */
export const SHORT_PSW_RESERVED_BITS = 0xb800000000000000n;
/** Where stage3a is loaded (IMAGE_ENTRY of zipl's layout). */
export const STAGE3A_ADDRESS = 0x10000;
/** Largest stage3a the reader looks through for its trailer [E] (genprotimg's ends below 0x13000). */
export const STAGE3A_MAX_SIZE = 0x10000;
export const STAGE3A_TRAILER_SIZE = 24;
/** Offsets inside the stage3a trailer (values relative to the trailer's own address). */
export const Stage3aTrailerOffset = { headerOffset: 0, headerSize: 8, iplBlockOffset: 16 } as const;

/** Component types: the u16 at the start of each tweak prefix, and the order in the image. */
export const ComponentType = { kernel: 0, parmline: 1, initrd: 2, stage3b: 3 } as const;
export type ComponentTypeName = keyof typeof ComponentType;
export const COMPONENT_TYPE_NAMES: readonly ComponentTypeName[] = ['kernel', 'parmline', 'initrd', 'stage3b'];

/** The kernel image is for absolute 0; stage3b drops its first 64 KiB and moves the rest here. */
export const KERNEL_LOAD_ADDRESS = 0x10000;
/** Where stage3b copies the command line, and where Linux keeps its maximum size (0 = legacy 896). */
export const COMMAND_LINE_ADDRESS = 0x10480;
export const MAX_COMMAND_LINE_SIZE_ADDRESS = 0x10430;
export const LEGACY_COMMAND_LINE_SIZE = 896;
/** Where stage3b stores the initrd's address and size for Linux. */
export const INITRD_START_ADDRESS = 0x10408;
export const INITRD_SIZE_ADDRESS = 0x10410;

/** stage3b's arguments: its last 64 bytes, {src, size} of kernel, command line, initrd, then the kernel PSW. */
export const STAGE3B_ARGS_SIZE = 64;
export const Stage3bArgsOffset = {
  kernelAddress: 0,
  kernelSize: 8,
  cmdlineAddress: 16,
  cmdlineSize: 24,
  initrdAddress: 32,
  initrdSize: 40,
  pswMask: 48,
  pswAddress: 56,
} as const;

/** PSW mask of a CPU in 64-bit mode (EA and BA), as genprotimg starts stage3b and the kernel. */
export const PSW_MASK_64BIT = 0x0000000180000000n;

export const TWEAK_SIZE = 16;
export const TWEAK_NONCE_SIZE = 6;

/** The tweak prefix of a component: u16 type ‖ 6 nonce bytes. */
export function componentTweakPrefix(type: number, nonce: Uint8Array): bigint {
  if (!Number.isInteger(type) || type < 0 || type > 0xffff) throw new RangeError(`component type ${type} is not a u16`);
  if (nonce.length !== TWEAK_NONCE_SIZE) throw new RangeError(`tweak nonce must be ${TWEAK_NONCE_SIZE} bytes, got ${nonce.length}`);
  let prefix = BigInt(type) << 48n;
  for (let i = 0; i < TWEAK_NONCE_SIZE; i++) prefix |= BigInt(nonce[i]!) << BigInt(8 * (TWEAK_NONCE_SIZE - 1 - i));
  return prefix;
}

/** The 16-byte XTS tweak of the page at byte `offset` of a component. */
export function pageTweak(tweakPrefix: bigint, offset: bigint): Uint8Array {
  const tweak = new Uint8Array(TWEAK_SIZE);
  const v = new DataView(tweak.buffer);
  v.setBigUint64(0, tweakPrefix);
  v.setBigUint64(8, offset);
  return tweak;
}

/** The component type of a tweak prefix (its top 16 bits). */
export function componentTypeOf(tweakPrefix: bigint): number {
  return Number(tweakPrefix >> 48n);
}

export function componentTypeName(type: number): ComponentTypeName | `type ${number}` {
  return COMPONENT_TYPE_NAMES[type] ?? `type ${type}`;
}

/** The 8-byte short PSW of a 31-bit start address. */
export function shortPsw(address: number): bigint {
  if (!Number.isInteger(address) || address < 0 || BigInt(address) > SHORT_PSW_ADDRESS_MASK) throw new RangeError(`start address 0x${address.toString(16)} does not fit a short PSW`);
  return SHORT_PSW_BIT_12 | 0x0000000180000000n | BigInt(address);
}

export function pageAlign(n: number): number {
  return Math.ceil(n / PAGE) * PAGE;
}
