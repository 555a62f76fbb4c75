// The SIE state description (the z/Architecture format-2 layout Linux KVM's
// `struct kvm_s390_sie_block` and kvm-unit-tests' `lib/s390x/sie.h` describe): the guest CPU's
// PSW, GPRs 14–15, control registers, prefix, timers and epoch, the interpretation controls, the
// storage origin and limit, and the interception fields SIE stores when it ends.

/** Byte offsets in the state description (512 bytes). */
export const SD = {
  CPUFLAGS: 0x00,
  /** Word: prefix in bits 1–18 (the guest prefix, 8 KiB aligned, below 2 GiB). */
  PREFIX: 0x04,
  CPU_TIMER: 0x28,
  CLOCK_COMPARATOR: 0x30,
  EPOCH: 0x38,
  ICTL: 0x48,
  ECA: 0x4c,
  ICPTCODE: 0x50,
  IPA: 0x56,
  IPB: 0x58,
  ECB: 0x61,
  EPOCH_EXTENSION: 0x69,
  TOD_PROGRAMMABLE: 0x6c,
  MSO: 0x80,
  MSL: 0x88,
  GPSW: 0x90,
  GG14: 0xa0,
  GG15: 0xa8,
  /** Partial-execution data of MVPG: page-table-entry addresses of the first and second operand. */
  PEI_DESTINATION: 0xc0,
  PEI_SOURCE: 0xc8,
  PGM_ILC: 0xcc,
  PGM_CODE: 0xce,
  DXC: 0xd0,
  TEID: 0xe8,
  GCR: 0x100,
  GBEA: 0x180,
  FACILITY_LIST: 0x1a0,
  ECD: 0x1c8,
} as const;

/** The prefix bits of the word at SD.PREFIX. */
export const SD_PREFIX_MASK = 0x7fffe000;

/** CPU flags: the guest's storage is translated by the host ASCE without MSO/MSL (pageable guest). */
export const CPUSTAT_SM = 0x80;

/** Interception controls (ICTL): intercept operation exceptions; intercept program interruptions. */
export const ICTL_OPEREXC = 0x80000000;
export const ICTL_PINT = 0x20000000;

/** Execution control A: MVPG interpretation (partial-execution interception on a host fault). */
export const ECA_MVPGI = 0x01000000;

/** Execution control D: multiple-epoch facility (epoch extension in use). */
export const ECD_MEF = 0x08000000;

/** Interception codes SIE stores at SD.ICPTCODE. */
export const ICPT = {
  /** No interception: a host event ended SIE; the host re-enters with the stored state. */
  NONE: 0x00,
  INSTRUCTION: 0x04,
  PROGRAM: 0x08,
  WAIT: 0x1c,
  VALIDITY: 0x20,
  OPERATION_EXCEPTION: 0x2c,
  PARTIAL_EXECUTION: 0x38,
} as const;

/** Validity-interception reasons (in the high half of SD.IPB). */
export const VALIDITY = {
  /** The facility-list designation has a format this machine does not interpret. */
  FACILITY_LIST_FORMAT: 0x1330,
  /**
   * [E] Guest storage that the host maps to frames not contiguous with the ones before them
   * (the guest's absolute storage is one contiguous run of host frames here).
   */
  NONCONTIGUOUS_STORAGE: 0xe001,
  /** [E] The state description is not inside host storage. */
  STATE_DESCRIPTION_ADDRESS: 0xe002,
} as const;
