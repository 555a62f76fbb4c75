/**
 * VMCOREINFO for the output (spec elf-core-format.md §11, s390-tools `zdump/dfi_vmcoreinfo.c`):
 * the u64 at absolute 0xE0C of the decrypted memory points at an in-memory ELF note named
 * "VMCOREINFO"; its text becomes a type-0 note with owner "VMCOREINFO". A zero pointer, one
 * outside memory or a malformed note gives no note, silently, as in zgetdump.
 * zgetdump's first choice, the `os_info` structure behind absolute 0xE18, is not read here.
 */
import type { DumpReader, RawNote } from '@pvdump/dump-format';
import { createPageCipher, type CryptoBackend } from './crypto/page-cipher.js';
import { DecryptedMemory } from './memory/random-access.js';
import type { PvContext } from './pv/context.js';

export const LOWCORE_VMCORE_INFO = 0xe0cn;
const MAX_VMCOREINFO_BYTES = 1 << 20;
const NAME = 'VMCOREINFO';

/** Reads the VMCOREINFO note the guest kernel published, if any. */
export async function findVmcoreinfo(reader: DumpReader, ctx: PvContext, backend: CryptoBackend): Promise<RawNote | undefined> {
  const cipher = createPageCipher(ctx.secrets.xtsKey, backend);
  const mem = new DecryptedMemory(reader, ctx, cipher);
  try {
    const { start, end } = mem.range;
    const inside = (a: bigint, n: number): boolean => a >= start && a + BigInt(n) <= end;
    if (!inside(LOWCORE_VMCORE_INFO, 8)) return undefined;
    const ptrBytes = await mem.read(LOWCORE_VMCORE_INFO, 8);
    const ptr = new DataView(ptrBytes.buffer).getBigUint64(0);
    if (ptr === 0n || !inside(ptr, 12)) return undefined;
    const hdr = new DataView((await mem.read(ptr, 12)).buffer);
    const namesz = hdr.getUint32(0);
    const descsz = hdr.getUint32(4);
    if (namesz !== NAME.length + 1 || descsz === 0 || descsz > MAX_VMCOREINFO_BYTES) return undefined;
    const nameAt = ptr + 12n;
    const descAt = nameAt + BigInt((namesz + 3) & ~3);
    if (!inside(nameAt, namesz) || !inside(descAt, descsz)) return undefined;
    const name = new TextDecoder().decode((await mem.read(nameAt, namesz)).subarray(0, NAME.length));
    if (name !== NAME) return undefined;
    return { owner: NAME, type: 0, desc: await mem.read(descAt, descsz) };
  } finally {
    mem.clear();
    cipher.dispose();
  }
}
