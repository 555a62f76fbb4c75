/**
 * Random instruction sequences for the differential test, driven by the instruction table: every
 * problem-state entry's operand syntax gives the assembly text, with random registers,
 * immediates and masks, storage operands inside the case's memory buffer (base r11), and branch
 * targets at the end of the case (label 9). Instructions whose operands must satisfy more than
 * their syntax says (register pairs and ranges, string instructions, EXECUTE, register branch
 * targets) get templates. Faults are allowed: the test program records the signal.
 */
import { FORMAT_FIELDS, INSTRUCTIONS, type InstructionDef } from '../../src/isa/index.ts';
import { MEM_SIZE, type CaseInit, type SequenceCase } from './sequence-program.ts';
import type { Rng } from './rng.ts';
import { bfpInstructions, hasExtendedOperand, QEMU_MISSING, QEMU_WRONG_OPERAND } from './bfp-generator.ts';
import { vectorFloatEntries } from './vector-float-generator.ts';

/** GPRs a body may name: not r11 (buffer base) or r15 (stack). */
const POOL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14];
/** Even registers of usable even/odd pairs. */
const EVEN = [0, 2, 4, 6, 8, 12];
/** Register holding a branch target address (excluded from the other operands). */
const TARGET_REG = 13;

/** Not generated: clock reads, facility lists, access registers and PSW reads that differ between qemu-user and us by design, SVC (a system call), addressing-mode changes. */
const EXCLUDED = new Set([
  // qemu-s390x 7.2 stores the high words shifted left by 32 (i.e. zeros) for STMH; the
  // architecture stores bits 0–31, which test/general-semantics.test.ts checks instead.
  'stmh',
  // qemu-s390x 7.2 never raises fixed-point-overflow interruptions, so a program mask set by SPM
  // makes the two differ by design; test/general-semantics.test.ts checks the interruption.
  'spm',
  // qemu-s390x 7.2 doubles the running sum before adding each word (2·sum + word) instead of an
  // end-around-carry add; test/vector-integer-semantics.test.ts checks the architected checksum.
  'vcksm',
  // Known difference in the floating-point group (not the general instructions): our SRNM does
  // not yet set the FPC rounding mode the way qemu-s390x does.
  'srnm',
  'svc',
  // STHYI: binutils 2.40's assembler does not know the mnemonic, and the hypervisor answers it
  // (an interception, or an operation exception without facility 74); its own tests check it.
  'sthyi',
  'stck',
  'stckf',
  'stcke',
  // PTFF: the TOD-clock-steering queries read the clock; qemu-s390x 7.2 does not offer facility
  // 28 (an operation exception); test/multiple-epoch.test.ts checks it.
  'ptff',
  'stfle',
  'stfl',
  'ear',
  'sar',
  'lam',
  'lamy',
  'stam',
  'stamy',
  'epsw',
  'sam24',
  'sam31',
  'sam64',
  // Semi-privileged key instructions: their authority comes from CR0/CR3, which differ between
  // qemu-user and the Linux runner; test/storage-keys.test.ts checks them.
  'ipk',
  'ivsk',
  'spka',
  // Whole-page moves between register-designated pages (outside the case buffer);
  // test/frames.test.ts checks MVPG.
  'mvpg',
  // Message-security assist: which functions a model installs differs by design (qemu-s390x has
  // SHA-512 and the TRNG, we only query) and the parameter block GR1 designates lies outside the
  // case buffer; test/message-security.test.ts checks them.
  'km',
  'kmc',
  'kmac',
  'kimd',
  'klmd',
  'kmf',
  'kmo',
  'pcc',
  'kmctr',
  'prno',
  // Guarded storage (facility 133): qemu-s390x 7.2 does not implement it (SIGILL under -cpu max);
  // test/guarded-storage.test.ts checks the architected behaviour.
  'lgg',
  'llgfsg',
  'lgsc',
  'stgsc',
  // MOVE WITH OPTIONAL SPECIFICATIONS: qemu-s390x 7.2 gives SIGILL for it in user mode, and GR0's
  // operand-access controls name keys and address spaces outside what the runner maps;
  // test/move-optional.test.ts checks the architected behaviour.
  'mvcos',
]);

