// Errors of the emulated UV. Architecture events (the host touching protected storage, a bad
// UVCB address) are exceptions the caller's CPU model turns into program interruptions; a failed
// UV call is not an exception (cc/rc say it), but `UvCallFailedError` lets callers that require
// success say which call failed and why.

/** The host touched a secure page or donated UV storage (PGM 0x3D, secure-storage access). */
export class SecureStorageAccessError extends Error {
  override readonly name = 'SecureStorageAccessError';
  readonly userError = true;
  readonly programInterruptionCode = 0x3d;
  constructor(
    /** Host absolute address of the first protected byte touched. */
    readonly address: number,
    readonly reason: 'secure-page' | 'donated-storage',
  ) {
    super(
      `host access to protected storage at host address 0x${address.toString(16)} (${reason === 'secure-page' ? 'a secure guest page: export it first' : 'storage donated to the Ultravisor'})`,
    );
  }
}

/** The UVC instruction itself failed: the control block is misaligned or not addressable. */
export class UvcProgramException extends Error {
  override readonly name = 'UvcProgramException';
  readonly userError = true;
  constructor(
    /** Program-interruption code: 0x05 addressing, 0x06 specification. */
    readonly programInterruptionCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A UV call that the caller required to succeed ended with cc != 0. */
export class UvCallFailedError extends Error {
  override readonly name = 'UvCallFailedError';
  readonly userError = true;
  constructor(
    readonly command: string,
    readonly cc: number,
    readonly rc: number,
    readonly rrc: number,
  ) {
    super(`UV call ${command} failed: cc ${cc}, rc 0x${rc.toString(16).padStart(4, '0')}, rrc 0x${rrc.toString(16).padStart(4, '0')}`);
  }
}

/** Returns `result` if the call succeeded (cc 0), else throws UvCallFailedError naming `command`. */
export function requireUvSuccess<T extends { cc: number; rc: number; rrc: number }>(command: string, result: T): T {
  if (result.cc !== 0) throw new UvCallFailedError(command, result.cc, result.rc, result.rrc);
  return result;
}

/** A secure-CPU operation the UV refuses outside a UV call (e.g. running a stopped CPU). */
export class SecureCpuError extends Error {
  override readonly name = 'SecureCpuError';
  readonly userError = true;
}
