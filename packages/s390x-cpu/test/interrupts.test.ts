// Program interruptions through the lowcore for every class the issue lists (old/new PSW,
// code, ILC, DXC, BEAR), inaccessible pages, SVC, restart, interceptions with resume, EXECUTE.
import { describe, expect, it } from 'vitest';
import { LC } from '../src/state/index.ts';
import { CODE_AT, machine, PGM_WAIT_ADDRESS, programInterruption } from './support/machine.ts';

const WAIT = { mask: 0x0002000180000000n, addr: BigInt(PGM_WAIT_ADDRESS) };

describe('program interruptions', () => {
  it('operation exception: code 1, ILC 2, old PSW past the instruction', () => {
    const { cpu, mem } = machine('.short 0x0000');
    expect(cpu.run(10).kind).toBe('wait');
    expect(programInterruption(mem)).toMatchObject({ code: 1, ilc: 2, oldAddr: BigInt(CODE_AT + 2), oldMask: 0x0000000180000000n });
    expect(cpu.getPsw()).toEqual(WAIT);
  });

  it('privileged operation in the problem state: code 2', () => {
    const { cpu, mem } = machine('lctlg %c0,%c0,0(%r1)', 0x0001000180000000n);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 2, ilc: 6, oldAddr: BigInt(CODE_AT + 6), oldMask: 0x0001000180000000n });
  });

  it('specification exception: misaligned LPSWE operand', () => {
    const { cpu, mem } = machine('lpswe 4(%r0)');
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 4, oldAddr: BigInt(CODE_AT + 4) });
  });

  it('specification exception for an odd branch target, with the BEAR of the branch', () => {
    const { cpu, mem } = machine('bcr 15,%r1');
    cpu.setGpr(1, 0x3001n);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 0, oldAddr: 0x3001n, bear: BigInt(CODE_AT) });
  });

  it('addressing exception beyond guest memory', () => {
    const { cpu, mem } = machine('lg %r1,0(%r2)');
    cpu.setGpr(2, 0x100000n);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 5, ilc: 6, oldAddr: BigInt(CODE_AT + 6) });
    expect(cpu.getGpr(1)).toBe(0n);
  });

  it('data exception DXC 1 for an FPR other than 0/2/4/6 with AFP off; FPC untouched', () => {
    const { cpu, mem } = machine('ld %f15,0(%r1)');
    cpu.setGpr(1, 0x4000n);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 7, ilc: 4, dxc: 1, oldAddr: BigInt(CODE_AT + 4) });
    expect(cpu.fpc).toBe(0);
  });

  it('data exception DXC 0xFE for a vector instruction without vector enablement; DXC in the FPC with AFP on', () => {
    const { cpu, mem } = machine('vl %v1,0(%r1)');
    cpu.setCr(0, 0x400e0n); // AFP on, vector off
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 7, ilc: 6, dxc: 0xfe });
    expect(cpu.fpc).toBe(0xfe00);
  });

  it('fixed-point overflow with the program-mask bit set completes the instruction', () => {
    const { cpu, mem } = machine('ar %r1,%r2');
    cpu.setPsw({ mask: 0x0000080180000000n, addr: BigInt(CODE_AT) });
    cpu.setGpr(1, 0x7fffffffn);
    cpu.setGpr(2, 1n);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 8, ilc: 2, oldAddr: BigInt(CODE_AT + 2) });
    expect(cpu.getGpr(1)).toBe(0x80000000n);
    // The old PSW carries CC 3 and the program mask.
    expect(programInterruption(mem).oldMask).toBe(0x0000380180000000n);
  });

  it('fixed-point divide exception for a zero divisor', () => {
    const { cpu, mem } = machine('dsgr %r2,%r4');
    cpu.setGpr(3, 100n);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 9, ilc: 4, oldAddr: BigInt(CODE_AT + 4) });
  });

  it('early specification exception for an invalid PSW loaded by LPSWE: ILC 0, old PSW = that PSW', () => {
    const { cpu, mem } = machine('lpswe 0(%r1)');
    cpu.setGpr(1, 0x4000n);
    mem.writeU64(0x4000, 0x0000000100000000n); // EA without BA
    mem.writeU64(0x4008, 0x5000n);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 6, ilc: 0, oldMask: 0x0000000100000000n, oldAddr: 0x5000n, bear: BigInt(CODE_AT) });
  });

  it('stores the BEAR of the last taken branch', () => {
    const { cpu, mem } = machine('bcr 15,%r1');
    cpu.setGpr(1, 0x3000n); // zeros at 0x3000: operation exception there
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 1, oldAddr: 0x3002n, bear: BigInt(CODE_AT) });
  });
});

