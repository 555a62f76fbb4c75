// The facility list a secure guest sees: 158 and 169 added, the storage-key facilities and the
// extended-length SCCB facility withdrawn, everything else as the host offers it.
import { describe, expect, it } from 'vitest';
import { EXTENDED_LENGTH_SCCB_FACILITY, STORAGE_KEY_FACILITIES, STORAGE_KEY_REMOVAL_FACILITY, ULTRAVISOR_CALL_FACILITY, secureGuestFacilities } from '../src/index.ts';

describe('secureGuestFacilities', () => {
  it('adds 158 and 169, withdraws 10, 14, 66, 145, 149 and 140, keeps the rest in order', () => {
    const host = [0, 1, 2, 10, 14, 17, 66, 74, 129, 140, 145, 147, 149];
    expect(secureGuestFacilities(host)).toEqual([0, 1, 2, 17, 74, 129, 147, ULTRAVISOR_CALL_FACILITY, STORAGE_KEY_REMOVAL_FACILITY]);
    expect(STORAGE_KEY_FACILITIES).toEqual([10, 14, 66, 145, 149]);
    expect(EXTENDED_LENGTH_SCCB_FACILITY).toBe(140);
  });

  it('does not duplicate a facility the host already lists', () => {
    expect(secureGuestFacilities([158, 169])).toEqual([158, 169]);
  });
});
