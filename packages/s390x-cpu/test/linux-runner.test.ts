// The Linux runner's kernel side, with small assembly programs also run under qemu-s390x where
// the behaviour is Linux's: initial stack (argc, argv, envp, auxv), brk, writev, an unknown system
// call (-ENOSYS), a signal handler that returns with rt_sigreturn, uncaught signals, the budget.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { LinuxProcess, LinuxRunError, runLinuxProgram, type LinuxRunResult } from '../src/linux/index.ts';

/** Builds a static executable from assembly (with a `write(1, r3, r4)` helper at `out`). */
function build(body: string, data = ''): string {
  requireTool('s390x-linux-gnu-gcc');
  const src = tempPath('prog.S');
  const exe = tempPath('prog');
  writeFileSync(
    src,
    `    .text
    .globl _start
_start:
${body}
    lghi %r2,0
    svc 1
# out: write(1, r3, r4), keeps r14
out:
    lghi %r2,1
    svc 4
    br %r14
    .data
    .balign 8
${data}
    .section .note.GNU-stack,"",@progbits
`,
  );
  run('s390x-linux-gnu-gcc', ['-nostdlib', '-static', '-march=z13', '-o', exe, src]);
  return exe;
}

function ours(exe: string, args: string[] = [], env: string[] = []): { out: Buffer; result: LinuxRunResult } {
  const chunks: Uint8Array[] = [];
  const result = runLinuxProgram(exe, { args, env, stdout: (d) => chunks.push(d) });
  return { out: Buffer.concat(chunks), result };
}

function qemu(exe: string, args: string[] = []): { out: Buffer; status: number | null; signal: NodeJS.Signals | null } {
  requireTool('qemu-s390x');
  const r = spawnSync('qemu-s390x', [exe, ...args], { env: {} });
  return { out: r.stdout, status: r.status, signal: r.signal };
}

