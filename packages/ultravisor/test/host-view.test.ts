// The UV as a machine offers it to a host kernel (what kvm-unit-tests' uv-host checks on real
// hardware): rc 3 before INIT_UV whatever the length, the host page listener, an SE header read
// through the host's own translation (rc 0x103 on an access exception), and the machine reset.
import { describe, expect, it } from 'vitest';
import { SetParamsRc, UvCommand, UvRc } from '../src/uvc/codes.ts';
import { NODATA, SSC, UVCB_SIZE, newControlBlock } from '../src/uvc/layout.ts';
import { L, buildImage, createConfiguration, expectOk, newMachine } from './support/machine.ts';

const rcOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint16(4);

describe('the UV as the machine shows it to a host', () => {
  it('answers rc 3 before INIT_UV even when the length is wrong, and checks the length after it', () => {
    const m = newMachine();
    const unpin = newControlBlock(UvCommand.UNPIN_PAGE_SHARED, 0x28);
    expect(m.uv.execute(unpin.bytes)).toBe(1);
    expect(rcOf(unpin.bytes)).toBe(UvRc.INV_STATE);
    expectOk(m.uv.initialize(L.uvStorage, 0x10000n), 'INIT_UV');
    const again = newControlBlock(UvCommand.UNPIN_PAGE_SHARED, 0x28);
    expect(m.uv.execute(again.bytes)).toBe(1);
    expect(rcOf(again.bytes)).toBe(UvRc.INV_LEN);
  });

  it('tells the host page listener when storage is donated, made secure and returned', () => {
    const changes: [number, boolean][] = [];
    const m = newMachine({ onHostPageChange: (page, accessible) => changes.push([page, accessible]) });
    const { config, cpus } = createConfiguration(m, 1);
    const uvPage = Number(L.uvStorage) / 0x1000;
    expect(changes).toContainEqual([uvPage, false]);
    expect(changes).toContainEqual([Number(L.confBase) / 0x1000, false]);
    expect(changes).toContainEqual([Number(L.cpuStorage(0)) / 0x1000, false]);
    changes.length = 0;
    expectOk(m.uv.destroySecureCpu(cpus[0]!), 'DESTROY_SEC_CPU');
    expectOk(m.uv.destroySecureConfiguration(config), 'DESTROY_SEC_CONF');
    expect(changes).toContainEqual([Number(L.cpuStorage(0)) / 0x1000, true]);
    expect(changes).toContainEqual([Number(L.confBase) / 0x1000, true]);
    expect(changes.every(([, accessible]) => accessible)).toBe(true);
  });

  it('reads the SE header through the host operand reader: an access exception is rc 0x103', () => {
    const m = newMachine();
    const { config } = createConfiguration(m, 1);
    const image = buildImage([{ gaddr: 0n, plaintext: new Uint8Array(4096).fill(7) }], { allowDumping: true });
    const ssc = (reader: (origin: bigint, length: number) => Uint8Array | undefined): [number, number] => {
      const cb = newControlBlock(UvCommand.SET_SEC_CONF_PARAMS, UVCB_SIZE[UvCommand.SET_SEC_CONF_PARAMS]);
      cb.setU64(SSC.guestHandle, config).setU64(SSC.secHeaderOrigin, 0x7777_0000n).setU32(SSC.secHeaderLen, image.header.length);
      const cc = m.uv.execute(cb.bytes, reader);
      return [cc, rcOf(cb.bytes)];
    };
    const asked: [bigint, number][] = [];
    expect(ssc((origin, length) => (asked.push([origin, length]), undefined))).toEqual([1, SetParamsRc.HEADER_ACCESS_EXCEPTION]);
    expect(asked).toEqual([[0x7777_0000n, image.header.length]]);
    expect(ssc(() => image.header)).toEqual([0, UvRc.EXECUTED]);
  });

  it('ends everything at a machine reset: donated storage cleared and returned, the UV uninitialised', () => {
    const changes: [number, boolean][] = [];
    const m = newMachine({ onHostPageChange: (page, accessible) => changes.push([page, accessible]) });
    const { config, cpus } = createConfiguration(m, 2);
    m.storage.write(Number(L.confBase), new Uint8Array(8).fill(0xaa));
    changes.length = 0;
    m.uv.reset();
    expect(m.uv.hostStorage.read(Number(L.confBase), 8)).toEqual(new Uint8Array(8));
    expect(m.uv.isHostAccessible(Number(L.uvStorage))).toBe(true);
    expect(m.uv.isHostAccessible(Number(L.cpuStorage(1)))).toBe(true);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every(([, accessible]) => accessible)).toBe(true);
    expect(m.uv.secureCpuState(cpus[0]!)).toBeUndefined();
    const destroy = newControlBlock(UvCommand.DESTROY_SEC_CONF, UVCB_SIZE[UvCommand.DESTROY_SEC_CONF]);
    destroy.setU64(NODATA.handle, config);
    expect(m.uv.execute(destroy.bytes)).toBe(1);
    expect(rcOf(destroy.bytes)).toBe(UvRc.INV_STATE);
    expectOk(m.uv.initialize(L.uvStorage, 0x10000n), 'INIT_UV after the reset');
  });
});
