// The status stores the UV makes when the host completes a secure CPU's SIGP store-status order
// with condition code 0 (the host stores nothing for a protected guest), and the DIAGNOSE codes
// it passes to the host.
import { describe, expect, it } from 'vitest';
import { STORE_STATUS } from '@pvdump/s390x-cpu/state';
import { PvCpuState } from '../src/uvc/codes.ts';
import { secureDiagnoseIntercepted } from '../src/index.ts';
import type { GuestStore } from '../src/secure-status-store.ts';
import { bootImage, buildImage, createConfiguration, expectOk, newMachine, patternPage } from './support/machine.ts';

/** SIGP R1=0, R3=3 with order `order` (RS-a: 0xAE, R1 R3, B2 D2). */
const sigp = (order: number): Uint8Array => Uint8Array.of(0xae, 0x03, 0x00, order);
const DIAG_0X44 = Uint8Array.of(0x83, 0x00, 0x00, 0x44);
const MARKER = 0x5eed0000cafen;

function bootedPair() {
  const m = newMachine();
  const { config, cpus } = createConfiguration(m, 2);
  const pages = [0x10000n].map((gaddr, i) => ({ gaddr, plaintext: patternPage(gaddr, i) }));
  bootImage(m, config, cpus, buildImage(pages, { allowDumping: true, psw: { mask: 0x0000000180000000n, addr: 0x10000n } }));
  // CPU 1 runs once, leaving a marker in r15, then is stopped.
  expectOk(m.uv.setCpuState(cpus[1]!, PvCpuState.OPERATING), 'operating');
  m.uv.runSecureCpu(cpus[1]!, (cpu) => {
    cpu.gprs[15] = MARKER;
    return { kind: 'other', reason: 'stopped' };
  });
  expectOk(m.uv.setCpuState(cpus[1]!, PvCpuState.STOPPED), 'stopped');
  return { m, issuer: cpus[0]! };
}

/** Runs the issuer into an interception of `instruction` (r1 = parameter, r3 = CPU 1), then completes it with `cc`; returns the stores. */
function complete(instruction: Uint8Array, cc: number): readonly GuestStore[] {
  const { m, issuer } = bootedPair();
  m.uv.runSecureCpu(issuer, (cpu) => {
    cpu.gprs[1] = 0x30000n;
    cpu.gprs[3] = 1n;
    return { kind: 'instruction', instruction };
  });
  let seen: readonly GuestStore[] = [];
  m.uv.runSecureCpu(
    issuer,
    (_cpu, stores) => {
      seen = stores;
      return { kind: 'other', reason: 'done' };
    },
    { conditionCode: cc },
  );
  return seen;
}

const storedGpr15 = (store: GuestStore): bigint => new DataView(store.bytes.buffer, store.bytes.byteOffset).getBigUint64(STORE_STATUS.GPRS + 8 * 15);

describe('secure CPU store status', () => {
  it('store status at address: the target’s save area at the parameter, once the order completes with cc 0', () => {
    const stores = complete(sigp(0x0e), 0);
    expect(stores.map((s) => [s.absolute, s.bytes.length])).toEqual([[0x30000, STORE_STATUS.SIZE]]);
    expect(storedGpr15(stores[0]!)).toBe(MARKER);
  });

  it('stop and store status: absolute 0x1200 and the architectural-mode id at 0xA3', () => {
    const stores = complete(sigp(0x09), 0);
    expect(stores.map((s) => s.absolute)).toEqual([0x1200, 0xa3]);
    expect(storedGpr15(stores[0]!)).toBe(MARKER);
    expect([...stores[1]!.bytes]).toEqual([1]);
  });

  it('stores nothing when the host answered with a status (cc 1), for other orders and other instructions', () => {
    expect(complete(sigp(0x0e), 1)).toEqual([]);
    expect(complete(sigp(0x05), 0)).toEqual([]);
    expect(complete(DIAG_0X44, 0)).toEqual([]);
  });

  it('passes to the host the DIAGNOSE codes it completes from registers, not 0x258', () => {
    expect([0x10, 0x44, 0x9c, 0x288, 0x308, 0x500].every(secureDiagnoseIntercepted)).toBe(true);
    expect(secureDiagnoseIntercepted(0x258)).toBe(false);
    expect(secureDiagnoseIntercepted(0x318)).toBe(false);
  });
});