describe('Linux runner', () => {
  it('builds the stack like Linux: argc, argv strings, NULL, envp, NULL, auxv with AT_PAGESZ', () => {
    // Prints argv[1], then walks past envp to the auxv and prints AT_PAGESZ's value as 8 bytes.
    const exe = build(`
    lgr %r10,%r15
    lg %r3,16(%r10)          # argv[1]
    lgr %r4,%r3
0:  cli 0(%r4),0
    je 1f
    la %r4,1(%r4)
    j 0b
1:  sgr %r4,%r3
    brasl %r14,out
    lg %r1,0(%r10)           # argc
    sllg %r1,%r1,3
    la %r1,16(%r1,%r10)      # envp
2:  lg %r0,0(%r1)
    la %r1,8(%r1)
    ltgr %r0,%r0
    jne 2b
3:  lg %r0,0(%r1)            # auxv pairs
    cghi %r0,6
    je 4f
    la %r1,16(%r1)
    j 3b
4:  la %r3,8(%r1)
    lghi %r4,8
    brasl %r14,out`);
    const mine = ours(exe, ['hello-argv'], ['A=1', 'B=2']);
    const ref = qemu(exe, ['hello-argv']);
    expect(mine.result.status).toBe(0);
    expect(mine.out.subarray(0, 10).toString()).toBe('hello-argv');
    expect(mine.out.readBigUInt64BE(10)).toBe(4096n);
    expect(mine.out).toEqual(ref.out);
  });

  it('brk: query, grow, use the new memory, and refuse an absurd break', () => {
    const exe = build(
      `
    lghi %r2,0
    svc 45
    lgr %r9,%r2              # initial break
    la %r2,0(%r9)
    aghi %r2,8192
    svc 45                   # grow by 8 KiB
    lgr %r8,%r2
    sgr %r8,%r9              # 8192 when it worked
    mviy 8191(%r9),0x5a      # the new memory is usable
    llihf %r2,0x7fff0000
    svc 45                   # refused: returns the current break
    sgr %r2,%r9
    larl %r3,buf
    stg %r8,0(%r3)
    stg %r2,8(%r3)
    lghi %r4,16
    brasl %r14,out`,
      'buf: .quad 0, 0',
    );
    const mine = ours(exe);
    expect(mine.result.status).toBe(0);
    expect([mine.out.readBigUInt64BE(0), mine.out.readBigUInt64BE(8)]).toEqual([8192n, 8192n]);
    expect(mine.out).toEqual(qemu(exe).out);
  });

  it('writev gathers its buffers; an unknown system call returns -ENOSYS', () => {
    const exe = build(
      `
    lghi %r2,1
    larl %r3,iov
    lghi %r4,2
    svc 146
    lghi %r2,0
    svc 250                  # not a system call the runner knows (qemu: ENOSYS for unknown ones)
    larl %r3,buf
    stg %r2,0(%r3)
    lghi %r4,8
    brasl %r14,out`,
      'a: .ascii "gather "\nb: .ascii "me\\n"\n .balign 8\niov: .quad a, 7, b, 3\nbuf: .quad 0',
    );
    const mine = ours(exe);
    expect(mine.out.subarray(0, 10).toString()).toBe('gather me\n');
    expect(mine.out.readBigInt64BE(10)).toBe(-38n);
  });

  it('a SIGILL handler runs and returns through rt_sigreturn to the instruction after the fault', () => {
    const exe = build(
      `
    lghi %r2,4
    larl %r3,act
    lghi %r4,0
    lghi %r5,8
    svc 174                  # rt_sigaction(SIGILL)
    .short 0                 # operation exception (a 2-byte instruction)
    larl %r3,after
    lghi %r4,6
    brasl %r14,out`,
      'act: .quad handler, 0x04000004, restorer, 0\nafter: .ascii "after\\n"\nmsg: .ascii "caught\\n"\n .text\nhandler:\n stmg %r14,%r15,112(%r15)\n larl %r3,msg\n lghi %r4,7\n lghi %r2,1\n svc 4\n lmg %r14,%r15,112(%r15)\n br %r14\nrestorer:\n svc 173\n .data',
    );
    const mine = ours(exe);
    expect(mine.result.status).toBe(0);
    expect(mine.out.toString()).toBe('caught\nafter\n');
    expect(mine.out).toEqual(qemu(exe).out);
  });

  it('an uncaught fault ends the process with 128 + signal and names the instruction', () => {
    const exe = build(`
    lghi %r2,7
    lghi %r3,0
    lghi %r4,0
    lghi %r5,1
    dsgr %r4,%r3             # divide by zero: SIGFPE`);
    const mine = ours(exe);
    expect(mine.result.status).toBe(136);
    expect(mine.result.signal).toBe(8);
    expect(mine.result.message).toMatch(/program interruption code 0x0009 \(fixed-point divide\) at 0x[0-9a-f]+ \(dsgr %r4,%r3\)/);
    expect(qemu(exe).signal).toBe('SIGFPE');
  });

  it('stops with LinuxRunError when the instruction budget runs out', () => {
    const exe = build('0:  j 0b');
    const p = new LinuxProcess(exe, { stdout: () => undefined });
    expect(() => p.run(1000)).toThrow(LinuxRunError);
    expect(() => new LinuxProcess(exe).run(10)).toThrow(/budget exhausted/);
  });

  it('read(0) delivers standard input until end of file', () => {
    // cat: read up to 5 bytes at a time and write them back until read returns 0.
    const exe = build(
      `
0:  lghi %r2,0
    larl %r3,buf
    lghi %r4,5
    svc 3
    ltgr %r4,%r2
    je 1f
    larl %r3,buf
    brasl %r14,out
    j 0b
1:`,
      'buf: .space 8',
    );
    const input = Buffer.from('standard input, read in pieces\n');
    let at = 0;
    const chunks: Uint8Array[] = [];
    const r = runLinuxProgram(exe, {
      stdout: (d) => chunks.push(d),
      stdin: (max) => {
        const part = input.subarray(at, at + max);
        at += part.length;
        return part;
      },
    });
    expect(r.status).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe(input.toString());
    const q = spawnSync('qemu-s390x', [exe], { input });
    expect(q.stdout.toString()).toBe(input.toString());
  });
});