describe('inaccessible pages', () => {
  const source = 'lg %r1,0(%r2)';
  it('default: program interruption 0x3D, nullifying', () => {
    const { cpu, mem } = machine(source);
    cpu.setGpr(2, 0x5008n);
    mem.setPageAccessible(5, false);
    cpu.run(10);
    expect(programInterruption(mem)).toMatchObject({ code: 0x3d, ilc: 6, oldAddr: BigInt(CODE_AT) });
    expect(mem.readU64(LC.TRANS_EXC_ID)).toBe(0x5000n);
  });
  it('a handler can make the page accessible and retry', () => {
    const { cpu, mem } = machine(source);
    cpu.setGpr(2, 0x5008n);
    mem.writeU64(0x5008, 0x1122334455667788n);
    mem.setPageAccessible(5, false);
    const seen: number[] = [];
    mem.onInaccessibleAccess = (access) => {
      seen.push(access.absoluteAddress);
      mem.setPageAccessible(access.page, true);
      return { kind: 'retry' };
    };
    expect(cpu.run(1)).toEqual({ kind: 'budget', executed: 1 });
    expect(seen).toEqual([0x5008]);
    expect(cpu.getGpr(1)).toBe(0x1122334455667788n);
  });
  it('a handler can stop the CPU; the instruction re-runs on resume', () => {
    const { cpu, mem } = machine(source);
    cpu.setGpr(2, 0x5ffcn); // crosses into page 6
    mem.setPageAccessible(6, false);
    mem.onInaccessibleAccess = () => ({ kind: 'stop' });
    expect(cpu.run(5)).toMatchObject({ kind: 'page-access', absoluteAddress: 0x6000, write: false });
    expect(cpu.getPsw().addr).toBe(BigInt(CODE_AT));
    mem.setPageAccessible(6, true);
    expect(cpu.run(1).kind).toBe('budget');
    expect(cpu.getPsw().addr).toBe(BigInt(CODE_AT + 6));
  });
  it('a store that crosses into an inaccessible page changes nothing', () => {
    const { cpu, mem } = machine('stg %r1,0(%r2)');
    cpu.setGpr(1, 0xffffffffffffffffn);
    cpu.setGpr(2, 0x5ffcn);
    mem.setPageAccessible(6, false);
    cpu.run(10);
    expect(programInterruption(mem).code).toBe(0x3d);
    expect(mem.readU32(0x5ffc)).toBe(0);
  });
});

