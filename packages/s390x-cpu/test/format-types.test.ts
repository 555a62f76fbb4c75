// Misreading an operand field does not compile: reading R2 where the format has R3, a bytes-4–5
// field from bytes 0–3, M1 through the R1 accessor of a format without R1, R1 of RRE where RRD has
// R3, or the raw bits of a word are type errors, and their correct forms are not. Checked with the
// TypeScript compiler on the real `fields.ts` (a table line's semantics get exactly these words:
// `Semantics<F>` in types.ts). And the formats the compiler lets each accessor read are the ones
// the run-time tests check it in (`formatsWith`).
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import * as fields from '../src/isa/fields.ts';
import { FIELD_ACCESSORS, formatsWith } from '../src/isa/fields.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const probe = `${here}format-types.probe.ts`;

/** Each line reads the words of one format; `bad` ones must be rejected, the others accepted. */
const LINES: { code: string; bad: boolean }[] = [
  { code: 'fR2(rsy);', bad: true },
  { code: 'fR3(rsy);', bad: false },
  { code: 'fM3InB(rxe);', bad: true },
  { code: 'fM3InB(rxeB);', bad: false },
  { code: 'fR1(ric);', bad: true },
  { code: 'fM1(ric);', bad: false },
  { code: 'fRreR1(rrd);', bad: true },
  { code: 'fRrdR3(rrd);', bad: false },
  { code: 'void ((rr >>> 20) & 15);', bad: true },
  { code: 'fR1(rr);', bad: false },
];

/** Every exported accessor by name. */
const ACCESSOR_NAMES = Object.entries(fields)
  .filter(([name, value]) => /^f[A-Z]/.test(name) && typeof value === 'function')
  .map(([name]) => name);

const SOURCE = [
  "import * as fields from '../src/isa/fields.ts';",
  "import { fM1, fM3InB, fR1, fR2, fR3, fRrdR3, fRreR1, type FormatsOf, type InsnA, type InsnB } from '../src/isa/fields.ts';",
  "declare const rsy: InsnA<'RSY-a'>, rxe: InsnA<'RXE'>, rxeB: InsnB<'RXE'>, ric: InsnA<'RI-c'>, rrd: InsnA<'RRD'>, rr: InsnA<'RR'>;",
  ...LINES.map((l) => l.code),
  ...ACCESSOR_NAMES.map((name) => `export type Formats_${name} = FormatsOf<typeof fields.${name}>;`),
].join('\n');
const FIRST_LINE = 3;

describe('operand fields by type', () => {
  let program: ts.Program;
  beforeAll(() => {
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
    program = ts.createProgram([probe], options, host);
  }, 60_000);

  it('rejects exactly the reads that misread a field', () => {
    const rejected = new Set<number>();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      if (d.file?.fileName !== probe || d.start === undefined) continue;
      rejected.add(d.file.getLineAndCharacterOfPosition(d.start).line - FIRST_LINE);
    }
    const expected = LINES.flatMap((l, i) => (l.bad ? [i] : []));
    expect([...rejected].sort((x, y) => x - y)).toEqual(expected);
  });

  it('lets each accessor read the words of exactly the formats the run-time tests check it in', () => {
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(probe)!;
    const typed = new Map<string, string[]>();
    for (const statement of file.statements) {
      if (!ts.isTypeAliasDeclaration(statement)) continue;
      const type = checker.getTypeAtLocation(statement.name);
      const members = type.isUnion() ? type.types : [type];
      typed.set(statement.name.text.replace(/^Formats_/, ''), members.map((t) => (t.isStringLiteral() ? t.value : checker.typeToString(t))).sort());
    }
    expect(typed.size).toBe(ACCESSOR_NAMES.length);
    for (const name of ACCESSOR_NAMES) {
      const accessor = FIELD_ACCESSORS.find((x) => x.exported === (fields as Record<string, unknown>)[name]);
      expect(accessor, name).toBeDefined();
      const atRunTime = formatsWith(accessor!.fields, accessor!.pos, accessor!.width, accessor!.kind).sort();
      expect({ name, formats: typed.get(name) }).toEqual({ name, formats: atRunTime });
    }
  });
});
