// Test guests assembled with binutils and the host they run on: a deterministic host key, a CCK,
// and protected images built with the same code as `pvdump image`.
import { readFileSync, writeFileSync } from 'node:fs';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { ManualTodClock } from '@pvdump/s390x-cpu';
import { type CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { deterministicRandom, generateHostKeyPair, type HostKeyPair } from '@pvdump/ultravisor';
import { buildGenprotimgImage, kernelImageFromGuest, loadGuestElf } from '@pvdump/ultravisor/guest-owner';
import { HostKernel, type HostKernelOptions } from '../../src/index.ts';

export const CCK = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);

let cachedHostKey: HostKeyPair | undefined;
export function hostKey(): HostKeyPair {
  cachedHostKey ??= generateHostKeyPair(deterministicRandom('kvm-pv test host key'));
  return cachedHostKey;
}

/** Assembles `source` and links it at `origin` (default 0x10000) into a static ELF; returns its path. */
/** Assembly of a failure exit `failN`: a disabled wait whose address 0xbadN names the failed check. */
export const failStub = (n: number): string => `
fail${n}:
	larl	%r1, psw_fail${n}
	lpswe	0(%r1)
	.balign	8
psw_fail${n}:
	.quad	0x0002000180000000, 0xbad${n}`;

export function assemble(source: string, origin = 0x10000): string {
  requireTool('s390x-linux-gnu-as');
  requireTool('s390x-linux-gnu-ld');
  const src = tempPath('guest.S');
  const obj = tempPath('guest.o');
  const elf = tempPath('guest.elf');
  writeFileSync(src, source);
  run('s390x-linux-gnu-as', ['-m64', '-march=z13', '-o', obj, src]);
  run('s390x-linux-gnu-ld', ['-static', '-nostdlib', `-Ttext=0x${origin.toString(16)}`, '-e', '_start', '-o', elf, obj]);
  return elf;
}

/**
 * A Secure Execution image (genprotimg's layout, as `pvdump image GUEST` builds it) of the ELF at
 * `path` for this test host, dumping allowed unless told otherwise.
 */
export function protectedImage(path: string, allowDumping = true): Uint8Array {
  const { kernel, entry } = kernelImageFromGuest(loadGuestElf(new Uint8Array(readFileSync(path)), { withoutFileHeaders: true }));
  return buildGenprotimgImage({
    kernel,
    kernelPsw: { mask: 0x0000000180000000n, addr: entry },
    hostPublicKeys: [hostKey().publicKey],
    cck: CCK,
    allowDumping,
    random: deterministicRandom('kvm-pv test image'),
  });
}

/** A PV host with the test host key, a deterministic UV and TOD clock, recording each secure CPU's last state. */
export function testHost(options: Partial<HostKernelOptions> = {}): { kernel: HostKernel; secureStates: Map<number, CpuSnapshot> } {
  const secureStates = new Map<number, CpuSnapshot>();
  const kernel = new HostKernel({
    hostKeys: [hostKey()],
    random: deterministicRandom('kvm-pv test uv'),
    clock: () => new ManualTodClock(),
    secureStateProbe: (id, state) => secureStates.set(id, state),
    ...options,
  });
  return { kernel, secureStates };
}

/**
 * The SMP guest of the end-to-end tests. CPU 0 prints through the SCLP console (its SCCB in a
 * page it shares), fills `dataPages` pages at `base` with a pattern, starts every other CPU
 * with SIGP RESTART (one at a time, each restart PSW pointing at its own entry), waits for each
 * one's flag (at base + 0x60000), sets known registers and panics with a disabled wait at 0xbad.
 * CPU k fills its page at base + 0x40000 + k·0x1000, sets known registers and raises its flag;
 * the last CPU (of two or more) then loops on DIAGNOSE 0x500 (the virtio hypercall,
 * which KVM leaves to user space), so it is always mid-interception;
 * the others enter an enabled wait.
 */
