/**
 * The random-sequence test program: many short instruction sequences ("cases") assembled into one
 * static s390x Linux executable that runs them in order and, after each, writes the machine state
 * with the `write` system call. The same binary runs under qemu-s390x and under our Linux runner;
 * the two outputs must be byte-identical (except r15, the stack pointer, which differs).
 *
 * Register conventions inside a case body: r11 points at the case's 256-byte memory buffer and
 * r15 is the stack pointer; bodies never write either. Every other GPR, V0–V31 (so F0–F15), the
 * condition code and the memory buffer start with the case's random values.
 *
 * Case data (CASE_DATA_SIZE bytes each, in an .incbin blob): r0–r14 (15 × 8, r11's slot unused),
 * the CC in bits 2–3 of a word (SPM format) + 4 spare bytes, V0–V31 (32 × 16), memory (256).
 * Output record (RECORD_SIZE bytes each): r0–r15 (16 × 8), IPM result (word) + FPC (word),
 * V0–V31 (32 × 16), memory (256).
 */
import { writeFileSync } from 'node:fs';

export const MEM_SIZE = 256;
export const CASE_DATA_SIZE = 15 * 8 + 8 + 32 * 16 + MEM_SIZE;
export const RECORD_SIZE = 16 * 8 + 8 + 32 * 16 + MEM_SIZE;

/** Offsets inside one output record. */
export const REC_GPRS = 0;
export const REC_IPM = 128;
export const REC_FPC = 132;
export const REC_VRS = 136;
export const REC_MEM = 136 + 512;

/** High word of r0 in a fault record (the low word holds the signal number). */
export const FAULT_MARK_HIGH = 0xfa0171ed;

export interface CaseInit {
  /** r0–r14 (r11 is replaced by the buffer address). */
  gprs: bigint[];
  cc: number;
  /** 512 bytes: V0–V31. */
  vrs: Uint8Array;
  /** MEM_SIZE bytes. */
  mem: Uint8Array;
}

export interface SequenceCase {
  init: CaseInit;
  /** Assembly lines of the body. Label `9` (referenced as `9f`) is placed right after the body. */
  body: string[];
  /** Human-readable summary for failure messages (usually the body joined). */
  title: string;
  /** Out-of-line lines (e.g. EXECUTE targets) emitted in a separate text section. */
  outOfLine?: string[];
}

/** Serialises every case's initial state into the .incbin blob. */
export function caseDataBlob(cases: readonly SequenceCase[]): Uint8Array {
  const out = new Uint8Array(cases.length * CASE_DATA_SIZE);
  const view = new DataView(out.buffer);
  cases.forEach((c, i) => {
    const base = i * CASE_DATA_SIZE;
    for (let r = 0; r < 15; r++) view.setBigUint64(base + r * 8, BigInt.asUintN(64, c.init.gprs[r] ?? 0n));
    view.setUint32(base + 120, (c.init.cc & 3) << 28);
    out.set(c.init.vrs.subarray(0, 512), base + 128);
    out.set(c.init.mem.subarray(0, MEM_SIZE), base + 640);
  });
  return out;
}

