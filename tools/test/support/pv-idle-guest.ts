// The idle test guest for Secure Execution images, assembled with binutils.
import { writeFileSync } from 'node:fs';
import { requireTool, run, tempPath } from '@pvdump/test-support';

/**
 * The idle guest's behaviour (r2..r4 = 0x222, 0x333, 0x444, then an enabled wait) for a Secure
 * Execution image: linked at 0x10000, it sets its program-new PSW itself, since a kernel image's
 * first 64 KiB are never loaded.
 */
export function pvIdleGuest(): string {
  requireTool('s390x-linux-gnu-as');
  const src = tempPath('pv-idle.S');
  const obj = tempPath('pv-idle.o');
  const elf = tempPath('pv-idle.elf');
  writeFileSync(
    src,
    [
      '    .text',
      '    .globl _start',
      '_start:',
      '    larl  %r1, program_new_psw',
      '    mvc   0x1d0(16,%r0), 0(%r1)',
      '    lghi  %r2, 0x222',
      '    lghi  %r3, 0x333',
      '    lghi  %r4, 0x444',
      '    larl  %r1, idle_psw',
      '    lpswe 0(%r1)',
      '    .align 8',
      'program_new_psw: .quad 0x0002000180000000, 0x000000000000dead',
      'idle_psw: .quad 0x0102000180000000, 0x0000000000000600',
      '',
    ].join('\n'),
  );
  run('s390x-linux-gnu-as', ['-m64', '-o', obj, src]);
  run('s390x-linux-gnu-ld', ['-static', '-nostdlib', '--build-id=none', '-Ttext=0x10000', '-e', '_start', '-o', elf, obj]);
  return elf;
}
