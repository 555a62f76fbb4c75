/**
 * GNU objdump as the reference disassembler: runs `s390x-linux-gnu-objdump -d` on an object or
 * executable and returns each instruction's address, bytes and text (symbol annotations such as
 * `<main+0x10>` removed, as our disassembler prints bare addresses).
 */
import { requireTool, run } from '@pvdump/test-support';

export interface ObjdumpLine {
  address: bigint;
  bytes: Uint8Array;
  text: string;
}

export function objdump(path: string): ObjdumpLine[] {
  requireTool('s390x-linux-gnu-objdump');
  const out = run('s390x-linux-gnu-objdump', ['-d', '-z', path]);
  const lines: ObjdumpLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$/.exec(line);
    if (!m) continue;
    const bytes = Uint8Array.from(m[2]!.trim().split(' '), (h) => parseInt(h, 16));
    // Annotations follow every relative operand, also in the middle (BPP, BPRP).
    const text = m[3]!.replace(/\s+<[^>]*>/g, '').replace(/\s+$/, '');
    lines.push({ address: BigInt('0x' + m[1]!), bytes, text });
  }
  return lines;
}

/**
 * False for objdump's malformed output: binutils 2.40 prints `nop D(X,0)` (BC with mask 0,
 * an index and no base) as `nop D(X` without the closing parenthesis.
 */
export function wellFormed(text: string): boolean {
  return (text.match(/\(/g) ?? []).length === (text.match(/\)/g) ?? []).length;
}
