// Errors of the emulated UV. Architecture events (the host touching protected storage, a bad
// UVCB address) are exceptions the caller's CPU model turns into program interruptions; a failed
// UV call is not an exception (cc/rc say it), but `UvCallFailedError` lets callers that require
// success say which call failed and why. Every error of this package about bad input extends
// `UltravisorUserError` (`userError = true`: the CLI prints the message without a stack trace).

/** Base of this package's errors: a problem with the caller's input or request, not a bug. */
export class UltravisorUserError extends Error {
  override readonly name: string = 'UltravisorUserError';
  readonly userError = true;
}

/** A user error whose `reason` is a fixed union, so callers can act on it (e.g. map it to a UV rc). */
export class ReasonedUserError<Reason extends string> extends UltravisorUserError {
  constructor(
    readonly reason: Reason,
    message: string,
  ) {
    super(message);
  }
}

/** The host touched a secure page or donated UV storage (PGM 0x3D, secure-storage access). */
export class SecureStorageAccessError extends UltravisorUserError {
  override readonly name = 'SecureStorageAccessError';
  readonly programInterruptionCode = 0x3d;
  constructor(
    /** Host absolute address of the first protected byte touched. */
    readonly address: number,
    readonly reason: 'secure-page' | 'donated-storage',
  ) {
    super(`host access to protected storage at host address 0x${address.toString(16)} (${reason === 'secure-page' ? 'a secure guest page: export it first' : 'storage donated to the Ultravisor'})`);
  }
}

/** The UVC instruction itself failed: the control block is misaligned or not addressable. */
export class UvcProgramException extends UltravisorUserError {
  override readonly name = 'UvcProgramException';
  constructor(
    /** Program-interruption code: 0x05 addressing, 0x06 specification. */
    readonly programInterruptionCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A UV call that the caller required to succeed ended with cc != 0. */
export class UvCallFailedError extends UltravisorUserError {
  override readonly name = 'UvCallFailedError';
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
export class SecureCpuError extends UltravisorUserError {
  override readonly name = 'SecureCpuError';
}
