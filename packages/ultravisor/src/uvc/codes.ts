// UV call command codes, installed-call bits, condition codes and return codes (spec ultravisor.md
// §1-§3 [P], and the emulator-defined codes of §7.5/§7.6 [E]).

/** UVC command codes [P]. */
export const UvCommand = {
  QUERY: 0x0001,
  INIT_UV: 0x000f,
  CREATE_SEC_CONF: 0x0100,
  DESTROY_SEC_CONF: 0x0101,
  CREATE_SEC_CPU: 0x0120,
  DESTROY_SEC_CPU: 0x0121,
  CONV_TO_SEC_STOR: 0x0200,
  CONV_FROM_SEC_STOR: 0x0201,
  DESTR_SEC_STOR: 0x0202,
  SET_SEC_CONF_PARAMS: 0x0300,
  UNPACK_IMG: 0x0301,
  VERIFY_IMG: 0x0302,
  CPU_RESET: 0x0310,
  CPU_RESET_INITIAL: 0x0311,
  PREPARE_RESET: 0x0320,
  CPU_RESET_CLEAR: 0x0321,
  CPU_SET_STATE: 0x0330,
  SET_UNSHARE_ALL: 0x0340,
  PIN_PAGE_SHARED: 0x0341,
  UNPIN_PAGE_SHARED: 0x0342,
  DUMP_INIT: 0x0400,
  DUMP_CONF_STOR_STATE: 0x0401,
  DUMP_CPU: 0x0402,
  DUMP_COMPLETE: 0x0403,
  SET_SHARED_ACCESS: 0x1000,
  REMOVE_SHARED_ACCESS: 0x1001,
} as const;
export type UvCommandCode = (typeof UvCommand)[keyof typeof UvCommand];

/** MSB-0 bit of each implemented command in the 256-bit installed-call list [P]. */
export const INSTALLED_CALL_BIT: Readonly<Record<UvCommandCode, number>> = {
  [UvCommand.QUERY]: 0,
  [UvCommand.INIT_UV]: 1,
  [UvCommand.CREATE_SEC_CONF]: 2,
  [UvCommand.DESTROY_SEC_CONF]: 3,
  [UvCommand.CREATE_SEC_CPU]: 4,
  [UvCommand.DESTROY_SEC_CPU]: 5,
  [UvCommand.CONV_TO_SEC_STOR]: 6,
  [UvCommand.CONV_FROM_SEC_STOR]: 7,
  [UvCommand.SET_SHARED_ACCESS]: 8,
  [UvCommand.REMOVE_SHARED_ACCESS]: 9,
  [UvCommand.SET_SEC_CONF_PARAMS]: 11,
  [UvCommand.DESTR_SEC_STOR]: 12,
  [UvCommand.UNPACK_IMG]: 13,
  [UvCommand.VERIFY_IMG]: 14,
  [UvCommand.CPU_RESET]: 15,
  [UvCommand.CPU_RESET_INITIAL]: 16,
  [UvCommand.CPU_SET_STATE]: 17,
  [UvCommand.PREPARE_RESET]: 18,
  [UvCommand.CPU_RESET_CLEAR]: 19,
  [UvCommand.SET_UNSHARE_ALL]: 20,
  [UvCommand.PIN_PAGE_SHARED]: 21,
  [UvCommand.UNPIN_PAGE_SHARED]: 22,
  [UvCommand.DUMP_INIT]: 24,
  [UvCommand.DUMP_CONF_STOR_STATE]: 25,
  [UvCommand.DUMP_CPU]: 26,
  [UvCommand.DUMP_COMPLETE]: 27,
};

/** Commands a guest issues (from inside the secure configuration), not the host. */
export const GUEST_COMMANDS: ReadonlySet<number> = new Set([UvCommand.SET_SHARED_ACCESS, UvCommand.REMOVE_SHARED_ACCESS]);

/** Condition codes of the UVC instruction [P]. */
export const UvCondition = { OK: 0, ERROR: 1, BUSY: 2, PARTIAL: 3 } as const;
export type UvConditionCode = (typeof UvCondition)[keyof typeof UvCondition];

/** Generic return codes [P]. */
export const UvRc = {
  EXECUTED: 0x0001,
  INV_CMD: 0x0002,
  INV_STATE: 0x0003,
  INV_LEN: 0x0005,
  NO_RESUME: 0x0007,
  INV_GHANDLE: 0x0020,
  INV_CHANDLE: 0x0021,
  MORE_DATA: 0x0100,
  NEED_DESTROY: 0x8000,
} as const;

/** INIT_UV return codes [P]. */
export const InitRc = {
  ALREADY_INITIALISED: 0x0101,
  TOO_MANY_CPUS: 0x0102,
  BAD_STORAGE_LENGTH: 0x0103,
  BAD_ORIGIN: 0x0104,
  BAD_ORIGIN_PLUS_LENGTH: 0x0105,
  STORAGE_BELOW_2G: 0x0108,
} as const;