/** First operand (R1) must be the even register of a pair. */
const PAIR_R1 = new Set(['mgrk', 'mg', 'cds', 'cdsy', 'cdsg', 'lpq', 'stpq', 'mr', 'm', 'mfy', 'mlr', 'ml', 'mlgr', 'mlg', 'dr', 'd', 'dlr', 'dl', 'dlgr', 'dlg', 'dsgr', 'dsgfr', 'dsg', 'dsgf', 'sldl', 'srdl', 'slda', 'srda', 'flogr']);
/** Extended (128-bit) floating-point operands name register pairs. */
const FP_PAIR = new Set(['lxr', 'lzxr']);
/** R3 must also be the even register of a pair. */
const PAIR_R3 = new Set(['cds', 'cdsy', 'cdsg', 'lpd', 'lpdg']);
/** D2(B2) is a shift amount or pad byte, not a storage address. */
const NOT_ADDRESS = new Set(['sll', 'srl', 'sla', 'sra', 'sllk', 'srlk', 'slak', 'srak', 'sllg', 'srlg', 'slag', 'srag', 'rll', 'rllg', 'sldl', 'srdl', 'slda', 'srda', 'vesl', 'vesrl', 'vesra', 'verll', 'srnm']);
/** Branches whose target is a register or D(X,B): generated with r13 = address of label 9. */
const REGISTER_BRANCH = new Set(['bcr', 'bc', 'basr', 'bas', 'balr', 'bal', 'bctr', 'bctgr', 'bct', 'bctg', 'bxh', 'bxle', 'bxhg', 'bxleg', 'crb', 'clrb', 'cgrb', 'clgrb', 'cib', 'clib', 'cgib', 'clgib']);
/** BRANCH ON INDEX: the comparand register is R3|1. */
const INDEX_BRANCH = new Set(['bxh', 'bxle', 'bxhg', 'bxleg', 'brxh', 'brxle', 'brxhg', 'brxlg']);
/** Register-range loads/stores (R1..R3 or V1..V3). */
const RANGES = new Set(['lm', 'lmy', 'lmg', 'lmh', 'stm', 'stmy', 'stmg', 'stmh', 'vlm', 'vstm']);
/** Aligned storage operands. */
/**
 * Aligned storage operands. STFPC/LFPC: our FP group requires a word boundary where qemu-s390x
 * accepts any address, so the generator stays on word boundaries.
 */
const ALIGN: Record<string, number> = {
  cs: 4,
  csy: 4,
  csg: 8,
  stfpc: 4,
  lfpc: 4,
  laa: 4,
  laal: 4,
  lan: 4,
  lao: 4,
  lax: 4,
  laag: 8,
  laalg: 8,
  lang: 8,
  laog: 8,
  laxg: 8,
  cds: 8,
  cdsy: 8,
  cdsg: 16,
  lpq: 16,
  stpq: 16,
  lpd: 4,
  lpdg: 8,
};
/** Relative-long storage operands (not branches): target inside the buffer, 8-aligned. */
const REL_DATA = new Set(['lrl', 'lgrl', 'lgfrl', 'llgfrl', 'lhrl', 'lghrl', 'llhrl', 'llghrl', 'strl', 'stgrl', 'sthrl', 'crl', 'clrl', 'chrl', 'clhrl', 'cgrl', 'clgrl', 'cgfrl', 'clgfrl', 'cghrl', 'clghrl']);
const TEMPLATED = new Set(['mvst', 'clst', 'srst', 'mvcle', 'clcle', 'mvcl', 'clcl', 'tr', 'trt', 'ex', 'exrl', 'bic', 'mvcrl']);

/** The table entries the generator covers: every problem-state entry not excluded. */
export function coveredInstructions(): InstructionDef[] {
  // BFP arithmetic and conversions have their own differential test (test/bfp-random.test.ts)
  // with special-value operands, FPC settings and qemu 7.2's documented deviations.
  // So do the vector floating-point instructions (test/vector-float-random.test.ts).
  const bfp = new Set([...bfpInstructions().map((e) => e.mnemonic), ...QEMU_WRONG_OPERAND, ...QEMU_MISSING, ...vectorFloatEntries().map((e) => e.mnemonic)]);
  for (const fpc of ['sfpc', 'efpc', 'srnm', 'srnmb']) bfp.delete(fpc);
  return INSTRUCTIONS.filter((e) => !e.privileged && !EXCLUDED.has(e.mnemonic) && !bfp.has(e.mnemonic));
}

