/**
 * VMCOREINFO for the output (spec elf-core-format.md §11; s390-tools `zdump/dfi_vmcoreinfo.c`),
 * read from the decrypted memory the way zgetdump reads it:
 *
 * 1. `os_info`: the u64 at absolute 0xE18 points at a 4 KiB-aligned, 4096-byte structure with
 *    magic "OSINFOSZ" and a checksum (CKSM over bytes 12–4095). If it is valid and its VMCOREINFO
 *    entry (addr u64 @32, size u64 @40) has a non-zero size, those bytes are the text; if they
 *    cannot be read there is no note (no fallback, as in zgetdump).
 * 2. Otherwise the u64 at absolute 0xE0C points at an in-memory ELF note: namesz 1–128, the name
 *    must start "VMCOREINFO\0" (zero-padded), and the text is descsz bytes at note + 24.
 *
 * The note written has type 0, owner "VMCOREINFO", and the text up to its first NUL. A zero or
 * unreadable pointer or a malformed structure gives no note, silently, as in zgetdump.
 */
import type { DumpReader, RawNote } from '@pvdump/dump-format';
import { createPageCipher, type CryptoBackend } from './crypto/page-cipher.js';
import { DecryptedMemory } from './memory/random-access.js';
import type { PvContext } from './pv/context.js';

export const LOWCORE_VMCORE_INFO = 0xe0cn;
export const LOWCORE_OS_INFO = 0xe18n;
export const OS_INFO_MAGIC = 0x4f53494e464f535an; // "OSINFOSZ"
/** `struct os_info` offsets (Linux arch/s390/include/asm/os_info.h; 4096 bytes, packed). */
export const OsInfo = { magic: 0, csum: 8, versionMajor: 12, vmcoreinfoAddr: 32, vmcoreinfoSize: 40, size: 4096 } as const;
/** Our sanity limit on the text (zgetdump has none; real VMCOREINFO is a few KiB). */
const MAX_VMCOREINFO_BYTES = 16 << 20;
const NAME = 'VMCOREINFO';

/** The CKSM instruction's checksum: big-endian 32-bit words added with end-around carry (a short tail is zero-padded). */
export function cksm(bytes: Uint8Array, sum = 0): number {
  let s = sum >>> 0;
  for (let i = 0; i < bytes.length; i += 4) {
    const w = (((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0)) >>> 0;
    s += w;
    if (s > 0xffffffff) s = (s - 0x100000000 + 1) >>> 0;
  }
  return s >>> 0;
}

type Reader = (addr: bigint, n: number) => Promise<Uint8Array | undefined>;

/** Step 1: 'none' when there is no valid os_info with a VMCOREINFO entry, else the text (or undefined if unreadable). */
async function viaOsInfo(read: Reader): Promise<Uint8Array | undefined | 'none'> {
  const ptr = await read(LOWCORE_OS_INFO, 8);
  if (ptr === undefined) return 'none';
  const addr = view(ptr).getBigUint64(0);
  if (addr % 0x1000n !== 0n) return 'none';
  const info = await read(addr, OsInfo.size);
  if (info === undefined) return 'none';
  const v = view(info);
  if (v.getBigUint64(OsInfo.magic) !== OS_INFO_MAGIC) return 'none';
  if (v.getUint32(OsInfo.csum) !== cksm(info.subarray(OsInfo.versionMajor))) return 'none';
  const size = v.getBigUint64(OsInfo.vmcoreinfoSize);
  if (size === 0n) return 'none';
  if (size > BigInt(MAX_VMCOREINFO_BYTES)) return undefined;
  return read(v.getBigUint64(OsInfo.vmcoreinfoAddr), Number(size));
}

/** Step 2: the ELF note behind absolute 0xE0C. */
async function viaLowcoreNote(read: Reader): Promise<Uint8Array | undefined> {
  const ptr = await read(LOWCORE_VMCORE_INFO, 8);
  if (ptr === undefined) return undefined;
  const addr = view(ptr).getBigUint64(0);
  if (addr === 0n) return undefined;
  const hdr = await read(addr, 12);
  if (hdr === undefined) return undefined;
  const namesz = view(hdr).getUint32(0);
  const descsz = view(hdr).getUint32(4);
  if (namesz === 0 || namesz > 128 || descsz > MAX_VMCOREINFO_BYTES) return undefined;
  const name = await read(addr + 12n, namesz);
  if (name === undefined) return undefined;
  const padded = new Uint8Array(NAME.length + 1);
  padded.set(name.subarray(0, padded.length));
  if (new TextDecoder().decode(padded) !== `${NAME}\0`) return undefined;
  return read(addr + 24n, descsz);
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Reads the VMCOREINFO text the guest kernel published, if any, as zgetdump does. */
export async function findVmcoreinfo(reader: DumpReader, ctx: PvContext, backend: CryptoBackend): Promise<RawNote | undefined> {
  const cipher = createPageCipher(ctx.secrets.xtsKey, backend);
  const mem = new DecryptedMemory(reader, ctx, cipher);
  try {
    const { start, end } = mem.range;
    const read: Reader = async (addr, n) => (addr >= start && addr + BigInt(n) <= end ? mem.read(addr, n) : undefined);
    const fromOsInfo = await viaOsInfo(read);
    const text = fromOsInfo === 'none' ? await viaLowcoreNote(read) : fromOsInfo;
    if (text === undefined) return undefined;
    const nul = text.indexOf(0);
    const desc = nul < 0 ? text : text.slice(0, nul);
    return desc.length === 0 ? undefined : { owner: NAME, type: 0, desc };
  } finally {
    mem.clear();
    cipher.dispose();
  }
}
