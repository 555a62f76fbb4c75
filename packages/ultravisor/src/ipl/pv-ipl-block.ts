/**
 * The PV IPL parameter block (IPIB of type 5): what DIAGNOSE 0x308 subcode 8 takes from the guest
 * and subcode 10 boots from, and what a Secure Execution image carries on the page after its
 * stage3a loader (docs/ultravisor.md §4, fixtures/genprotimg-2.35/README.md). Big-endian; offsets
 * are from the start of the block:
 *
 *   0x00  u32  length of the whole block (at most 4 KiB)
 *   0x04  u8   flags
 *   0x07  u8   parameter-list version (1)
 *   0x08  u32  length of parameter block 0 (from 0x08: 128 + 24 × components)
 *   0x0c  u8   parameter block type (5 = PV)
 *   0x0d  u8   parameter block flags
 *   0x10  8    load parameter
 *   0x6f  u8   PV block version
 *   0x74  u32  number of components
 *   0x78  u64  SE header address (guest absolute)
 *   0x80  u64  SE header length
 *   0x88  24×n components {u64 tweak prefix, u64 address, u64 length}
 *
 * Validation follows QEMU 7.2's DIAGNOSE 0x308 checks (length ≤ 4 KiB; type 5; length ≥ 148;
 * header length ≤ 8 KiB and inside guest memory; at least one component; 4 KiB-aligned addresses;
 * strictly increasing tweak prefixes). [E] Stricter than QEMU, which reads components past the
 * lengths: every component must lie inside both the block length and parameter block 0's length.
 */
import { ReasonedUserError } from '../errors.js';

/** Byte offsets in the block (QEMU's `IplParameterBlock` with `IPLBlockPV`; s390-tools' `ipl_pl_hdr` + `ipl_pb0_pv`). */
export const PvIplBlockOffset = {
  length: 0x00,
  flags: 0x04,
  version: 0x07,
  blockLength: 0x08,
  blockType: 0x0c,
  blockFlags: 0x0d,
  loadParameter: 0x10,
  pvVersion: 0x6f,
  componentCount: 0x74,
  seHeaderAddress: 0x78,
  seHeaderLength: 0x80,
  components: 0x88,
} as const;

/** Byte offsets in one component entry. */
export const PvIplComponentOffset = { tweakPrefix: 0x00, address: 0x08, length: 0x10, size: 0x18 } as const;

/** Size of the parameter-list header (length, flags, version) before parameter block 0. */
export const IPL_LIST_HEADER_SIZE = 8;
/** Size of parameter block 0 of type PV without its components (s390-tools' `sizeof(struct ipl_pb0_pv)`). */
export const PV_BLOCK_FIXED_SIZE = 128;
export const IPL_TYPE_PV = 5;
/** Parameter-list version written by genprotimg. */
export const IPL_PARAMETER_LIST_VERSION = 1;
/** DIAGNOSE 0x308 takes and stores at most one page (QEMU's `sizeof(IplParameterBlock)`). */
export const IPL_BLOCK_MAX_LENGTH = 4096;
/** QEMU's `S390_IPLB_MIN_PV_LEN`. */
export const PV_IPL_BLOCK_MIN_LENGTH = 148;
/** The SE header may span two pages (QEMU: `2 * TARGET_PAGE_SIZE`). */
export const PV_IPL_MAX_SE_HEADER_LENGTH = 8192;
/** Components that fit in one 4 KiB block. */
export const PV_IPL_MAX_COMPONENTS = Math.floor((IPL_BLOCK_MAX_LENGTH - PvIplBlockOffset.components) / PvIplComponentOffset.size);
const PAGE_SIZE = 4096;

function assertLayout(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`PV IPL block layout: ${what} is ${actual}, expected ${expected}`);
}
assertLayout('components offset', PvIplBlockOffset.components, IPL_LIST_HEADER_SIZE + PV_BLOCK_FIXED_SIZE);
assertLayout('block type offset', PvIplBlockOffset.blockType, IPL_LIST_HEADER_SIZE + 4);
assertLayout('component size', PvIplComponentOffset.length + 8, PvIplComponentOffset.size);
assertLayout('SE header fields', PvIplBlockOffset.seHeaderLength + 8, PvIplBlockOffset.components);
assertLayout('components per block', PV_IPL_MAX_COMPONENTS, 165);

export type PvIplBlockErrorReason =
  /** fewer bytes than the fixed part, or than the block's own length field */
  | 'truncated'
  /** the length field exceeds 4 KiB (QEMU: `iplb_valid_len`) */
  | 'too-long'
  /** the parameter block type is not 5 */
  | 'not-pv'
  /** the length field is below 148 bytes */
  | 'too-short'
  /** the components run past the block length or parameter block 0's length [E] */
  | 'components-beyond-length'
  /** the component count is 0 */
  | 'no-components'
  /** the SE header length exceeds 8 KiB */
  | 'se-header-too-long'
  /** the SE header is not inside guest memory */
  | 'se-header-outside-memory'
  /** a component address is not 4 KiB-aligned */
  | 'component-unaligned'
  /** the tweak prefixes do not increase strictly from component to component */
  | 'tweak-order'
  /** bad arguments when encoding */
  | 'invalid-argument';