function interestingGpr(rng: Rng): bigint {
  const r = rng.u32() % 10;
  if (r < 3) return BigInt.asUintN(64, BigInt(rng.below(33) - 16));
  if (r < 5) {
    const edges = [0n, 1n, 0xffffffffffffffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0x100000000n, 0xffffffff80000000n, 0x00000000ffff0000n];
    return rng.pick(edges);
  }
  if (r < 6) return BigInt(rng.u32()) | (rng.chance(0.5) ? 0xffffffff00000000n : 0n);
  if (r < 7) {
    // Around 2^40–2^53, either sign: where number fast paths meet their limits.
    const v = (BigInt(rng.below(1 << (8 + rng.below(14)))) << 32n) | BigInt(rng.u32());
    return BigInt.asUintN(64, rng.chance(0.5) ? -v : v);
  }
  return (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
}

export function randomInit(rng: Rng): CaseInit {
  const gprs: bigint[] = [];
  for (let r = 0; r < 15; r++) gprs.push(interestingGpr(rng));
  const vrs = rng.fill(new Uint8Array(512));
  const mem = rng.fill(new Uint8Array(MEM_SIZE));
  // Some zero and small bytes so string instructions find terminators and compares tie.
  for (let i = 0; i < MEM_SIZE; i++) if (rng.chance(0.15)) mem[i] = rng.chance(0.5) ? 0 : rng.below(4);
  if (rng.chance(0.2)) mem.fill(rng.below(256), rng.below(128), 128 + rng.below(128));
  return { gprs, cc: rng.below(4), vrs, mem };
}

/** A random immediate for field `name` of `entry`, biased to edge values. */
function immediate(rng: Rng, entry: InstructionDef, name: string, signed: boolean): string {
  const width = FORMAT_FIELDS[entry.format].fields[name]?.width ?? 8;
  const max = 2 ** width;
  let v: number;
  const r = rng.below(4);
  if (r === 0) v = rng.below(Math.min(max, 64));
  else if (r === 1) v = rng.pick([0, 1, max - 1, max / 2, max / 2 - 1]);
  else v = rng.below(max);
  if (signed && v >= max / 2) v -= max;
  return String(v);
}

interface Ctx {
  rng: Rng;
  entry: InstructionDef;
  /** Set-up lines the operand generators add (index register values). */
  pre: string[];
  /** Registers this instruction must not name. */
  avoid: Set<number>;
  caseIndex: number;
}

function gpr(ctx: Ctx, even = false): number {
  const pool = (even ? EVEN : POOL).filter((r) => !ctx.avoid.has(r) && !(even && ctx.avoid.has(r + 1)));
  return ctx.rng.pick(pool);
}

/**
 * A storage operand D(B) or D(X,B) with `size` bytes inside the buffer. With an index, some
 * operands split the offset between D and an index register set just before.
 */
function storage(ctx: Ctx, size: number, withIndex: boolean): string {
  const align = ALIGN[ctx.entry.mnemonic] ?? 1;
  const offset = Math.floor(ctx.rng.below(MEM_SIZE - size + 1) / align) * align;
  const fields = FORMAT_FIELDS[ctx.entry.format].fields;
  const long = fields.D2?.kind === 'disp20' || fields.D1?.kind === 'disp20';
  if (long && ctx.rng.chance(0.2)) {
    // A negative 20-bit displacement from a base just past the buffer.
    const base = gpr(ctx);
    if (base !== 0) {
      ctx.pre.push(`la %r${base},${MEM_SIZE}(%r11)`);
      return withIndex ? `${offset - MEM_SIZE}(%r0,%r${base})` : `${offset - MEM_SIZE}(%r${base})`;
    }
  }
  if (withIndex && ctx.rng.chance(0.3)) {
    const x = gpr(ctx);
    if (x !== 0) {
      const k = Math.floor(ctx.rng.below(offset + 1) / align) * align;
      ctx.pre.push(`lghi %r${x},${k}`);
      return `${offset - k}(%r${x},%r11)`;
    }
  }
  return withIndex ? `${offset}(%r0,%r11)` : `${offset}(%r11)`;
}

/** Element-size suffix of the vector element loads/stores: vleb … vleg. */
const ELEMENT_BYTES: Record<string, number> = { b: 1, h: 2, f: 4, g: 8 };

/** Vector string instructions whose operands V2 and V3 are compared element by element. */
const STRING_SEARCH = new Set(['vfae', 'vfee', 'vfene', 'vstrc', 'vstrs']);

/** Mask fields whose valid values are 0 … n − 1 and that no alias names (block-boundary codes, shift counts). */
const MASK_BELOW: Record<string, [string, number]> = { vlbb: ['M3', 7], lcbb: ['M3', 7] };

/**
 * A mask field value. Mostly one the disassembler aliases name (for vector instructions these are
 * the valid element sizes) or a valid element index, so most cases do more than fault; sometimes
 * any value, so invalid ones are tested too.
 */
function mask(ctx: Ctx, field: string): number {
  const { rng, entry } = ctx;
  if (rng.chance(0.15)) return rng.below(16);
  const m = /^v(le|ste|lei|lebr|stebr)([bhfg])$/.exec(entry.mnemonic);
  if (m && field === 'M3') return rng.below(16 / ELEMENT_BYTES[m[2]!]!);
  const below = MASK_BELOW[entry.mnemonic];
  if (below !== undefined && field === below[0]) return rng.below(below[1]);
  const named = (entry.aliases ?? []).map((a) => a.when[field]).filter((v): v is number => v !== undefined);
  return named.length > 0 ? rng.pick(named) : rng.below(16);
}

/** Assembly for one generic instruction, or undefined when its syntax cannot be generated. */
function generic(ctx: Ctx): string[] {
  const { entry, rng } = ctx;
  const mn = entry.mnemonic;
  const pre: string[] = [];
  const ops: string[] = [];
  const tokens = entry.operands === '' ? [] : entry.operands.split(',');
  let rangeStart = -1;
  for (const token of tokens) {
    const [kind, name] = token.split(':') as [string, string];
    switch (kind) {
      case 'r': {
        let r: number;
        if (RANGES.has(mn)) {
          // R1..R3 without wrapping, never reaching r11 for loads, at most 8 registers.
          if (rangeStart < 0) {
            rangeStart = rng.below(mn.startsWith('st') ? 14 : 10);
            r = rangeStart;
          } else r = Math.min(rangeStart + rng.below(8), mn.startsWith('st') ? 14 : 10);
        } else if (PAIR_R1.has(mn) && name === 'R1') r = gpr(ctx, true);
        else if (PAIR_R3.has(mn) && name === 'R3') r = gpr(ctx, true);
        else if (INDEX_BRANCH.has(mn) && name === 'R3') {
          // The comparand is R3|1: never r15 (the stack pointer differs between the two runs).
          ctx.avoid.add(14);
          r = gpr(ctx);
          ctx.avoid.delete(14);
        } else r = gpr(ctx);
        ops.push(`%r${r}`);
        break;
      }
      case 'f':
        ops.push(`%f${FP_PAIR.has(mn) || hasExtendedOperand(mn) ? rng.pick([0, 1, 4, 5, 8, 9, 12, 13]) : rng.below(16)}`);
        break;
      case 'v': {
        let v: number;
        if (RANGES.has(mn)) {
          if (rangeStart < 0) {
            rangeStart = rng.below(32);
            v = rangeStart;
          } else v = Math.min(31, rangeStart + rng.below(8));
        } else v = rng.below(32);
        ops.push(`%v${v}`);
        break;
      }
      case 'c':
      case 'a':
        ops.push(`%${kind}${rng.below(16)}`);
        break;
      case 'u':
        ops.push(immediate(rng, entry, name, false));
        break;
      case 's':
        ops.push(immediate(rng, entry, name, true));
        break;
      case 'm':
      case 'm?':
        ops.push(String(mask(ctx, name)));
        break;
      case 'rel':
        if (REL_DATA.has(mn)) ops.push(`membuf+${8 * rng.below(MEM_SIZE / 8)}`);
        else if (mn === 'larl') ops.push(rng.chance(0.5) ? 'rdata' : 'membuf');
        else ops.push('9f');
        break;
      case 'dxb':
        if (REGISTER_BRANCH.has(mn)) {
          pre.push(`larl %r${TARGET_REG},9f`);
          ops.push(`0(%r${TARGET_REG})`);
        } else ops.push(storage(ctx, 16, true));
        break;
      case 'db':
        if (REGISTER_BRANCH.has(mn)) {
          pre.push(`larl %r${TARGET_REG},9f`);
          ops.push(`0(%r${TARGET_REG})`);
        } else if (NOT_ADDRESS.has(mn)) ops.push(`${rng.below(4096)}(%r${rng.chance(0.5) ? 0 : gpr(ctx)})`);
        else if (RANGES.has(mn)) ops.push(`${rng.below(MEM_SIZE - 8 * 16 + 1)}(%r11)`);
        else ops.push(storage(ctx, 16, false));
        break;
      case 'dlb': {
        const len = 1 + rng.below(MEM_SIZE / 2);
        ops.push(`${rng.below(MEM_SIZE - len + 1)}(${len},%r11)`);
        break;
      }
      case 'dvb':
        ops.push(storage(ctx, 16, false).replace('(%r11)', `(%v${rng.below(32)},%r11)`));
        break;
      default:
        throw new Error(`generator: operand kind ${kind} of ${mn} is not supported`);
    }
  }
  // Rotate-and-select: I3/I4 are a bit number 0–63 plus a flag in bit 0 (reserved bit 1 zero), I5 a rotation.
  if (entry.format === 'RIE-f') {
    // qemu-s390x 7.2's TCG aborts ("tcg fatal error") on the test-only (T) forms of RNSBG/ROSBG/RXSBG.
    const testOnly = mn.startsWith('risbg') && rng.chance(0.3);
    ops[2] = String((testOnly ? 0x80 : 0) | rng.below(64));
    ops[3] = String((rng.chance(0.3) ? 0x80 : 0) | rng.below(64));
    ops[4] = String(rng.below(64));
  }
  // SS instructions: the second operand gets its own length-safe displacement.
  if (entry.format === 'SS-a' && ops.length === 2) {
    const len = Number(/\((\d+),/.exec(ops[0]!)![1]);
    ops[1] = `${rng.below(MEM_SIZE - len + 1)}(%r11)`;
  }
  // Gather/scatter: element M3 of V2 holds a small offset into the buffer (mostly a valid index).
  const gather = /^v(ge|sce)([fg])$/.exec(mn);
  if (gather) {
    const bytes = gather[2] === 'f' ? 4 : 8;
    if (rng.chance(0.85)) ops[2] = String(rng.below(16 / bytes));
    const v2 = rng.below(32);
    const index = Number(ops[2]);
    if (index < 16 / bytes) pre.push(`vlei${gather[2]} %v${v2},${rng.below(MEM_SIZE - bytes + 1)},${index}`);
    ops[1] = `0(%v${v2},%r11)`;
  }
  // Shift-double counts: VSLDB takes 0–15 bytes, VSLD/VSRD 0–7 bits (larger ones are reserved).
  if ((mn === 'vsldb' || mn === 'vsld' || mn === 'vsrd') && rng.chance(0.85)) ops[3] = String(rng.below(mn === 'vsldb' ? 16 : 8));
  // String searches: V3 mostly a nearby slice of the same buffer as V2, so equal elements,
  // substrings and partial matches at the end occur; VSTRS's substring length in byte 7 of V4.
  if (STRING_SEARCH.has(mn) && rng.chance(0.6) && ops[1] !== ops[2]) {
    const off = rng.below(MEM_SIZE - 32);
    pre.push(`vl ${ops[1]},${off}(%r11)`, `vl ${ops[2]},${off + rng.below(17)}(%r11)`);
    if (mn === 'vstrs' && ops[3] !== ops[1] && ops[3] !== ops[2]) pre.push(`vleib ${ops[3]},${rng.below(20)},7`);
  }
  // VREP's element index must be below the element count of its size.
  if (mn === 'vrep' && Number(ops[3]) <= 3 && rng.chance(0.85)) ops[2] = String(rng.below(16 >> Number(ops[3])));
  // Divides: a small high part of the dividend mostly keeps the quotient in range.
  if ((mn === 'dr' || mn === 'd' || mn === 'dlr' || mn === 'dl' || mn === 'dlgr' || mn === 'dlg') && rng.chance(0.7)) {
    pre.push(`lghi ${ops[0]},${rng.below(8)}`);
  }
  // A valid FPC value for SFPC/LFPC (reserved bits 0x03030088 clear, BFP rounding mode not 4–6).
  if (mn === 'sfpc' || mn === 'lfpc') {
    const value = (rng.u32() & ~0x03030088 & ~7) | rng.pick([0, 1, 2, 3, 7]);
    if (mn === 'sfpc') pre.push(`iilf ${ops[0]},${value >>> 0}`);
    else {
      const tmp = gpr(ctx);
      pre.push(`iilf %r${tmp},${value >>> 0}`, `st %r${tmp},${ops[0]}`);
    }
  }
  if (mn === 'bcr' || mn === 'basr' || mn === 'balr' || mn === 'bctr' || mn === 'bctgr') {
    pre.push(`larl %r${TARGET_REG},9f`);
    ops[ops.length - 1] = `%r${TARGET_REG}`;
  }
  return [...ctx.pre, ...pre, ops.length === 0 ? mn : `${mn} ${ops.join(',')}`];
}

/** Templates for the instructions whose operands need set-up. */
function templated(ctx: Ctx, outOfLine: string[]): string[] {
  const { rng, entry } = ctx;
  const mn = entry.mnemonic;
  const pick2 = (): [number, number] => {
    const a = gpr(ctx);
    ctx.avoid.add(a);
    const b = gpr(ctx);
    ctx.avoid.delete(a);
    return [a, b];
  };
  switch (mn) {
    case 'mvst':
    case 'clst':
    case 'srst': {
      ctx.avoid.add(0);
      const [r1, r2] = pick2();
      const term = rng.below(256);
      // MVST copies forward: destination in the first half, source (with a terminator) in the second.
      const d1 = rng.below(MEM_SIZE / 4);
      const d2 = mn === 'mvst' ? MEM_SIZE / 2 + rng.below(MEM_SIZE / 4) : rng.below(MEM_SIZE / 2);
      const lines = [`lghi %r0,${term}`, `la %r${r1},${d1}(%r11)`, `la %r${r2},${d2}(%r11)`];
      if (mn === 'mvst') lines.push(`mvi ${d2 + rng.below(MEM_SIZE / 4)}(%r11),${term}`);
      if (mn === 'clst') lines.push(`mvi ${d2 + rng.below(MEM_SIZE / 2 - 1)}(%r11),${term}`, `mvi ${d1 + rng.below(MEM_SIZE / 2 - 1)}(%r11),${term}`);
      if (mn === 'srst') lines[1] = `la %r${r1},${d2 + rng.below(MEM_SIZE / 2)}(%r11)`;
      return [...lines, `0: ${mn} %r${r1},%r${r2}`, 'jo 0b'];
    }
    case 'mvcle':
    case 'clcle': {
      const r1 = rng.pick([2, 4, 6, 8]);
      const r3 = rng.pick([2, 4, 6, 8].filter((r) => r !== r1));
      // Operands in different halves of the buffer: MVCLE's result is unpredictable for
      // destructive overlap.
      const half = MEM_SIZE / 2;
      const l1 = rng.below(half + 1);
      const l2 = rng.below(half + 1);
      const firstLow = rng.chance(0.5);
      const d1 = (firstLow ? 0 : half) + rng.below(half - l1 + 1);
      const d2 = (firstLow ? half : 0) + rng.below(half - l2 + 1);
      return [`la %r${r1},${d1}(%r11)`, `lghi %r${r1 + 1},${l1}`, `la %r${r3},${d2}(%r11)`, `lghi %r${r3 + 1},${l2}`, `0: ${mn} %r${r1},%r${r3},${rng.below(4096)}`, 'jo 0b'];
    }
    case 'mvcl':
    case 'clcl': {
      const r1 = rng.pick([2, 4, 6, 8]);
      const r2 = rng.pick([2, 4, 6, 8].filter((r) => r !== r1));
      // Any two ranges of the buffer: MVCL's destructive overlap is defined (CC 3, nothing moved).
      const l1 = rng.below(MEM_SIZE / 2 + 1);
      const l2 = rng.below(MEM_SIZE / 2 + 1);
      const d1 = rng.below(MEM_SIZE - l1 + 1);
      const d2 = rng.below(MEM_SIZE - l2 + 1);
      // R2+1 bits 32–39 hold the padding byte; bits 32–39 of R1+1 are ignored.
      const word2 = (rng.below(256) * 0x1000000 + l2) >>> 0;
      const word1 = (rng.below(256) * 0x1000000 + l1) >>> 0;
      return [`la %r${r1},${d1}(%r11)`, `iilf %r${r1 + 1},${word1}`, `la %r${r2},${d2}(%r11)`, `iilf %r${r2 + 1},${word2}`, `${mn} %r${r1},%r${r2}`];
    }
    case 'tr':
    case 'trt': {
      const len = 1 + rng.below(MEM_SIZE / 2);
      const line = `${mn} ${rng.below(MEM_SIZE - len + 1)}(${len},%r11),0(%r11)`;
      // TR leaves the CC unchanged; qemu-s390x 7.2 instead sets it from stale state, so a
      // compare after TR gives both a defined CC (the translated bytes are still compared).
      return mn === 'tr' ? [line, 'cr %r0,%r0'] : [line];
    }
    case 'ex':
    case 'exrl': {
      // The target is an SS instruction with length 1 at offset 0; R1's low byte sets the length.
      const label = `extarget${ctx.caseIndex}`;
      const target = rng.pick(['mvc', 'clc', 'xc', 'oc', 'nc', 'tr']);
      outOfLine.push(`${label}:`, `${target} 0(1,%r11),0(%r11)`);
      const r1 = rng.chance(0.2) ? 0 : gpr(ctx);
      const d = rng.below(MEM_SIZE / 2);
      if (target === 'mvc' || target === 'clc' || target === 'xc' || target === 'oc' || target === 'nc') outOfLine[outOfLine.length - 1] = `${target} 0(1,%r11),${d}(%r11)`;
      if (target === 'tr') outOfLine[outOfLine.length - 1] = `tr ${d}(1,%r11),0(%r11)`;
      // Keep op + length inside the buffer: the length byte comes from R1 (≤ 127 here).
      const lines = r1 === 0 ? [] : [`nill %r${r1},127`];
      const after = target === 'tr' ? ['cr %r0,%r0'] : [];
      if (mn === 'exrl') return [...lines, `exrl %r${r1},${label}`, ...after];
      return [...lines, `larl %r${TARGET_REG},${label}`, `ex %r${r1},0(%r${TARGET_REG})`, ...after];
    }
    case 'bic': {
      // The branch address is a doubleword in storage: label 9's address, stored just before.
      const off = 8 * rng.below(MEM_SIZE / 8);
      return [`larl %r${TARGET_REG},9f`, `stg %r${TARGET_REG},${off}(%r11)`, `${mn} ${mask(ctx, 'M1')},${off}(%r11)`];
    }
    case 'mvcrl': {
      // GR0 bits 56–63 are the length − 1; both operands inside the buffer, overlapping or not.
      // qemu-s390x 7.2 takes all of GR0 as the length (it aborts on a large one), so the other
      // bits stay zero here; test/general-semantics.test.ts checks that they are ignored.
      const len = 1 + rng.below(MEM_SIZE / 2);
      return [`lghi %r0,${len - 1}`, `${mn} ${rng.below(MEM_SIZE - len + 1)}(%r11),${rng.below(MEM_SIZE - len + 1)}(%r11)`];
    }
    default:
      throw new Error(`generator: no template for ${mn}`);
  }
}

/** One instruction of `entry` with its set-up lines. */
export function instructionLines(rng: Rng, entry: InstructionDef, caseIndex: number, outOfLine: string[]): string[] {
  const ctx: Ctx = { rng, entry, pre: [], avoid: new Set(REGISTER_BRANCH.has(entry.mnemonic) || entry.mnemonic === 'ex' ? [TARGET_REG] : []), caseIndex };
  return TEMPLATED.has(entry.mnemonic) ? templated(ctx, outOfLine) : generic(ctx);
}

/**
 * `count` cases: case i starts with instruction `covered[i % n]` (so every instruction gets the
 * same share), followed by up to two more random instructions.
 */
export function generateCases(rng: Rng, count: number, covered: readonly InstructionDef[]): SequenceCase[] {
  const cases: SequenceCase[] = [];
  for (let i = 0; i < count; i++) {
    const outOfLine: string[] = [];
    const body: string[] = [];
    const extra = rng.below(3);
    for (let k = 0; k <= extra; k++) {
      const entry = k === 0 ? covered[i % covered.length]! : rng.pick(covered);
      body.push(...instructionLines(rng, entry, i * 4 + k, outOfLine));
    }
    cases.push({ init: randomInit(rng), body, title: body.join('; '), outOfLine });
  }
  return cases;
}