describe('SVC, restart, external', () => {
  it('SVC stores ILC, code and old PSW and loads the SVC-new PSW', () => {
    const { cpu, mem } = machine('svc 42');
    mem.writeU64(LC.SVC_NEW_PSW, 0x0002000180000000n);
    mem.writeU64(LC.SVC_NEW_PSW + 8, 0x5cn);
    expect(cpu.run(10).kind).toBe('wait');
    expect(mem.readU16(LC.SVC_ILC)).toBe(2);
    expect(mem.readU16(LC.SVC_CODE)).toBe(42);
    expect(mem.readU64(LC.SVC_OLD_PSW + 8)).toBe(BigInt(CODE_AT + 2));
    expect(cpu.getPsw()).toEqual({ mask: 0x0002000180000000n, addr: 0x5cn });
  });
  it('SVC under EXECUTE reports the EX length and ORs the number', () => {
    const { cpu, mem } = machine('ex %r1,0(%r2)\n.org 0x100\nsvc 0');
    cpu.setGpr(1, 7n);
    cpu.setGpr(2, BigInt(CODE_AT + 0x100));
    mem.writeU64(LC.SVC_NEW_PSW, 0x0002000180000000n);
    cpu.run(10);
    expect(mem.readU16(LC.SVC_ILC)).toBe(4);
    expect(mem.readU16(LC.SVC_CODE)).toBe(7);
    expect(mem.readU64(LC.SVC_OLD_PSW + 8)).toBe(BigInt(CODE_AT + 4));
  });
  it('SVC can be intercepted for a user-mode runner', () => {
    const { cpu } = machine('svc 1\nsvc 2');
    cpu.interceptSvc = true;
    const stop = cpu.run(10);
    expect(stop).toMatchObject({ kind: 'interception', interception: { mnemonic: 'svc', fields: { I1: 1 } } });
    expect(cpu.getPsw().addr).toBe(BigInt(CODE_AT + 2));
    expect(cpu.run(10)).toMatchObject({ kind: 'interception', interception: { fields: { I1: 2 } } });
  });
  it('restart interruption swaps the restart PSWs', () => {
    const { cpu, mem } = machine('.short 0x0700');
    mem.writeU64(LC.RESTART_NEW_PSW, 0x0000000180000000n);
    mem.writeU64(LC.RESTART_NEW_PSW + 8, 0x3000n);
    cpu.deliverRestartInterruption();
    expect(mem.readU64(LC.RESTART_OLD_PSW + 8)).toBe(BigInt(CODE_AT));
    expect(cpu.getPsw()).toEqual({ mask: 0x0000000180000000n, addr: 0x3000n });
  });
  it('external interruptions are enabled by PSW bit 7 and their CR0 submask', () => {
    const { cpu } = machine('.short 0x0700');
    cpu.setPsw({ mask: 0x0100000180000000n, addr: BigInt(CODE_AT) });
    cpu.setCr(0, 0x4000n);
    expect(cpu.isExternalInterruptionEnabled(0x1201)).toBe(true);
    expect(cpu.isExternalInterruptionEnabled(0x1202)).toBe(false);
    cpu.setPsw({ mask: 0x0000000180000000n, addr: BigInt(CODE_AT) });
    expect(cpu.isExternalInterruptionEnabled(0x1201)).toBe(false);
  });
  it('external interruption stores its code and CPU address', () => {
    const { cpu, mem } = machine('.short 0x0700');
    mem.writeU64(LC.EXTERNAL_NEW_PSW, 0x0002000180000000n);
    cpu.deliverExternalInterruption(0x1202, 3);
    expect(mem.readU16(LC.EXT_INT_CODE)).toBe(0x1202);
    expect(mem.readU16(LC.EXT_CPU_ADDR)).toBe(3);
    expect(mem.readU64(LC.EXTERNAL_OLD_PSW + 8)).toBe(BigInt(CODE_AT));
  });
});

describe('I/O interruption', () => {
  it('stores the subsystem id, parameter and identification word and swaps the I/O PSWs', () => {
    const { cpu, mem } = machine('.short 0x0700');
    cpu.setPsw({ mask: 0x0200000180000000n, addr: BigInt(CODE_AT) });
    expect(cpu.ioEnabled).toBe(true);
    expect(cpu.externalEnabled).toBe(false);
    mem.writeU64(LC.IO_NEW_PSW, 0x0002000180000000n);
    mem.writeU64(LC.IO_NEW_PSW + 8, 0x900n);
    cpu.deliverIoInterruption(0x00010001, 0x12345678, 0x80000000);
    expect(mem.readU32(LC.SUBSYSTEM_ID)).toBe(0x00010001);
    expect(mem.readU32(LC.IO_INT_PARAM)).toBe(0x12345678);
    expect(mem.readU32(LC.IO_INT_WORD)).toBe(0x80000000);
    expect(mem.readU64(LC.IO_OLD_PSW)).toBe(0x0200000180000000n);
    expect(mem.readU64(LC.IO_OLD_PSW + 8)).toBe(BigInt(CODE_AT));
    expect(cpu.run(5)).toMatchObject({ kind: 'wait', psw: { addr: 0x900n } });
  });
});