/** CREATE_SEC_CONF return codes: [P] values (0x105 also for an ASCE another configuration uses [E]), plus [E] 0x0110 (limit of configurations reached). */
export const CreateConfRc = {
  MSO_TOO_LARGE: 0x0101,
  MSO_PLUS_MSL_TOO_LARGE: 0x0102,
  INVALID_ASCE: 0x0105,
  BASE_STORAGE_INVALID: 0x0108,
  BASE_STORAGE_OVERLAPS_LOWCORE: 0x0109,
  SCA_ZERO: 0x010c,
  SCA_INACCESSIBLE: 0x010d,
  VAR_STORAGE_OVERLAPS_LOWCORE: 0x010e,
  /** [E] max_num_sec_conf configurations exist already. */
  TOO_MANY_CONFIGURATIONS: 0x0110,
  /** [E] donated storage already donated to another object. */
  STORAGE_IN_USE: 0x0111,
} as const;

/** CREATE_SEC_CPU return codes [P], plus [E] 0x0110 (donated storage in use). */
export const CreateCpuRc = {
  INVALID_CPU_NUMBER: 0x0103,
  CPU_ALREADY_DEFINED: 0x0104,
  STORAGE_INACCESSIBLE: 0x0105,
  STORAGE_IN_LOWCORE: 0x0106,
  STATE_DESCRIPTION_INACCESSIBLE: 0x0107,
  /** [E] donated storage already donated to another object. */
  STORAGE_IN_USE: 0x0110,
} as const;

/** SET_SEC_CONF_PARAMS return codes: 0x103 and 0x108 [P]; the rest [E]. */
export const SetParamsRc = {
  /** [P] an access exception on the header (kvm-unit-tests' uv-host: an invalid page, or one crossed into). */
  HEADER_ACCESS_EXCEPTION: 0x0103,
  NO_KEY_SLOT: 0x0108,
  /** [E] header authentication/decryption failed (tampered header). */
  HEADER_INVALID: 0x0109,
  /** [E] header version not supported. */
  UNSUPPORTED_VERSION: 0x010a,
  /** [E] header too short/long, bad magic or inconsistent sizes. */
  HEADER_MALFORMED: 0x010b,
  /** [E] parameters already set for this configuration. */
  ALREADY_SET: 0x010d,
  /** [E] a PCF bit that this UV does not support is set. */
  UNSUPPORTED_PCF: 0x010e,
} as const;

/** UNPACK_IMG / VERIFY_IMG return codes [E]. */
export const ImageRc = {
  /** [E] UNPACK_IMG before SET_SEC_CONF_PARAMS, or after VERIFY_IMG. */
  NO_HEADER: 0x0101,
  /** [E] gaddr not page aligned or outside the guest storage. */
  BAD_ADDRESS: 0x0102,
  /** [E] the page is already secure (unpacked twice). */
  PAGE_ALREADY_SECURE: 0x0103,
  /** [E] VERIFY_IMG: page count or a digest does not match the header. */
  VERIFY_FAILED: 0x0104,
  /** [E] the target page is not mapped by the host. */
  PAGE_NOT_MAPPED: 0x010a,
} as const;

/** Storage conversion return codes: 0x10A (import) and 0x107 (destroy) [P]; the rest [E]. */
export const StorageRc = {
  /** [E] paddr/gaddr outside host memory, or guest address not page aligned / beyond the guest. */
  BAD_ADDRESS: 0x0106,
  /** [P] destroy: page not secure (rrc 0x0D). */
  NOT_SECURE: 0x0107,
  /** [P] import: the guest page has no host page mapped. */
  PAGE_NOT_MAPPED: 0x010a,
  /** [E] the page belongs to another configuration or is donated UV storage. */
  WRONG_OWNER: 0x010b,
  /** [E] pin: the page is secure and not shared. */
  NOT_SHARED: 0x010c,
  /** [E] export counter exhausted (2^32 - 1 exports). */
  EXPORT_LIMIT: 0x010d,
  /** [E] import integrity check failed: the exported page was changed. */
  INTEGRITY: 0x0110,
} as const;
export const DESTROY_NOT_SECURE_RRC = 0x000d;

/** CPU state / reset return codes [E]. */
export const CpuStateRc = {
  /** [E] CPU_SET_STATE with a state value that is not 1, 2, 3 or 5. */
  INVALID_STATE: 0x0101,
  /** [E] operating-load before the image was verified. */
  NOT_VERIFIED: 0x0102,
  /** [E] operating-load of a load-normal reset while the guest's absolute page 0 is not secure. */
  NO_SECURE_PSW: 0x0103,
} as const;

/** Shared-access (guest) return codes [E]. */
export const ShareRc = {
  /** [E] address not page aligned or outside the guest storage. */
  BAD_ADDRESS: 0x0101,
  /** [E] the page is not secure (must be imported before it can be shared). */
  NOT_SECURE: 0x0102,
} as const;

/** Dump call return codes (spec §7.6) [E]. */
export const DumpRc = {
  NOT_ALLOWED: 0x0101,
  /** Reserved: only an add-secret request can disable dumping, and ADD_SECRET is not installed. */
  DISABLED_BY_SECRET: 0x0102,
  IN_PROGRESS: 0x0103,
  NOT_VERIFIED: 0x0104,
  NOT_DUMPING: 0x0105,
  GADDR_NOT_ALIGNED: 0x0106,
  GADDR_TOO_LARGE: 0x0107,
  BAD_ORIGIN: 0x0108,
} as const;

/** PV CPU states for CPU_SET_STATE [P]. */
export const PvCpuState = { OPERATING: 1, STOPPED: 2, CHECK_STOP: 3, OPERATING_LOAD: 5 } as const;
export type PvCpuStateValue = (typeof PvCpuState)[keyof typeof PvCpuState];
