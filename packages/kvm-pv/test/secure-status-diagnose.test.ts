// A secure guest's SIGP store-status orders and a DIAGNOSE the UV does not pass to the host:
// the VMM accepts store status at address for a stopped secure CPU without storing anything and
// the UV stores the target's save area when the issuer re-enters (QEMU's s390_store_status
// leaves it to the UV for a PV guest); stop and store status stores at absolute 0x1200 with the
// architectural-mode id at 0xA3; a running target answers "incorrect state"; DIAGNOSE 0x258
// (the pfault handshake) is a specification exception, the host never sees it.
import { describe, expect, it } from 'vitest';
import { VirtualMachine } from '../src/index.ts';
import { assemble, failStub as fail, protectedImage, testHost } from './support/guests.ts';

const STATUS_AREA = 0x30000;

const GUEST = `
	.text
	.globl	_start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lgfi	%r10, ${STATUS_AREA}
	larl	%r6, marker
	lghi	%r12, 0x1000
	lghi	%r9, 6			# DIAGNOSE 0x258, block outside storage: specification exception
	lghi	%r8, 0
	lghi	%r2, -16
	lghi	%r3, -1
	diag	%r2, %r3, 0x258
	cghi	%r8, 1
	jne	fail1
	cghi	%r3, -1			# no return code
	jne	fail2
	lghi	%r9, -1			# no program interruption from here on
	larl	%r5, restart_psw	# CPU 1 (prefix 0 too) restarts, sets r15 and stops itself
	mvc	0x1a0(16,%r0), 0(%r5)
	lghi	%r3, 1
	sigp	%r0, %r3, 0x06
	jnz	fail3
wait_stopped:
	lghi	%r0, 0
	sigp	%r0, %r3, 0x01		# sense: cc 1 with "stopped" once it stopped
	jnz	sensed
	j	wait_stopped
sensed:
	tml	%r0, 0x40
	jz	wait_stopped
	lgr	%r1, %r10		# SIGP STORE STATUS AT ADDRESS: accepted
	sigp	%r0, %r3, 0x0e
	jnz	fail4
	clc	0xf8(8,%r10), 0(%r6)	# the UV stored CPU 1's r15
	jne	fail5
	xc	0x2f8(8,%r12), 0x2f8(%r12)
	mvi	0xa3(%r0), 0
	sigp	%r0, %r3, 0x09		# SIGP STOP AND STORE STATUS: at absolute 0x1200
	jnz	fail6
	clc	0x2f8(8,%r12), 0(%r6)
	jne	fail7
	cli	0xa3(%r0), 1
	jne	fail8
	larl	%r5, loop_psw		# CPU 1 running: store status at address is "incorrect state"
	mvc	0x1a0(16,%r0), 0(%r5)
	sigp	%r0, %r3, 0x06
	jnz	fail9
	xc	0xf8(8,%r10), 0xf8(%r10)
	lgr	%r1, %r10
	lghi	%r0, 0
	sigp	%r0, %r3, 0x0e
	brc	0xb, fail10		# cc 1 expected
	cghi	%r0, 0x200
	jne	fail11
	lg	%r4, 0xf8(%r10)
	ltgr	%r4, %r4
	jnz	fail12
	sigp	%r0, %r3, 0x05		# stop CPU 1
	larl	%r1, psw_done
	lpswe	0(%r1)
cpu1:
	lgrl	%r15, marker
	stap	0x200(%r0)
	lh	%r4, 0x200(%r0)
	sigp	%r0, %r4, 0x05
	j	cpu1
loop:
	j	loop
pgm_handler:
	llgh	%r7, 0x8e(%r0)
	cgr	%r7, %r9
	jne	fail13
	lghi	%r8, 1
	lpswe	0x150(%r0)
${Array.from({ length: 13 }, (_, i) => fail(i + 1)).join('\n')}
	.balign	8
psw_done:
	.quad	0x0002000180000000, 0x600d
pgm_new:
	.quad	0x0000000180000000, pgm_handler
restart_psw:
	.quad	0x0000000180000000, cpu1
loop_psw:
	.quad	0x0000000180000000, loop
marker:
	.quad	0x5eed0000cafe
`;

describe('a secure guest’s store-status orders and DIAGNOSE 0x258', () => {
  it('the UV stores the stopped target’s status; DIAGNOSE 0x258 is a specification exception', () => {
    const { kernel, secureStates } = testHost();
    const m = new VirtualMachine({ kernel, memorySize: 16 << 20, cpus: 2 });
    const diagnoseCodes: number[] = [];
    const dispatch = m.diagnose.dispatch.bind(m.diagnose);
    m.diagnose.dispatch = (v, run, ipa, ipb) => {
      diagnoseCodes.push(Number(m.operandAddress(run, ipb) & 0xffffn));
      return dispatch(v, run, ipa, ipb);
    };
    m.bootSecureImage(protectedImage(assemble(GUEST)));
    expect(m.run(400)).toMatchObject({ kind: 'panic', cpu: 0 });
    expect(secureStates.get(0)!.psw.addr).toBe(0x600dn);
    expect(diagnoseCodes).not.toContain(0x258);
  });
});
