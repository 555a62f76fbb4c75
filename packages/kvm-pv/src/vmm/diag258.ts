// DIAGNOSE 0x258, page-reference services (the pfault handshake; z/VM CP Programming Services
// SC24-6084, as KVM serves it): R1 the real address of the doubleword-aligned parameter block
// {code 0x258, subcode, length in doublewords, version 2, token address, select mask, compare
// mask, z/Architecture field}, R3 gets the return code.
// - R1 not doubleword aligned, or the block not 0x258 / version 2 / length ≥ 5: specification
//   exception; the block outside guest memory: addressing exception.
// - Subcode 0 (establish the token): already established → R3 = 8; compare mask not within the
//   select mask, token address not doubleword aligned, or the z/Architecture field not
//   0x8000000000000000 → specification exception; token outside memory → addressing; else R3 = 0.
// - Subcode 1 (cancel): any field set → specification exception; R3 = 0, or 4 when none was
//   established. Other subcodes: specification exception.
// [E] The machine never pages a plain guest's storage out, so an established handshake never
// produces page-fault notifications; it only records the token, per vCPU (a CPU reset forgets it).
import { PGM_ADDRESSING, PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import type { DiagnoseCall } from './host.js';
import { RealStorage, withGuestAccess } from './guest-access.js';

const BLOCK_SIZE = 40;
const Z_ARCH = 0x8000000000000000n;

export function handleDiag258({ m, v, run, r1, r3, gprs }: DiagnoseCall): undefined {
  const address = gprs[r1]!;
  if ((address & 7n) !== 0n) return m.programInterruption(v, run, PGM_SPECIFICATION);
  const real = new RealStorage(m, run);
  return withGuestAccess(m, v, run, () => {
    const b = new DataView(real.read(address, BLOCK_SIZE).buffer);
    const [code, subcode, length, version] = [b.getUint16(0), b.getUint16(2), b.getUint16(4), b.getUint16(6)];
    const [token, select, compare, zField] = [b.getBigUint64(8), b.getBigUint64(16), b.getBigUint64(24), b.getBigUint64(32)];
    if (code !== 0x258 || version !== 2 || length < 5) return m.programInterruption(v, run, PGM_SPECIFICATION);
    const state = m.pfaultTokens;
    let rc: bigint;
    if (subcode === 0) {
      if (state.has(v.id)) rc = 8n;
      else {
        if ((compare & select) !== compare || (token & 7n) !== 0n || zField !== Z_ARCH) return m.programInterruption(v, run, PGM_SPECIFICATION);
        if (!real.valid(token, 8)) return m.programInterruption(v, run, PGM_ADDRESSING);
        state.set(v.id, token);
        rc = 0n;
      }
    } else if (subcode === 1) {
      if (token !== 0n || select !== 0n || compare !== 0n || zField !== 0n) return m.programInterruption(v, run, PGM_SPECIFICATION);
      rc = state.delete(v.id) ? 0n : 4n;
    } else return m.programInterruption(v, run, PGM_SPECIFICATION);
    m.complete(v, run, m.ccOf(run), new Map([[r3, rc]]));
    return undefined;
  });
}