export class PvIplBlockError extends ReasonedUserError<PvIplBlockErrorReason> {
  override readonly name = 'PvIplBlockError';
}

export interface PvIplComponent {
  /** tweak[0] of every page of the component (u16 component type ‖ 6 random bytes in genprotimg's images). */
  tweakPrefix: bigint;
  /** Guest absolute address of its first encrypted page. */
  address: bigint;
  /** Length in bytes (genprotimg writes whole pages; UNPACK rounds up to a page). */
  length: bigint;
}

export interface PvIplBlock {
  /** The length field: bytes that DIAGNOSE 0x308 copies in and stores back. */
  length: number;
  flags: number;
  version: number;
  /** Parameter block 0's length field. */
  blockLength: number;
  blockFlags: number;
  loadParameter: Uint8Array;
  pvVersion: number;
  seHeaderAddress: bigint;
  seHeaderLength: bigint;
  components: PvIplComponent[];
}

export interface PvIplCheckOptions {
  /** Guest memory size in bytes: the SE header must lie below it (QEMU's `address_space_access_valid`). */
  guestMemorySize?: number;
}

function fail(reason: PvIplBlockErrorReason, message: string): never {
  throw new PvIplBlockError(reason, `PV IPL parameter block: ${message}`);
}

/** Block length genprotimg writes for `componentCount` components: the used bytes, at least one page. */
export function pvIplBlockSize(componentCount: number): number {
  return Math.max(PvIplBlockOffset.components + componentCount * PvIplComponentOffset.size, PAGE_SIZE);
}