/** The assembly source running every case; `dataFile` is the blob written next to it. */
export function sequenceAssembly(cases: readonly SequenceCase[], dataFile: string): string {
  const lines: string[] = [
    '    .machine "z15"',
    '    .text',
    '    .globl _start',
    '_start:',
    '    aghi %r15,-160',
    '    stgrl %r15,savesp',
    '    larl %r1,casedata',
    '    stgrl %r1,curdata',
    // rt_sigaction(SIGILL, SIGTRAP, SIGFPE, SIGSEGV): a fault ends the case with a fault record.
    ...[4, 5, 8, 11].flatMap((sig) => [`    lghi %r2,${sig}`, '    larl %r3,sigact', '    lghi %r4,0', '    lghi %r5,8', '    svc 174']),
  ];
  const outOfLine: string[] = [];
  cases.forEach((c, i) => {
    lines.push(`# case ${i}: ${c.title.replace(/\n/g, '; ')}`);
    lines.push('    larl %r14,8f');
    lines.push('    stgrl %r14,resume');
    lines.push('    brasl %r14,setup');
    lines.push('    lgrl %r14,curregs14');
    for (const l of c.body) lines.push('    ' + l);
    lines.push('9:');
    lines.push('    stgrl %r14,save14');
    lines.push('    brasl %r14,dump');
    lines.push('8:');
    if (c.outOfLine) outOfLine.push(...c.outOfLine);
  });
  lines.push(
    '    lghi %r2,0',
    '    svc 248',
    '    j .',
    // setup: r1 = current case data; loads the memory buffer, vector registers, CC and GPRs,
    // and copies r14 to curregs14 (the caller reloads it) before advancing curdata.
    'setup:',
    '    lgrl %r1,curdata',
    '    lg %r2,112(%r1)',
    '    stgrl %r2,curregs14',
    '    larl %r2,membuf',
    `    mvc 0(${MEM_SIZE},%r2),640(%r1)`,
    '    vlm %v0,%v15,128(%r1)',
    '    la %r3,384(%r1)',
    '    vlm %v16,%v31,0(%r3)',
    `    la %r2,${CASE_DATA_SIZE}(%r1)`,
    '    stgrl %r2,curdata',
    '    lghi %r2,0',
    '    sfpc %r2',
    '    l %r2,120(%r1)',
    '    spm %r2',
    '    lmg %r0,%r13,0(%r1)',
    '    larl %r11,membuf',
    '    br %r14',
    // dump: writes one record to stdout; called with the body's r14 saved in save14.
    'dump:',
    '    stgrl %r1,save1',
    '    ipm %r1',
    '    stgrl %r1,saveipm',
    '    larl %r1,outrec',
    '    stmg %r0,%r15,0(%r1)',
    '    lgrl %r2,save1',
    '    stg %r2,8(%r1)',
    '    lgrl %r2,save14',
    '    stg %r2,112(%r1)',
    '    lgrl %r2,saveipm',
    `    st %r2,${REC_IPM}(%r1)`,
    `    stfpc ${REC_FPC}(%r1)`,
    `    vstm %v0,%v15,${REC_VRS}(%r1)`,
    `    la %r3,${REC_VRS + 256}(%r1)`,
    '    vstm %v16,%v31,0(%r3)',
    '    larl %r3,membuf',
    `    mvc ${REC_MEM}(${MEM_SIZE},%r1),0(%r3)`,
    '    lghi %r2,1',
    '    lgr %r3,%r1',
    `    lghi %r4,${RECORD_SIZE}`,
    '    svc 4',
    '    br %r14',
    // fault: r2 = signal. Writes a record whose r0 is FAULT_MARK | signal, then resumes.
    'fault:',
    '    lgrl %r15,savesp',
    '    larl %r1,outrec',
    '    xc 0(256,%r1),0(%r1)',
    '    xc 256(256,%r1),256(%r1)',
    `    xc 512(${REC_MEM - 512},%r1),512(%r1)`,
    `    llihf %r3,${FAULT_MARK_HIGH}`,
    '    ogr %r3,%r2',
    '    stg %r3,0(%r1)',
    '    larl %r3,membuf',
    `    mvc ${REC_MEM}(${MEM_SIZE},%r1),0(%r3)`,
    '    lghi %r2,1',
    '    lgr %r3,%r1',
    `    lghi %r4,${RECORD_SIZE}`,
    '    svc 4',
    '    lgrl %r1,resume',
    '    br %r1',
    '    .section .text.outofline,"ax",@progbits',
    ...outOfLine.map((l) => (l.endsWith(':') ? l : '    ' + l)),
    '    .data',
    '    .balign 4096',
    'membuf:',
    `    .space ${MEM_SIZE}`,
    '    .balign 256',
    'rdata:',
    '    .quad 0x0123456789abcdef, 0xfedcba9876543210, 0x8000000000000000, 0x7fffffffffffffff',
    '    .quad 0x00000000ffffffff, 0xffffffff00000000, 0x0000000080000000, 0x0000000000000001',
    '    .balign 8',
    'curdata: .quad 0',
    'curregs14: .quad 0',
    'save1: .quad 0',
    'save14: .quad 0',
    'saveipm: .quad 0',
    'savesp: .quad 0',
    'resume: .quad 0',
    'sigact: .quad fault, 0x40000000, 0, 0',
    '    .balign 256',
    'outrec:',
    `    .space ${RECORD_SIZE}`,
    '    .balign 16',
    'casedata:',
    `    .incbin "${dataFile}"`,
    '    .section .note.GNU-stack,"",@progbits',
  );
  return lines.join('\n') + '\n';
}

/** Writes the .S and the data blob for `cases` into `dir`-prefixed paths; returns the .S path. */
export function writeSequenceSources(cases: readonly SequenceCase[], prefix: string): string {
  const dataPath = `${prefix}.bin`;
  writeFileSync(dataPath, caseDataBlob(cases));
  const asmPath = `${prefix}.S`;
  writeFileSync(asmPath, sequenceAssembly(cases, dataPath));
  return asmPath;
}

/** A decoded output record. */
export interface CaseState {
  gprs: bigint[];
  cc: number;
  fpc: number;
  vrs: Uint8Array;
  mem: Uint8Array;
}

/** Splits a program's stdout into records. */
export function parseRecords(out: Uint8Array): CaseState[] {
  const states: CaseState[] = [];
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let off = 0; off + RECORD_SIZE <= out.length; off += RECORD_SIZE) {
    const gprs: bigint[] = [];
    for (let r = 0; r < 16; r++) gprs.push(view.getBigUint64(off + REC_GPRS + r * 8));
    states.push({
      gprs,
      cc: (view.getUint32(off + REC_IPM) >>> 28) & 3,
      fpc: view.getUint32(off + REC_FPC),
      vrs: out.slice(off + REC_VRS, off + REC_VRS + 512),
      mem: out.slice(off + REC_MEM, off + REC_MEM + MEM_SIZE),
    });
  }
  return states;
}
