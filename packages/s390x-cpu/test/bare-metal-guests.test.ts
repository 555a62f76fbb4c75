// Self-checking bare-metal guests in the style of QEMU's tests/tcg/s390x system tests (spec §9):
// linked at 0, program-new PSW at 0x1D0, code from 0x200; success ends in a disabled wait at
// address 0xFFF, failure at address 0. Each is built with s390x-linux-gnu-gcc and run with
// runBareMetal, exactly as `qemu-system-s390x -kernel` would start it.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { runBareMetal } from '../src/baremetal/index.ts';

const LINKER_SCRIPT = 'ENTRY(_start)\nSECTIONS { . = 0; .text : { *(.head) *(.text) } }\n';

/** Builds a guest from assembly; lowcore labels and success/failure PSWs are provided. */
function buildGuest(name: string, body: string): string {
  requireTool('s390x-linux-gnu-gcc');
  const src = tempPath(`${name}.S`);
  const ld = tempPath(`${name}.ld`);
  const elf = tempPath(`${name}.elf`);
  const prologue = `
    .section .head, "ax"
    .org 0x8c
pgm_ilc: .short 0
pgm_code: .short 0
dxc: .long 0
    .org 0x110
bear: .quad 0
    .org 0x140
svc_old_psw:
    .org 0x150
pgm_old_psw:
    .org 0x1b0
    .quad 0x0000000180000000, ext_handler
    .org 0x1c0
    .quad 0x0000000180000000, svc_handler
    .org 0x1d0
    .quad 0x0000000180000000, pgm_handler
    .org 0x200
    .globl _start
`;
  const epilogue = `
success:
    lpswe success_psw
failure:
    lpswe failure_psw
    .align 8
success_psw: .quad 0x0002000180000000, 0xfff
failure_psw: .quad 0x0002000180000000, 0
`;
  writeFileSync(src, prologue + body + epilogue);
  writeFileSync(ld, LINKER_SCRIPT);
  run('s390x-linux-gnu-gcc', ['-march=z13', '-nostdlib', '-static', '-Wl,--build-id=none', `-Wl,-T,${ld}`, '-o', elf, src]);
  return elf;
}

function expectSuccess(name: string, body: string): void {
  const { stop } = runBareMetal(buildGuest(name, body), { memorySize: 1 << 20, budget: 100_000 });
  expect(stop.kind).toBe('wait');
  if (stop.kind === 'wait') expect(stop.psw).toEqual({ mask: 0x0002000180000000n, addr: 0xfffn });
}

describe('bare-metal conformance guests', () => {
  it('LPSWE of a PSW with bit 0 set: early exception, ILC 0, old PSW is the bad PSW', () => {
    expectSuccess(
      'lpswe-early',
      `
_start:
    lpswe bad_psw
    j failure
pgm_handler:
    chhsi pgm_code, 6
    jne failure
    chhsi pgm_ilc, 0
    jne failure
    clc pgm_old_psw(16), bad_psw
    jne failure
    j success
svc_handler:
ext_handler:
    j failure
    .align 8
bad_psw: .quad 0x8000000000000000, 0xfedcba9876543210
`,
    );
  });

  it('LPSW loads a short PSW: problem state, 64-bit; SVC old PSW shows it', () => {
    expectSuccess(
      'lpsw',
      `
_start:
    lpsw short_psw
target:
    svc 0
after_svc:
    j failure
svc_handler:
    clc svc_old_psw(16), expected
    jne failure
    j success
pgm_handler:
ext_handler:
    j failure
    .align 8
short_psw: .long 0x00090001, 0x80000000 + target
expected: .quad 0x0001000180000000, after_svc
`,
    );
  });

  it('EXRL of SSM that sets a reserved bit: early exception with the EXRL length', () => {
    expectSuccess(
      'exrl-ssm-early',
      `
_start:
    exrl %r0, ssm_insn
after_exrl:
    j failure
ssm_insn:
    ssm bad_mask
pgm_handler:
    chhsi pgm_code, 6
    jne failure
    chhsi pgm_ilc, 6
    jne failure
    clc pgm_old_psw(16), expected
    jne failure
    j success
svc_handler:
ext_handler:
    j failure
bad_mask: .byte 0x08
    .align 8
expected: .quad 0x0800000180000000, after_exrl
`,
    );
  });

  it('branch to an odd address: specification exception at that address, BEAR at the branch', () => {
    expectSuccess(
      'br-odd',
      `
_start:
    lgrl %r1, odd
branch:
    br %r1
    j failure
pgm_handler:
    chhsi pgm_code, 6
    jne failure
    lg %r2, pgm_old_psw+8
    llgh %r3, pgm_ilc
    sgr %r2, %r3
    cg %r2, odd
    jne failure
    larl %r4, branch
    cg %r4, bear
    jne failure
    j success
svc_handler:
ext_handler:
    j failure
    .align 8
odd: .quad 0xdddddddddddddddd
`,
    );
  });

  it('clock comparator in an enabled wait: external interruption 0x1004', () => {
    expectSuccess(
      'sckc',
      `
_start:
    stck now
    lg %r1, now
    aghi %r1, 0x1000
    stg %r1, now
    sckc now
    lctlg %c0, %c0, cr0
    lpswe wait_psw
    j failure
ext_handler:
    chhsi 0x86, 0x1004
    jne failure
    j success
pgm_handler:
svc_handler:
    j failure
    .align 8
now: .quad 0
cr0: .quad 0x00000000000008e0
wait_psw: .quad 0x0102000180000000, 0x4000
`,
    );
  });

  it('MONITOR CALL: no-op for a disabled class, monitor event with class and code, specification for a bad class', () => {
    expectSuccess(
      'mc',
      `
_start:
    lctlg %c8, %c8, cr8
    mc 0x123, 0
    mc 0x321(%r0), 1
after_event:
    j failure
bad:
    mc 0x333, 16
after_bad:
    j failure
pgm_handler:
    lg %r2, pgm_old_psw+8
    larl %r3, after_event
    cgrje %r2, %r3, check_event
    larl %r3, after_bad
    cgrje %r2, %r3, check_spec
    j failure
check_event:
    chhsi pgm_code, 0x40
    jne failure
    chhsi 0x94, 1
    jne failure
    cghsi 0xb0, 0x321
    jne failure
    j bad
check_spec:
    chhsi pgm_code, 6
    jne failure
    j success
svc_handler:
ext_handler:
    j failure
    .align 8
cr8: .quad 0x4000
`,
    );
  });

  it('a data exception for a vector instruction stores DXC 0xFE', () => {
    expectSuccess(
      'vector-disabled',
      `
_start:
    vzero %v0
    j failure
pgm_handler:
    chhsi pgm_code, 7
    jne failure
    clfhsi dxc, 0xfe
    jne failure
    lctlg %c0, %c0, cr0
    vzero %v0
    vlvgg %v0, %r0, 0
    j success
svc_handler:
ext_handler:
    j failure
    .align 8
cr0: .quad 0x00000000000600e0
`,
    );
  });
});
