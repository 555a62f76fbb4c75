// Intercepted instructions of a secure guest the way KVM completes them for a protected vCPU:
// STSI's SYSIB goes through the SIDA (KVM's handle_stsi) and reaches the guest's operand page; an
// STSI operand off a 4 KiB boundary is the SIE's specification exception; a program interruption
// the VMM injects for an intercepted instruction (DIAGNOSE 0x10 with a bad range) reaches the
// secure CPU with that instruction's length; STFLE shows the Ultravisor-call facility (158);
// STHYI is served in the kernel as for a plain guest (KVM's handle_sthyi through the SIDA).
import { describe, expect, it } from 'vitest';
import { VirtualMachine } from '../src/index.ts';
import { assemble, failStub as fail, protectedImage, testHost } from './support/guests.ts';

const GUEST = `
	.text
	.globl	_start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lghi	%r0, 3
	larl	%r2, facilities
	stfle	0(%r2)
	tm	19(%r2), 0x02		# facility 158
	jz	fail1
	llilh	%r0, 0x1000		# STSI 1.1.1
	oill	%r0, 1
	lghi	%r1, 1
	larl	%r2, sysib
	stsi	0(%r2)
	jnz	fail2
	larl	%r3, ibm
	clc	32(4,%r2), 0(%r3)	# manufacturer
	jne	fail3
	lghi	%r9, 6			# STSI off a page boundary: specification exception
	lghi	%r8, 0
	stsi	8(%r2)
	cghi	%r8, 1
	jne	fail4
	lghi	%r8, 0			# DIAGNOSE 0x10 from 0: the host injects a specification exception
	lghi	%r4, 0
	lghi	%r5, 0x1000
	diag	%r4, %r5, 0x10
	cghi	%r8, 1
	jne	fail5
	lghi	%r2, 0			# STHYI function code 0: the response in the page at sysib
	larl	%r4, sysib
	.insn	rre, 0xb2560000, 2, 4
	jnz	fail7
	cghi	%r5, 0			# return code
	jne	fail8
	larl	%r3, total
	clc	8(2,%r4), 0(%r3)	# the header's total length
	jne	fail9
	larl	%r1, psw_done
	lpswe	0(%r1)
pgm_handler:
	llgh	%r7, 0x8e(%r0)
	cgr	%r7, %r9
	jne	fail6
	lghi	%r8, 1
	lpswe	0x150(%r0)
${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(fail).join('\n')}
	.balign	8
psw_done:
	.quad	0x0002000180000000, 0x600d
pgm_new:
	.quad	0x0000000180000000, pgm_handler
ibm:
	.byte	0xc9, 0xc2, 0xd4, 0x40
total:
	.short	0x98
	.balign	8
facilities:
	.skip	32
	.balign	4096
sysib:
	.skip	4096
`;

describe('a secure guest’s intercepted instructions', () => {
  it('STSI through the SIDA, the SIE’s operand check, an injected program interruption, facility 158 and STHYI', () => {
    const { kernel, secureStates } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 16 << 20 });
    m.bootSecureImage(protectedImage(assemble(GUEST)));
    expect(m.run(200)).toMatchObject({ kind: 'panic', cpu: 0 });
    expect(secureStates.get(0)!.psw.addr).toBe(0x600dn);
  });
});
