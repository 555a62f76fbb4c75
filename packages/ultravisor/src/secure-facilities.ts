// The facility list a secure CPU's STFLE shows (docs/ultravisor.md §1): the host's list for the
// configuration as the Ultravisor presents it to a secure guest. It adds the Ultravisor-call
// facility (158: Linux and kvm-unit-tests decide "protected guest" by it) and the
// storage-key-removal facility (169: a secure guest has no storage keys, so the key instructions
// are special-operation exceptions, kvm-unit-tests s390x/skrf.c), and withdraws the facilities
// built on storage keys: 10 conditional SSKE, 14 non-quiescing key setting, 66 RRBM, 145 ISKE's
// reference bits multiple, 149 move page and set key. It also withdraws the extended-length SCCB
// facility (140): a secure guest's SCCB goes through the one-page secure instruction data area,
// so it cannot cross its page (kvm-unit-tests' skrf checks 140 is absent). [E] Nothing else changes.

/** The Ultravisor-call facility. */
export const ULTRAVISOR_CALL_FACILITY = 158;
/** The storage-key-removal facility. */
export const STORAGE_KEY_REMOVAL_FACILITY = 169;
/** Facilities that need storage keys, absent with storage-key removal. */
export const STORAGE_KEY_FACILITIES: readonly number[] = [10, 14, 66, 145, 149];

/** The extended-length SCCB facility, which needs SCCBs beyond one page. */
export const EXTENDED_LENGTH_SCCB_FACILITY = 140;

/** The facilities a secure guest sees, from those the host offers the configuration (ascending). */
export function secureGuestFacilities(hostFacilities: readonly number[]): number[] {
  const bits = new Set(hostFacilities.filter((bit) => !STORAGE_KEY_FACILITIES.includes(bit) && bit !== EXTENDED_LENGTH_SCCB_FACILITY));
  bits.add(ULTRAVISOR_CALL_FACILITY);
  bits.add(STORAGE_KEY_REMOVAL_FACILITY);
  return [...bits].sort((a, b) => a - b);
}