describe('interceptions', () => {
  it('DIAG stops with its operands; the host completes it and the CPU resumes', () => {
    const { cpu } = machine('diag %r2,%r4,0x500(%r5)\nlgr %r6,%r2');
    cpu.setGpr(5, 0x8n);
    const stop = cpu.run(10);
    expect(stop.kind).toBe('interception');
    if (stop.kind !== 'interception') return;
    expect(stop.interception).toMatchObject({ mnemonic: 'diag', address: BigInt(CODE_AT), length: 4, fields: { R1: 2, R3: 4, B2: 5, D2: 0x500 }, operandAddress: 0x508n });
    expect(Array.from(stop.interception.bytes)).toEqual([0x83, 0x24, 0x55, 0x00]);
    expect(cpu.pendingInterception).toBe(stop.interception);
    expect(cpu.getPsw().addr).toBe(BigInt(CODE_AT + 4));
    cpu.setGpr(2, 0x1234n);
    cpu.completeInterception();
    expect(cpu.run(1).kind).toBe('budget');
    expect(cpu.getGpr(6)).toBe(0x1234n);
    expect(cpu.pendingInterception).toBeUndefined();
  });
  it.each([
    ['sigp %r1,%r2,0x6(%r0)', 'sigp', 6n],
    ['stsi 0(%r3)', 'stsi', 0x700n],
    ['ssch 0(%r3)', 'ssch', 0x700n],
    ['tsch 0(%r3)', 'tsch', 0x700n],
    ['stsch 0(%r3)', 'stsch', 0x700n],
  ])('%s is intercepted', (source, mnemonic, operandAddress) => {
    const { cpu } = machine(source);
    cpu.setGpr(3, 0x700n);
    expect(cpu.run(10)).toMatchObject({ kind: 'interception', interception: { mnemonic, operandAddress } });
  });
  it('SERVC is intercepted with its registers', () => {
    const { cpu } = machine('.long 0xb2200012');
    expect(cpu.run(10)).toMatchObject({ kind: 'interception', interception: { mnemonic: 'servc', fields: { R1: 1, R2: 2 } } });
  });
  it('intercepted instructions are privileged', () => {
    const { cpu, mem } = machine('diag %r2,%r4,0', 0x0001000180000000n);
    expect(cpu.run(10).kind).toBe('wait');
    expect(programInterruption(mem).code).toBe(2);
  });
});

describe('interruption loops end on the budget', () => {
  it('an invalid program-new PSW loops through early exceptions until the budget', () => {
    const { cpu, mem } = machine('.short 0');
    mem.writeU64(LC.PROGRAM_NEW_PSW, 0x8000000000000000n);
    expect(cpu.run(50)).toEqual({ kind: 'budget', executed: 50 });
  });
  it('a pending clock comparator with an enabled external-new PSW keeps interrupting until the budget', () => {
    const { cpu, mem } = machine('.short 0x0700');
    mem.writeU64(LC.EXTERNAL_NEW_PSW, 0x0100000180000000n);
    mem.writeU64(LC.EXTERNAL_NEW_PSW + 8, BigInt(CODE_AT));
    cpu.setCr(0, 0x8e0n);
    cpu.setPsw({ mask: 0x0100000180000000n, addr: BigInt(CODE_AT) });
    expect(cpu.run(40)).toEqual({ kind: 'budget', executed: 40 });
    expect(mem.readU16(LC.EXT_INT_CODE)).toBe(0x1004);
  });
  it('the same with an enabled-wait external-new PSW', () => {
    const { cpu, mem } = machine('.short 0x0700');
    mem.writeU64(LC.EXTERNAL_NEW_PSW, 0x0102000180000000n);
    cpu.setCr(0, 0x8e0n);
    cpu.setPsw({ mask: 0x0102000180000000n, addr: BigInt(CODE_AT) });
    expect(cpu.run(30)).toEqual({ kind: 'budget', executed: 30 });
  });
});
