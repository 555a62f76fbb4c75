/**
 * `pvdump info --memory ADDR[:LEN] DUMP`: a range of guest memory (absolute addresses, the
 * PT_LOAD segments of docs/elf-core-format.md §4) as a hex dump. Without a key it shows the bytes
 * as the file stores them (for a PV dump: the ciphertext of every secure page, what the host
 * sees); with `-k` on a PV dump it shows them decrypted with the CCK (docs/pv-dump-crypto.md §9),
 * which is asking for decrypted data.
 */
import { openPvDump } from '@pvdump/dump-decrypt';
import type { DumpReader } from '@pvdump/dump-format';
import { UsageError, UserError } from '../cli-support.js';
import { hex64 } from '../render/cpu.js';

/** Bytes shown when LEN is left out: sixteen lines. */
export const DEFAULT_MEMORY_LENGTH = 256;
/** [E] Longest range one call shows (bounded output and memory): 1 MiB. */
export const MAX_MEMORY_LENGTH = 1 << 20;

export interface MemoryRange {
  address: bigint;
  length: number;
}

function parseNumber(text: string): bigint | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return BigInt(text);
  if (/^\d+$/.test(text)) return BigInt(text);
  return undefined;
}

/** ADDR[:LEN], each decimal or 0x-hex: `0x10000`, `0x10000:64`, `65536:0x40`. */
export function parseMemoryRange(text: string, usage: string): MemoryRange {
  const [addrText, lenText, extra] = text.split(':');
  const address = parseNumber(addrText ?? '');
  const length = lenText === undefined ? BigInt(DEFAULT_MEMORY_LENGTH) : parseNumber(lenText);
  if (extra !== undefined || address === undefined || length === undefined) {
    throw new UsageError(`--memory '${text}': give ADDR or ADDR:LEN, each a decimal or 0x-hexadecimal number (e.g. 0x10000:64)\n\n${usage}`);
  }
  if (address >= 1n << 64n) throw new UsageError(`--memory '${text}': the address is beyond 64 bits\n\n${usage}`);
  if (length === 0n || length > BigInt(MAX_MEMORY_LENGTH)) throw new UsageError(`--memory '${text}': LEN must be 1 to ${MAX_MEMORY_LENGTH} bytes\n\n${usage}`);
  return { address, length: Number(length) };
}

/**
 * `hexdump -C` style lines with 64-bit guest addresses: 16 bytes a line, printable ASCII on the
 * right; a run of lines equal to the one before is one `*` line, as hexdump shows it.
 */
export function hexDumpLines(address: bigint, bytes: Uint8Array): string[] {
  const lines: string[] = [];
  let repeated = false;
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const last = at + 16 >= bytes.length;
    if (at > 0 && !last && row.length === 16 && Buffer.compare(row, bytes.subarray(at - 16, at)) === 0) {
      if (!repeated) lines.push('*');
      repeated = true;
      continue;
    }
    repeated = false;
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ').padEnd(23);
    const right = hex.slice(8).join(' ').padEnd(23);
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${hex64(address + BigInt(at)).slice(2)}  ${left}  ${right}  |${text}|`);
  }
  return lines;
}

/** Names the dump's memory, for a range that is not in it. */
function checkInDump(dump: DumpReader, range: MemoryRange, file: string): void {
  const end = range.address + BigInt(range.length);
  const covered = (at: bigint): bigint | undefined => {
    const seg = dump.segmentAt(at);
    return seg === undefined ? undefined : seg.start + seg.size;
  };
  for (let at = range.address; at < end;) {
    const next = covered(at);
    if (next === undefined) {
      const ranges = dump.memory
        .slice(0, 4)
        .map((m) => `${hex64(m.start)}-${hex64(m.start + m.size)}`)
        .join(', ');
      throw new UserError(`${file}: guest address ${hex64(at)} is not in the dump (its memory: ${ranges}${dump.memory.length > 4 ? ', …' : ''})`);
    }
    at = next;
  }
}

export interface MemoryShown {
  file: string;
  address: string;
  length: number;
  pv: boolean;
  decrypted: boolean;
  /** The bytes as lowercase hex, two digits each. */
  data: string;
}

/**
 * Reads the range from the dump: as stored, or, with `key` and a PV dump, decrypted. `plainPath`
 * is the uncompressed file (the reader's own path).
 */
export async function readMemoryRange(dump: DumpReader, plainPath: string, file: string, range: MemoryRange, key: Uint8Array | undefined): Promise<{ shown: MemoryShown; bytes: Uint8Array }> {
  checkInDump(dump, range, file);
  let bytes: Uint8Array;
  const decrypted = key !== undefined && dump.isPv;
  if (decrypted) {
    const pv = await openPvDump(plainPath, key);
    try {
      bytes = await pv.readMemory(range.address, range.length);
    } finally {
      await pv.close();
    }
  } else {
    bytes = await dump.readMemory(range.address, range.length);
  }
  return { shown: { file, address: hex64(range.address), length: range.length, pv: dump.isPv, decrypted, data: Buffer.from(bytes).toString('hex') }, bytes };
}

/** The text form: one line saying what the bytes are, then the hex dump. */
export function memoryText(shown: MemoryShown, bytes: Uint8Array, keyGiven: boolean): string {
  const range = `${shown.address}-${hex64(BigInt(shown.address) + BigInt(shown.length))}`;
  const what = shown.decrypted
    ? 'decrypted with the customer communication key'
    : shown.pv
      ? 'as stored in the PV dump; secure pages are ciphertext: decrypt with -k CCK_FILE'
      : keyGiven
        ? 'not a PV dump: the key is not needed'
        : 'as stored in the dump';
  return [`${shown.file}: guest memory ${range}, ${shown.length} bytes (${what})`, ...hexDumpLines(BigInt(shown.address), bytes)].join('\n');
}
