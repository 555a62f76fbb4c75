// DIAGNOSE 0x308 subcodes 1 and 0 of a secure guest (QEMU 7.2's s390_pv_prepare_reset and PV load
// normal, KVM's UV CPU resets): the guest stays secure, the UV loads the short PSW the guest
// stored at absolute 0; the load-normal reset keeps the GPRs (initial CPU reset), the
// modified-clear reset clears them (clear reset); the other CPUs are stopped. Subcode 3 (re-IPL)
// of a secure guest leaves protected mode (KVM_PV_DISABLE) and IPLs the image again, whose
// stage3a switches back to protected mode.
import { describe, expect, it } from 'vitest';
import { MpState, VirtualMachine } from '../src/index.ts';
import { assemble, failStub as fail, protectedImage, testHost } from './support/guests.ts';

const GUEST = `
	.text
	.globl	_start
_start:
	lghi	%r10, 0x1234
	larl	%r1, after_normal
	lg	%r0, short_mask
	ogr	%r0, %r1
	stg	%r0, 0(%r0)
	lghi	%r3, 1
	diag	%r0, %r3, 0x308
	j	fail1
after_normal:
	cghi	%r10, 0x1234		# initial CPU reset: GPRs kept
	jne	fail2
	larl	%r1, after_clear
	lg	%r0, short_mask
	ogr	%r0, %r1
	stg	%r0, 0(%r0)
	lghi	%r3, 0
	diag	%r0, %r3, 0x308
	j	fail3
after_clear:
	cghi	%r10, 0			# clear reset: GPRs cleared
	jne	fail4
	larl	%r1, psw_done
	lpswe	0(%r1)
${[1, 2, 3, 4].map(fail).join('\n')}
	.balign	8
psw_done:
	.quad	0x0002000180000000, 0x600d
short_mask:
	.quad	0x0008000180000000
`;

const REIPL_GUEST = `
	.text
	.globl	_start
_start:
	lghi	%r3, 3
	diag	%r0, %r3, 0x308
	larl	%r1, psw_fail
	lpswe	0(%r1)
	.balign	8
psw_fail:
	.quad	0x0002000180000000, 0xbad
`;

describe('DIAGNOSE 0x308 load-normal resets of a secure guest', () => {
  it('subcode 1 then 0: the UV loads the short PSW at absolute 0, the guest stays secure, the other CPU stays stopped', () => {
    const { kernel, secureStates } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 16 << 20, cpus: 2 });
    m.bootSecureImage(protectedImage(assemble(GUEST)));
    expect(m.run(200)).toMatchObject({ kind: 'panic', cpu: 0 });
    expect(secureStates.get(0)!.psw.addr).toBe(0x600dn);
    expect(m.protected_).toBe(true);
    expect(m.mpState(1)).toBe(MpState.STOPPED);
  });
});

describe('DIAGNOSE 0x308 subcode 3 of a secure guest', () => {
  it('leaves protected mode, IPLs the image again and its stage3a switches back', () => {
    const { kernel } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 16 << 20 });
    const switches: string[] = [];
    const protect = m.protect.bind(m);
    const unprotect = m.unprotect.bind(m);
    m.protect = (...args) => {
      switches.push('protect');
      protect(...args);
    };
    m.unprotect = () => {
      if (m.protected_) switches.push('unprotect');
      unprotect();
    };
    m.loadRawImage(protectedImage(assemble(REIPL_GUEST)));
    for (let i = 0; i < 400 && switches.length < 5; i++) expect(m.run(1)).toMatchObject({ kind: 'rounds' });
    expect(switches).toEqual(['protect', 'unprotect', 'protect', 'unprotect', 'protect']);
    expect(m.protected_).toBe(true);
  });
});
