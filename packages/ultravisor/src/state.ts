// The UV's private state (spec ultravisor.md §7 [E]): secure configurations with their secrets,
// export records and dump state; secure CPUs holding their register snapshots; and who owns each
// host page. Nothing here is reachable through the host's storage view.
import type { CpuSnapshot } from '@pvdump/s390x-cpu/state';
import type { BatchXts } from '@pvdump/pv-format';
import type { HostKeyPair } from './host-key/index.js';
import type { RandomSource } from './random.js';
import type { ExportRecords } from './storage/export-records.js';
import type { HostStorage } from './storage/host-storage.js';
import type { UnpackDigests } from './unpack-digests.js';
import type { PvCpuStateValue } from './uvc/codes.js';

/** How the UV encrypts exported pages: `node` batches pages through node:crypto, `noble` is the reference. */
export type ExportBackend = 'node' | 'noble';

/** What the UV keeps from an opened SE header. */
export interface ConfigurationSecrets {
  cck: Uint8Array;
  imageXtsKey: Uint8Array;
  psw: { mask: bigint; addr: bigint };
  pcf: bigint;
  scf: bigint;
  encryptedPageCount: bigint;
  pageListDigest: Uint8Array;
  addressListDigest: Uint8Array;
  tweakListDigest: Uint8Array;
}

export interface DumpState {
  seed: Uint8Array;
  key: Uint8Array;
}

export interface StorageRange {
  origin: number;
  length: number;
}

export interface SecureConfiguration {
  handle: bigint;
  asce: bigint;
  guestStorageLength: number;
  sca: bigint;
  baseStorage: StorageRange;
  variableStorage: StorageRange;
  cpus: Map<number, SecureCpu>;
  secrets: ConfigurationSecrets | undefined;
  digests: UnpackDigests | undefined;
  verified: boolean;
  resetPrepared: boolean;
  /** [E] A CPU was set operating-load since VERIFY: later loads are load-normal resets of the guest. */
  started: boolean;
  /** Export XTS key (key1 ‖ key2, halves different), tweak nonce and counter (spec §7.2-§7.3). */
  exportKey: Uint8Array;
  tweakNonce: Uint8Array;
  exportCounter: number;
  /** Guest page index → host page index, for every secure (imported or unpacked) page. */
  securePages: Map<number, number>;
  /** Guest page indexes of secure pages the guest shared. */
  sharedPages: Set<number>;
  /** The record (export counter, ciphertext SHA-256) of every exported page, by guest page index. */
  exported: ExportRecords;
  /** The export key's batched XTS (its key schedule), made on the first export; disposed on wipe. */
  exportCipher: BatchXts | undefined;
  dump: DumpState | undefined;
}

export interface SecureCpu {
  handle: bigint;
  config: SecureConfiguration;
  number: number;
  storage: StorageRange;
  stateOrigin: bigint;
  state: PvCpuStateValue;
  snapshot: CpuSnapshot;
  /** Registers the pending instruction interception exposes to the host; undefined if none pending. */
  pendingInterception: readonly number[] | undefined;
  /** The status store the pending SIGP interception makes when it completes (secure-status-store.ts). */
  pendingStatusStore: PendingStatusStore | undefined;
  /** Whether completing the pending interception takes the host's condition code (false: the instruction keeps it). */
  pendingSetsConditionCode?: boolean;
}

/** A status store waiting for an intercepted SIGP's completion. */
export interface PendingStatusStore {
  /** CPU address of the target. */
  target: number;
  /** Guest absolute address of the save area. */
  absolute: number;
  /** Also set the architectural-mode id (stop and store status). */
  archMode: boolean;
}

export type PageOwner = { kind: 'secure'; config: SecureConfiguration; guestPage: number } | { kind: 'donated'; what: string };

/** A guest page's state changed; lets a host model keep its CPU view in step. */
export type GuestPageListener = (configHandle: bigint, guestAddress: number, state: 'secure' | 'shared' | 'non-secure') => void;

/** A host page became accessible to the host's CPUs or stopped being so (donated, secure, shared, returned). */
export type HostPageListener = (hostPage: number, accessible: boolean) => void;

/**
 * How the UV reaches a host storage operand that the host names by a virtual address (the SE
 * header of SET_SEC_CONF_PARAMS: Linux passes a vmalloc address, translated in the home space):
 * its bytes, or undefined when an access exception is recognised.
 */
export type HostOperandReader = (origin: bigint, length: number) => Uint8Array | undefined;

/** Maps a guest absolute address of the configuration with `asce` to a host absolute address. */
export type GuestTranslator = (asce: bigint, guestAddress: number) => number | undefined;

export interface UvContext {
  storage: HostStorage;
  random: RandomSource;
  hostKeys: readonly HostKeyPair[];
  translate: GuestTranslator;
  listener: GuestPageListener | undefined;
  hostPageListener: HostPageListener | undefined;
  /** The operand reader of the call in progress (absolute host storage when undefined). */
  hostOperandReader: HostOperandReader | undefined;
  uvStorage: StorageRange | undefined;
  /** How many host CPUs run besides the one issuing INIT_UV (INIT_UV wants exactly one: rc 0x102). */
  runningHostCpus: () => number;
  /** Lowest UV storage origin INIT_UV accepts (rc 0x108 below it). */
  minimumUvStorageOrigin: bigint;
  configs: Map<bigint, SecureConfiguration>;
  cpus: Map<bigint, SecureCpu>;
  pageOwners: Map<number, PageOwner>;
  nextConfigNumber: number;
  /** How exports are encrypted (batched node:crypto or the noble reference; same bytes). */
  exportBackend: ExportBackend;
  nextCpuNumber: number;
}

/** Result of one UV call: condition code and the rc/rrc written to the header. */
export interface UvResult {
  cc: number;
  rc: number;
  rrc: number;
}
