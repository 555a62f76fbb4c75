// Shared steps of the end-to-end dump tests: the storage-state and completion data QEMU collects
// at the end of a dump (spec ultravisor.md §6), and the check that a CPU decrypted by
// @pvdump/dump-decrypt carries exactly the secure CPU's registers (spec §7.7).
import { expect } from 'vitest';
import type { PvCpuState } from '@pvdump/dump-decrypt';
import type { CpuSnapshot } from '@pvdump/s390x-cpu/state';
import type { Ultravisor } from '../../src/ultravisor.ts';
import { expectOk } from './machine.ts';

const MIB = 0x100000n;
const STORAGE_STATE_LENGTH = 0x1000;

/** DUMP_CONF_STOR_STATE for every MiB of the guest, then DUMP_COMPLETE, all through `origin`. */
export function storageStateAndCompletion(uv: Ultravisor, config: bigint, origin: bigint, guestSize: bigint): { memMeta: Uint8Array; compl: Uint8Array } {
  const memMeta = new Uint8Array(Number(guestSize / MIB) * STORAGE_STATE_LENGTH);
  for (let mib = 0n; mib < guestSize; mib += MIB) {
    const state = uv.dumpStorageState(config, origin, mib);
    expectOk(state, `DUMP_CONF_STOR_STATE at 0x${mib.toString(16)}`);
    memMeta.set(state.data!, Number(mib / MIB) * STORAGE_STATE_LENGTH);
  }
  const complete = uv.dumpComplete(config, origin);
  expectOk(complete, 'DUMP_COMPLETE');
  return { memMeta, compl: complete.data! };
}

/** The decrypted CPU `got` has the registers of `want` and the has_osii flag `hasOsii`. */
export function expectDecryptedCpu(got: PvCpuState, want: CpuSnapshot, hasOsii: boolean): void {
  expect(got.psw).toEqual(want.psw);
  expect(got.gprs).toEqual(want.gprs);
  expect(got.acrs).toEqual(want.acrs);
  expect(got.crs).toEqual(want.crs);
  expect(got.fpc).toBe(want.fpc);
  expect(got.prefix).toBe(want.prefix);
  expect(got.cpuTimer).toBe(want.cpuTimer);
  expect(got.clockComparator).toBe(want.clockComparator);
  expect(got.todProgrammable).toBe(want.todProgrammable);
  expect(got.vrs.map((v) => Buffer.from(v).toString('hex'))).toEqual(want.vrs.map((v) => Buffer.from(v).toString('hex')));
  // Word 0 of the guarded-storage block is written as 0 (spec pv-dump-crypto.md, CPU data).
  expect(got.gsCb).toEqual({ reserved: 0n, gsd: want.gsCb.gsd, gssm: want.gsCb.gssm, gsepla: want.gsCb.gsepla });
  expect(got.hasOsii).toBe(hasOsii);
}
