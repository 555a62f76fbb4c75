// Store status of a secure CPU (PoO "SIGNAL PROCESSOR" orders 0x09 stop and store status and 0x0E
// store status at address; docs/s390x-cpu.md §6 for the save area). A secure CPU's registers
// are the UV's, so the host cannot store them: for a protected guest QEMU's s390_store_status
// stores nothing and answers the order as accepted, and the status is stored "when this CPU
// enters SIE again", i.e. when the SIGP's issuer re-enters with condition code 0. The UV then
// writes the target's 512-byte save area into the configuration's storage: at absolute 0x1200
// with the architectural-mode id 1 at absolute 0xA3 for stop and store status, at the parameter's
// 512-byte-aligned address below 2 GiB (bits 33-54) for store status at address.
// [E] The area is stored as the target's registers are at that re-entry (the VMM stopped it
// while serving the order); an area past the configuration's storage, or a target address with
// no secure CPU, stores nothing, as the host already chose the condition code.
import { ARCH_MODE_ID_ABSOLUTE, STORE_STATUS, STORE_STATUS_ABSOLUTE, encodeStoreStatus, type CpuSnapshot } from '@pvdump/s390x-cpu/state';
import type { InstructionInterceptionReport } from './interception.js';
import type { PendingStatusStore, SecureConfiguration } from './state.js';

/** SIGP orders whose status store the UV performs for a secure guest. */
const STOP_AND_STORE_STATUS = 0x09;
const STORE_STATUS_AT_ADDRESS = 0x0e;
const STATUS_ADDRESS_MASK = 0x7ffffe00n;

/** A store the SIE makes into guest absolute storage when it re-enters the CPU. */
export interface GuestStore {
  /** Guest absolute address. */
  absolute: number;
  bytes: Uint8Array;
}

/** The status store an intercepted instruction asks for when it completes, if any (read from the issuer's registers). */
export function pendingStatusStoreOf(interception: InstructionInterceptionReport, issuer: CpuSnapshot): PendingStatusStore | undefined {
  if (interception.mnemonic !== 'sigp') return undefined;
  const order = Number((interception.operandAddress ?? 0n) & 0xffn);
  const { R1, R3 } = interception.fields as Readonly<Record<string, number>>;
  const target = Number((issuer.gprs[R3!] ?? 0n) & 0xffffn);
  if (order === STOP_AND_STORE_STATUS) return { target, absolute: STORE_STATUS_ABSOLUTE, archMode: true };
  if (order === STORE_STATUS_AT_ADDRESS) return { target, absolute: Number((issuer.gprs[R1! | 1] ?? 0n) & STATUS_ADDRESS_MASK), archMode: false };
  return undefined;
}

/** The guest stores that complete `pending` in `config` (none when the target or the area is not there). */
export function statusStores(config: SecureConfiguration, pending: PendingStatusStore): GuestStore[] {
  const target = config.cpus.get(pending.target);
  if (target === undefined || pending.absolute + STORE_STATUS.SIZE > config.guestStorageLength) return [];
  const stores: GuestStore[] = [{ absolute: pending.absolute, bytes: encodeStoreStatus(target.snapshot) }];
  if (pending.archMode) stores.push({ absolute: ARCH_MODE_ID_ABSOLUTE, bytes: Uint8Array.of(1) });
  return stores;
}