export function smpGuestSource(cpus: number, dataPages = 48, base = 0x200000): string {
  const entries = Array.from({ length: Math.max(cpus - 1, 0) }, (_, i) => i + 1)
    .map(
      (k) => `
	# start CPU ${k}
	larl	%r1, restart_${k}
	mvc	0x1a0(16,%r0), 0(%r1)
	lghi	%r3, ${k}
	sigp	%r4, %r3, 6
flag_wait_${k}:
	lg	%r5, ${8 * k}(%r6)
	cghi	%r5, ${0x100 + k}
	jne	flag_wait_${k}`,
    )
    .join('\n');
  const secondaryEntries = Array.from({ length: Math.max(cpus - 1, 0) }, (_, i) => i + 1)
    .map(
      (k) => `
secondary_${k}:
	lghi	%r7, ${k}
	j	secondary
	.align 8
restart_${k}:
	.quad 0x0000000180000000, secondary_${k}`,
    )
    .join('\n');
  return `
	.text
	.globl _start
_start:
	# Share the SCCB page (touch it first so that it is secure), then print.
	lgfi	%r9, 0x8000
	mvi	0(%r9), 0
	larl	%r2, share_uvcb
	.insn	rrf,0xb9a40000,0,2,0,0
	larl	%r1, sccb_template
	mvc	0(sccb_end - sccb_template,%r9), 0(%r1)
	llilf	%r1, 0x00760005
	lgr	%r2, %r9
	.insn	rre,0xb2200000,1,2
	# Fill the data pages: each doubleword = its address XOR a constant.
	lgfi	%r2, ${base}
	lgfi	%r3, ${base + dataPages * 0x1000}
	llihf	%r4, 0x5a5a5a5a
fill:
	lgr	%r5, %r2
	xgr	%r5, %r4
	stg	%r5, 0(%r2)
	aghi	%r2, 8
	cgr	%r2, %r3
	jl	fill
	lgfi	%r6, ${base + 0x60000}
${entries}
	# Known registers, then the panic.
	llihf	%r10, 0xc0ffee00
	iilf	%r10, 0x12345678
	lghi	%r11, -2
	larl	%r1, panic_psw
	lpswe	0(%r1)

secondary:
	# r7 = this CPU's number: fill its page, set known registers, raise the flag.
	lgr	%r2, %r7
	sllg	%r2, %r2, 12
	agfi	%r2, ${base + 0x40000}
	lghi	%r3, 512
	lgr	%r5, %r7
	sllg	%r5, %r5, 56
sfill:
	stg	%r5, 0(%r2)
	aghi	%r5, 1
	aghi	%r2, 8
	brctg	%r3, sfill
	llihf	%r8, 0x88880000
	agr	%r8, %r7
	llihf	%r9, 0x99990000
	lgfi	%r6, ${base + 0x60000}
	lgr	%r5, %r7
	aghi	%r5, 0x100
	lgr	%r1, %r7
	sllg	%r1, %r1, 3
	stg	%r5, 0(%r1,%r6)
	cghi	%r7, ${cpus - 1}
	je	diag_loop
	larl	%r1, enabled_wait_psw
	lpswe	0(%r1)
diag_loop:
	diag	%r8, %r9, 0x500
	j	diag_loop
${secondaryEntries}

	.align 8
panic_psw:
	.quad 0x0002000180000000, 0xbad
enabled_wait_psw:
	.quad 0x0302000180000000, 0x0
share_uvcb:
	.short 0x30, 0x1000, 0, 0
	.quad 0, 0, 0
	.quad 0x8000
	.quad 0
sccb_template:
	.short sccb_end - sccb_template
	.byte 0, 0, 0, 0
	.short 0
event:
	.short sccb_end - event
	.byte 0x1a, 0
	.short 0
	.ascii "hello from a protected guest\\n"
sccb_end:
`;
}
