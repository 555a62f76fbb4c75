// SERVICE CALL of a secure guest: the host sees neither the secure CPU's prefix nor its storage
// (QEMU's protected SCLP path checks no address), so the SIE checks the SCCB address as the host
// does for a plain guest: in real 0–8 KiB, in the prefix area (also after SET PREFIX) or not
// doubleword aligned a specification exception; then a valid SCCB reaches the host through the
// SIDA and comes back with its response code.
import { describe, expect, it } from 'vitest';
import { VirtualMachine } from '../src/index.ts';
import { assemble, failStub as fail, protectedImage, testHost } from './support/guests.ts';

const NEW_PREFIX = 0x40000;
const SCCB = 0x30000;

const GUEST = `
	.text
	.globl	_start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lgfi	%r3, ${NEW_PREFIX}
	mvc	0x1d0(16,%r3), 0(%r1)	# the same program-new PSW in the prefix area to come
	llilf	%r1, 0x00020001		# READ SCP INFO
	lghi	%r9, 6			# each refusal below: a specification exception
	lghi	%r8, 0
	lghi	%r2, 0x1000		# in real 0-8 KiB (with a valid length)
	mvhhi	0(%r2), 8
	.insn	rre, 0xb2200000, 1, 2
	cghi	%r8, 1
	jne	fail1
	lghi	%r8, 0
	lgfi	%r2, ${SCCB + 4}	# not doubleword aligned
	.insn	rre, 0xb2200000, 1, 2
	cghi	%r8, 1
	jne	fail2
	larl	%r4, prefix
	spx	0(%r4)
	lghi	%r8, 0
	lgfi	%r2, ${NEW_PREFIX + 0x1000}	# in the prefix area the SET PREFIX made (with a valid length)
	mvhhi	0(%r2), 8
	.insn	rre, 0xb2200000, 1, 2
	cghi	%r8, 1
	jne	fail3
	lghi	%r8, 0
	lgfi	%r2, ${SCCB}		# a valid SCCB
	mvhhi	0(%r2), 4096
	.insn	rre, 0xb2200000, 1, 2
	jnz	fail4
	cghi	%r8, 0
	jne	fail5
	clhhsi	6(%r2), 0x0010		# normal completion
	jne	fail7
	larl	%r1, psw_done
	lpswe	0(%r1)
pgm_handler:
	llgh	%r7, 0x8e(%r0)
	cgr	%r7, %r9
	jne	fail6
	lghi	%r8, 1
	lpswe	0x150(%r0)
${[1, 2, 3, 4, 5, 6, 7].map(fail).join('\n')}
	.balign	8
psw_done:
	.quad	0x0002000180000000, 0x600d
pgm_new:
	.quad	0x0000000180000000, pgm_handler
prefix:
	.long	${NEW_PREFIX}
`;

describe('a secure guest’s SERVICE CALL', () => {
  it('the SIE refuses SCCBs in the low pages, in the prefix area after SET PREFIX and misaligned; a valid one is served', () => {
    const { kernel, secureStates } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 16 << 20 });
    m.bootSecureImage(protectedImage(assemble(GUEST)));
    expect(m.run(200)).toMatchObject({ kind: 'panic', cpu: 0 });
    expect(secureStates.get(0)!.psw.addr).toBe(0x600dn);
  });
});
