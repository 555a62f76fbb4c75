// The UVC model: control blocks in host storage in the real byte layout, condition codes,
// rc/rrc written back, QUI lengths and values, header checks (rc 2, 3, 5).
import { describe, expect, it } from 'vitest';
import { QUERY_VALUES, installedCallList } from '../src/calls/query.ts';
import { SecureStorageAccessError, UvCallFailedError, UvcProgramException, requireUvSuccess } from '../src/errors.ts';
import { UvCommand, UvRc } from '../src/uvc/codes.ts';
import { QUI } from '../src/uvc/layout.ts';
import { L, createConfiguration, newMachine } from './support/machine.ts';

function block(len: number, cmd: number, size = len): Uint8Array {
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint16(0, len);
  v.setUint16(2, cmd);
  return b;
}
const rcOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint16(4);

describe('UV call model', () => {
  it('answers QUI from a control block in host storage, with dump bits 24-27 and 0x1000 lengths', () => {
    const m = newMachine();
    m.uv.hostStorage.write(Number(L.uvcb), block(0x100, UvCommand.QUERY));
    expect(m.uv.call(L.uvcb)).toBe(0);
    const out = m.uv.hostStorage.read(Number(L.uvcb), 0x100);
    const v = new DataView(out.buffer);
    expect(v.getUint16(0)).toBe(0x100);
    expect(v.getUint16(4)).toBe(UvRc.EXECUTED);
    // The host's list: QUI and the host calls, not the guest's share calls (bits 8, 9).
    expect(v.getBigUint64(QUI.instCallsList)).toBe(0xff1ffef000000000n);
    expect(v.getBigUint64(QUI.instCallsList) & 0x000000f000000000n).toBe(0x000000f000000000n);
    for (const w of [1, 2, 3]) expect(v.getBigUint64(QUI.instCallsList + 8 * w)).toBe(0n);
    expect(v.getBigUint64(QUI.cpuStorLen)).toBe(0x1000n);
    expect(v.getBigUint64(QUI.confDumpStorageStateLen)).toBe(0x1000n);
    expect(v.getBigUint64(QUI.confDumpFinalizeLen)).toBe(0x1000n);
    expect(v.getUint16(QUI.maxGuestCpuId)).toBe(247);
    expect(v.getUint32(QUI.maxNumSecConf)).toBe(64);
    expect(v.getBigUint64(QUI.suppSeHdrVersions)).toBe(0x8000000000000000n);
    expect(v.getBigUint64(QUI.suppSeHdrPcf)).toBe(0x00000000300000f2n);
    expect(installedCallList()[0]).toBe(0xff1ffef000000000n);
  });

  it('shows a secure guest QUI and its share calls only (bits 0, 8, 9)', () => {
    const m = newMachine();
    const { cpus } = createConfiguration(m, 1);
    const qui = block(0x100, UvCommand.QUERY);
    expect(m.uv.guestCall(cpus[0]!, qui)).toBe(0);
    expect(new DataView(qui.buffer).getBigUint64(QUI.instCallsList)).toBe(0x80c0000000000000n);
    expect(installedCallList('guest')).toEqual([0x80c0000000000000n, 0n, 0n, 0n]);
  });

  it('QUI: len < 0xA8 gives rc 5; 0xA8 <= len < 0x100 fills what fits with cc 1 rc 0x100', () => {
    const m = newMachine();
    const short = block(0xa0, UvCommand.QUERY, 0x100);
    expect(m.uv.execute(short)).toBe(1);
    expect(rcOf(short)).toBe(UvRc.INV_LEN);
    const partial = block(0xa8, UvCommand.QUERY, 0x100);
    expect(m.uv.execute(partial)).toBe(1);
    expect(rcOf(partial)).toBe(UvRc.MORE_DATA);
    const v = new DataView(partial.buffer);
    expect(v.getBigUint64(QUI.uvFeatureIndications)).toBe(QUERY_VALUES.uvFeatureIndications);
    expect(v.getBigUint64(QUI.suppSeHdrVersions)).toBe(0n); // beyond len 0xA8: not written
    const typed = m.uv.query(0xa8);
    expect(typed.cc).toBe(1);
    expect(typed.info.maxGuestCpuId).toBe(247);
    const longer = m.uv.query(0x120); // later kernels' block size
    expect([longer.cc, longer.rc]).toEqual([0, 1]);
    expect(longer.info.confDumpFinalizeLen).toBe(0x1000n);
  });

  it('refuses an unknown command with rc 2, a wrong len with rc 5, and calls before INIT_UV with rc 3', () => {
    const m = newMachine();
    const unknown = block(0x40, 0x0999);
    expect(m.uv.execute(unknown)).toBe(1);
    expect(rcOf(unknown)).toBe(UvRc.INV_CMD);
    const guestOnly = block(0x30, UvCommand.SET_SHARED_ACCESS);
    expect(m.uv.execute(guestOnly)).toBe(1);
    expect(rcOf(guestOnly)).toBe(UvRc.INV_CMD);
    const early = m.uv.createSecureConfiguration({ guestStorageLength: 1n << 24n, guestAsce: 1n, baseStorageOrigin: L.confBase, variableStorageOrigin: L.confVar, sca: L.sca });
    expect([early.cc, early.rc]).toEqual([1, UvRc.INV_STATE]);
    expect(m.uv.initialize(L.uvStorage, 0x10000n).rc).toBe(1);
    for (const [cmd, size] of [
      [UvCommand.DUMP_INIT, 0x40],
      [UvCommand.DUMP_CPU, 0x50],
      [UvCommand.CONV_TO_SEC_STOR, 0x28],
    ] as const) {
      const wrong = block(size + 8, cmd);
      expect(m.uv.execute(wrong)).toBe(1);
      expect(rcOf(wrong)).toBe(UvRc.INV_LEN);
    }
  });

  it('does not install ADD_SECRET: bit 29 is clear and a guest issuing UVC 0x1031 gets rc 2', () => {
    const m = newMachine();
    const addSecretBit = 1n << BigInt(63 - 29);
    expect(installedCallList()[0] & addSecretBit).toBe(0n);
    const { cpus } = createConfiguration(m, 1);
    const addSecret = block(0x48, 0x1031);
    expect(m.uv.guestCall(cpus[0]!, addSecret)).toBe(1);
    expect(rcOf(addSecret)).toBe(UvRc.INV_CMD);
  });

  it('raises program exceptions for a misaligned or unaddressable control block', () => {
    const m = newMachine();
    expect(() => m.uv.call(L.uvcb + 4n)).toThrow(UvcProgramException);
    try {
      m.uv.call(BigInt(m.storage.size));
    } catch (err) {
      expect(err).toBeInstanceOf(UvcProgramException);
      expect((err as UvcProgramException).programInterruptionCode).toBe(0x05);
    }
    expect.assertions(3);
  });

  it('keeps donated storage away from the host and writes handles into the control block', () => {
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    expect(config >> 56n).toBe(0xc0n);
    expect(() => m.uv.hostStorage.read(Number(L.confBase), 8)).toThrow(SecureStorageAccessError);
    expect(() => m.uv.hostStorage.write(Number(L.cpuStorage(0)), new Uint8Array(8))).toThrow(/donated to the Ultravisor/);
    expect(() => m.uv.call(L.uvStorage)).toThrow(SecureStorageAccessError);
  });
});

describe('requireUvSuccess', () => {
  it('passes successful results through and names the failing call with cc, rc and rrc', () => {
    const m = newMachine();
    const ok = requireUvSuccess('INIT_UV', m.uv.initialize(L.uvStorage, 0x10000n));
    expect(ok.rc).toBe(1);
    expect(() => requireUvSuccess('INIT_UV', m.uv.initialize(L.uvStorage, 0x10000n))).toThrow(UvCallFailedError);
    expect(() => requireUvSuccess('INIT_UV', m.uv.initialize(L.uvStorage, 0x10000n))).toThrow('UV call INIT_UV failed: cc 1, rc 0x0101, rrc 0x0000');
  });
});