/** The length field at the start of a block (the first thing DIAGNOSE 0x308 subcode 8 reads). */
export function pvIplBlockLength(bytes: Uint8Array): number {
  if (bytes.length < 4) fail('truncated', `${bytes.length} bytes, the length field needs 4`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(PvIplBlockOffset.length);
}

/**
 * Reads and checks a PV IPL block from `bytes` (at least its length field's worth). Every
 * refusal is a `PvIplBlockError`; DIAGNOSE 0x308 answers all of them with 0x0402.
 */
export function decodePvIplBlock(bytes: Uint8Array, options: PvIplCheckOptions = {}): PvIplBlock {
  const length = pvIplBlockLength(bytes);
  if (length > IPL_BLOCK_MAX_LENGTH) fail('too-long', `length ${length} exceeds ${IPL_BLOCK_MAX_LENGTH} bytes`);
  if (bytes.length < Math.max(length, PvIplBlockOffset.components)) fail('truncated', `${bytes.length} bytes given, the block needs ${Math.max(length, PvIplBlockOffset.components)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blockType = bytes[PvIplBlockOffset.blockType]!;
  if (blockType !== IPL_TYPE_PV) fail('not-pv', `parameter block type ${blockType}, a PV block has type ${IPL_TYPE_PV}`);
  if (length < PV_IPL_BLOCK_MIN_LENGTH) fail('too-short', `length ${length} is below the ${PV_IPL_BLOCK_MIN_LENGTH} bytes of a PV block`);
  const blockLength = view.getUint32(PvIplBlockOffset.blockLength);
  const count = view.getUint32(PvIplBlockOffset.componentCount);
  const componentsEnd = PvIplBlockOffset.components + count * PvIplComponentOffset.size;
  if (componentsEnd > length || componentsEnd > IPL_LIST_HEADER_SIZE + blockLength) {
    fail('components-beyond-length', `${count} components end at byte ${componentsEnd}, past the block length ${length} or parameter block 0's length ${blockLength} (+ ${IPL_LIST_HEADER_SIZE})`);
  }
  const block: PvIplBlock = {
    length,
    flags: bytes[PvIplBlockOffset.flags]!,
    version: bytes[PvIplBlockOffset.version]!,
    blockLength,
    blockFlags: bytes[PvIplBlockOffset.blockFlags]!,
    loadParameter: bytes.slice(PvIplBlockOffset.loadParameter, PvIplBlockOffset.loadParameter + 8),
    pvVersion: bytes[PvIplBlockOffset.pvVersion]!,
    seHeaderAddress: view.getBigUint64(PvIplBlockOffset.seHeaderAddress),
    seHeaderLength: view.getBigUint64(PvIplBlockOffset.seHeaderLength),
    components: Array.from({ length: count }, (_, i) => {
      const at = PvIplBlockOffset.components + i * PvIplComponentOffset.size;
      return {
        tweakPrefix: view.getBigUint64(at + PvIplComponentOffset.tweakPrefix),
        address: view.getBigUint64(at + PvIplComponentOffset.address),
        length: view.getBigUint64(at + PvIplComponentOffset.length),
      };
    }),
  };
  checkPvIplContents(block, options);
  return block;
}

/** QEMU's header and component checks on a decoded block (`ipl_valid_pv_header`, `ipl_valid_pv_components`). */
export function checkPvIplContents(block: Pick<PvIplBlock, 'seHeaderAddress' | 'seHeaderLength' | 'components'>, options: PvIplCheckOptions = {}): void {
  const { seHeaderAddress, seHeaderLength, components } = block;
  if (seHeaderLength > BigInt(PV_IPL_MAX_SE_HEADER_LENGTH)) fail('se-header-too-long', `SE header length ${seHeaderLength} exceeds ${PV_IPL_MAX_SE_HEADER_LENGTH} bytes`);
  if (options.guestMemorySize !== undefined && seHeaderAddress + seHeaderLength > BigInt(options.guestMemorySize)) {
    fail('se-header-outside-memory', `SE header at 0x${seHeaderAddress.toString(16)} (${seHeaderLength} bytes) is outside the ${options.guestMemorySize} bytes of guest memory`);
  }
  if (components.length === 0) fail('no-components', 'no components');
  components.forEach((c, i) => {
    if (c.address % BigInt(PAGE_SIZE) !== 0n) fail('component-unaligned', `component ${i} at 0x${c.address.toString(16)} is not 4 KiB-aligned`);
    const next = components[i + 1];
    if (next !== undefined && c.tweakPrefix >= next.tweakPrefix) fail('tweak-order', `the tweak prefix of component ${i + 1} does not exceed that of component ${i}`);
  });
}

export interface PvIplBlockInput {
  components: readonly PvIplComponent[];
  seHeaderAddress: bigint;
  seHeaderLength: bigint;
  /** Default `pvIplBlockSize(components.length)` (one page, as genprotimg). */
  length?: number;
  flags?: number;
  /** Default 1. */
  version?: number;
  blockFlags?: number;
  /** 8 bytes; default zeros. */
  loadParameter?: Uint8Array;
  /** Default 0 (genprotimg leaves it 0). */
  pvVersion?: number;
}

/** Writes a PV IPL block (big-endian, `length` bytes, zeros where nothing is set); refuses what `decodePvIplBlock` would. */
export function encodePvIplBlock(input: PvIplBlockInput): Uint8Array {
  const count = input.components.length;
  if (count > PV_IPL_MAX_COMPONENTS) fail('components-beyond-length', `${count} components do not fit in ${IPL_BLOCK_MAX_LENGTH} bytes (at most ${PV_IPL_MAX_COMPONENTS})`);
  const length = input.length ?? pvIplBlockSize(count);
  const blockLength = PV_BLOCK_FIXED_SIZE + count * PvIplComponentOffset.size;
  if (!Number.isInteger(length) || length < IPL_LIST_HEADER_SIZE + blockLength || length < PV_IPL_BLOCK_MIN_LENGTH || length > IPL_BLOCK_MAX_LENGTH) {
    fail('invalid-argument', `length ${length} must hold the ${IPL_LIST_HEADER_SIZE + blockLength} bytes used, be at least ${PV_IPL_BLOCK_MIN_LENGTH} and at most ${IPL_BLOCK_MAX_LENGTH}`);
  }
  const loadParameter = input.loadParameter ?? new Uint8Array(8);
  if (loadParameter.length !== 8) fail('invalid-argument', `the load parameter has ${loadParameter.length} bytes, not 8`);
  for (const c of input.components) {
    for (const v of [c.tweakPrefix, c.address, c.length]) if (v < 0n || v >= 1n << 64n) fail('invalid-argument', `component field ${v} is not a u64`);
  }
  if (input.seHeaderAddress < 0n || input.seHeaderAddress >= 1n << 64n || input.seHeaderLength < 0n) fail('invalid-argument', 'the SE header address or length is not a u64');
  checkPvIplContents({ seHeaderAddress: input.seHeaderAddress, seHeaderLength: input.seHeaderLength, components: [...input.components] });
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint32(PvIplBlockOffset.length, length);
  out[PvIplBlockOffset.flags] = input.flags ?? 0;
  out[PvIplBlockOffset.version] = input.version ?? IPL_PARAMETER_LIST_VERSION;
  view.setUint32(PvIplBlockOffset.blockLength, blockLength);
  out[PvIplBlockOffset.blockType] = IPL_TYPE_PV;
  out[PvIplBlockOffset.blockFlags] = input.blockFlags ?? 0;
  out.set(loadParameter, PvIplBlockOffset.loadParameter);
  out[PvIplBlockOffset.pvVersion] = input.pvVersion ?? 0;
  view.setUint32(PvIplBlockOffset.componentCount, count);
  view.setBigUint64(PvIplBlockOffset.seHeaderAddress, input.seHeaderAddress);
  view.setBigUint64(PvIplBlockOffset.seHeaderLength, input.seHeaderLength);
  input.components.forEach((c, i) => {
    const at = PvIplBlockOffset.components + i * PvIplComponentOffset.size;
    view.setBigUint64(at + PvIplComponentOffset.tweakPrefix, c.tweakPrefix);
    view.setBigUint64(at + PvIplComponentOffset.address, c.address);
    view.setBigUint64(at + PvIplComponentOffset.length, c.length);
  });
  return out;
}
