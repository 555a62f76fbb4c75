/**
 * `pvdump exec`: Linux programs against qemu-s390x (same output and exit status), the fixture
 * guest bare-metal against QEMU's own register dump, --trace, and the exit-code contract.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fixturePath, requireTool, run, tempPath } from '@pvdump/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileProgram, corpusFile } from '@pvdump/test-support/corpus';
import { pvdump } from './cli.ts';

const built: Record<string, string> = {};

beforeAll(async () => {
  requireTool('qemu-s390x');
  for (const name of ['args', 'strings', 'crc32']) {
    const out = tempPath(name);
    await compileProgram([corpusFile(`programs/${name}.c`)], '-O2', out);
    built[name] = out;
  }
}, 300_000);

function qemu(path: string, args: string[]): { stdout: string; status: number } {
  const r = spawnSync('qemu-s390x', [path, ...args], { encoding: 'latin1' });
  return { stdout: r.stdout, status: r.status ?? -1 };
}

/** QEMU's `info registers -a` for the fixture guest's CPU 0. */
function qemuCpu0(): { psw: string[]; gprs: string[]; vrs: string[]; crs: string[] } {
  const text = readFileSync(fixturePath('qemu-7.2-crash/qemu-info-registers.txt'), 'utf8');
  const b = text.split(/^CPU#\d+$/m)[1]!;
  const all = (re: RegExp): string[] => [...b.matchAll(re)].map((m) => '0x' + m[1]!);
  const psw = /PSW=mask ([0-9a-f]+) addr ([0-9a-f]+)/.exec(b)!;
  return { psw: ['0x' + psw[1]!, '0x' + psw[2]!], gprs: all(/R\d\d=([0-9a-f]{16})/g), vrs: all(/V\d\d=([0-9a-f]{32})/g), crs: all(/C\d\d=([0-9a-f]{16})/g) };
}

describe('pvdump exec PROGRAM', () => {
  it('prints what qemu-s390x prints and exits with the same status, arguments passed through', () => {
    for (const [name, args] of [
      ['args', ['5', '-3', 'x y', '--not-an-option']],
      ['args', ['--help', '-h']],
      ['strings', []],
      ['crc32', []],
    ] as const) {
      const ref = qemu(built[name]!, [...args]);
      const ours = pvdump(['exec', built[name]!, ...args], {});
      expect(ours.stderr).toBe('');
      expect({ name, stdout: Buffer.from(ours.stdout).toString('latin1'), status: ours.status }).toEqual({ name, stdout: ref.stdout, status: ref.status });
    }
    expect(qemu(built.args!, ['1']).status).not.toBe(0);
  });

  it('passes standard input to the program (read from fd 0)', () => {
    requireTool('s390x-linux-gnu-gcc');
    const src = tempPath('cat.S');
    const out = tempPath('cat');
    writeFileSync(src, '.globl _start\n_start:\n0: lghi %r2,0\n larl %r3,buf\n lghi %r4,64\n svc 3\n ltgr %r4,%r2\n je 1f\n lghi %r2,1\n larl %r3,buf\n svc 4\n j 0b\n1: lghi %r2,0\n svc 1\n .data\nbuf: .space 64\n');
    run('s390x-linux-gnu-gcc', ['-nostdlib', '-static', '-o', out, src]);
    const input = 'line one\nline two, a little longer than the sixty-four byte buffer of this cat program\n';
    const r = pvdump(['exec', out], { input });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it('--trace prints every instruction with its address on stderr, program output unchanged', () => {
    const r = pvdump(['exec', '--trace', built.crc32!]);
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1000);
    const entry = /Entry point address:\s+0x([0-9a-f]+)/.exec(run('readelf', ['-h', built.crc32!]))![1]!;
    expect(lines[0]).toBe(`${entry.padStart(8, '0')}: lgr %r1,%r15`);
    for (const l of lines.slice(0, 200)) expect(l).toMatch(/^[0-9a-f]{8}: [a-z]/);
    expect(r.stdout).toBe(qemu(built.crc32!, []).stdout);
  });

  it('a program that executes an invalid instruction dies with SIGILL: status 132 and a message', () => {
    requireTool('s390x-linux-gnu-gcc');
    const src = tempPath('bad.S');
    const out = tempPath('bad');
    writeFileSync(src, '.globl _start\n_start:\n .long 0\n');
    run('s390x-linux-gnu-gcc', ['-nostdlib', '-static', '-o', out, src]);
    const r = pvdump(['exec', out]);
    expect(r.status).toBe(132);
    expect(r.stderr).toMatch(/uncaught signal 4 \(Illegal instruction\): program interruption code 0x0001 \(operation\) at 0x[0-9a-f]+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const q = spawnSync('qemu-s390x', [out]);
    expect(q.signal).toBe('SIGILL');
  });
});

describe('pvdump exec --bare-metal', () => {
  it('--json: the fixture guest ends in the state QEMU reported (info --json schema, one CPU)', () => {
    const r = pvdump(['exec', '--bare-metal', '--json', fixturePath('qemu-7.2-crash/guest.elf')]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.cpus).toHaveLength(1);
    const want = qemuCpu0();
    const cpu = j.cpus[0];
    expect([cpu.psw.mask, cpu.psw.addr]).toEqual(want.psw);
    expect(cpu.gprs).toEqual(want.gprs);
    expect(cpu.crs).toEqual(want.crs);
    expect(cpu.vrs).toEqual(want.vrs);
    expect(j.stop).toEqual({ kind: 'wait', instructions: expect.any(Number), disabled: true });
    // Same keys as `pvdump info --json` of QEMU's dump of this guest, and the same registers.
    const info = JSON.parse(pvdump(['info', '--json', fixturePath('qemu-7.2-crash/dump.elf.gz')]).stdout);
    for (const k of Object.keys(info)) expect(j).toHaveProperty(k);
    for (const k of Object.keys(info.cpus[0])) expect(cpu).toHaveProperty(k);
    for (const k of ['psw', 'gprs', 'crs', 'vrs', 'fprs', 'fpc', 'prefix']) expect({ k, v: cpu[k] }).toEqual({ k, v: info.cpus[0][k] });
  });

  it('text output names the stop reason and shows the PSW', () => {
    const r = pvdump(['exec', '--bare-metal', fixturePath('qemu-7.2-crash/guest.elf')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/stopped: disabled wait PSW after \d+ instructions/);
    expect(r.stdout).toContain('PSW=mask 0002000180000000 addr 000000000000dead');
  });

  it('--trace lists the guest instructions up to the faulting one', () => {
    const r = pvdump(['exec', '--bare-metal', '--trace', fixturePath('qemu-7.2-crash/guest.elf')]);
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('00000200: larl %r1,268');
    expect(lines.at(-1)).toBe('0000022a: ld %f15,8(%r1)');
  });

  it('--budget stops early', () => {
    const r = pvdump(['exec', '--bare-metal', '--json', '--budget', '3', fixturePath('qemu-7.2-crash/guest.elf')]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).stop).toEqual({ kind: 'budget', instructions: 3 });
  });
});

describe('pvdump exec: usage and input errors', () => {
  it('exit 2 for bad usage, 1 for bad input, without a stack trace', () => {
    expect(pvdump(['exec']).status).toBe(2);
    expect(pvdump(['exec', '--frobnicate', 'x']).status).toBe(2);
    expect(pvdump(['exec', '--json', 'x']).status).toBe(2);
    expect(pvdump(['exec', '--budget', 'zero', 'x']).status).toBe(2);
    const small = pvdump(['exec', '--memory', '16', built.crc32!]);
    expect(small.status).toBe(1);
    expect(small.stderr).toMatch(/does not fit in 0x1000000 bytes of guest memory/);
    const missing = pvdump(['exec', tempPath('missing')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
    const notElf = tempPath('not-elf');
    writeFileSync(notElf, 'hello, this is not an ELF file at all, but long enough for a header........');
    const r = pvdump(['exec', notElf]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not an ELF file/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
