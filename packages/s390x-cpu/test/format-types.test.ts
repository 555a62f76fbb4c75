// Misreading an operand field does not compile: reading R2 where the format has R3, a bytes-4–5
// field from bytes 0–3, M1 through the R1 accessor of a format without R1, R1 of RRE where RRD has
// R3, or the raw bits of a word are type errors, and their correct forms are not. Checked with the
// TypeScript compiler on the real `fields.ts` (a table line's semantics get exactly these words:
// `Semantics<F>` in types.ts).
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const probe = `${here}format-types.probe.ts`;

/** Each line reads the words of one format; `bad` ones must be rejected, the others accepted. */
const LINES: { code: string; bad: boolean }[] = [
  { code: "fR2(rsy);", bad: true },
  { code: "fR3(rsy);", bad: false },
  { code: "fM3InB(rxe);", bad: true },
  { code: "fM3InB(rxeB);", bad: false },
  { code: "fR1(ric);", bad: true },
  { code: "fM1(ric);", bad: false },
  { code: "fRreR1(rrd);", bad: true },
  { code: "fRrdR3(rrd);", bad: false },
  { code: "void ((rr >>> 20) & 15);", bad: true },
  { code: "fR1(rr);", bad: false },
];

const SOURCE = [
  "import { fM1, fM3InB, fR1, fR2, fR3, fRrdR3, fRreR1, type InsnA, type InsnB } from '../src/isa/fields.ts';",
  "declare const rsy: InsnA<'RSY-a'>, rxe: InsnA<'RXE'>, rxeB: InsnB<'RXE'>, ric: InsnA<'RI-c'>, rrd: InsnA<'RRD'>, rr: InsnA<'RR'>;",
  ...LINES.map((l) => l.code),
].join('\n');
const FIRST_LINE = 2;

describe('operand fields by type', () => {
  it('rejects exactly the table lines that misread a field', () => {
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      customConditions: ['@pvdump/source'],
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => (name === probe ? SOURCE : readFile(name));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === probe || fileExists(name);
    const program = ts.createProgram([probe], options, host);
    const rejected = new Set<number>();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      if (d.file?.fileName !== probe || d.start === undefined) continue;
      rejected.add(d.file.getLineAndCharacterOfPosition(d.start).line - FIRST_LINE);
    }
    const expected = LINES.flatMap((l, i) => (l.bad ? [i] : []));
    expect([...rejected].sort((x, y) => x - y)).toEqual(expected);
  }, 60_000);
});
