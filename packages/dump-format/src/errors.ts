/** The typed error every malformed or unusable dump raises. */

export type DumpErrorCode = 'io' | 'not-elf' | 'unsupported-elf' | 'truncated' | 'bad-program-headers' | 'bad-section-headers' | 'bad-note' | 'overlapping-segments' | 'too-large' | 'address-not-in-dump' | 'no-such-section' | 'bad-write';

/**
 * A problem with a dump file (or with what a caller asked the writer to produce). `offset` is the
 * file offset the problem was found at, when there is one. `userError` marks it as bad input for
 * the command line (printed without a stack trace).
 */
export class DumpFormatError extends Error {
  override readonly name = 'DumpFormatError';
  readonly userError = true;
  constructor(
    readonly code: DumpErrorCode,
    message: string,
    readonly offset?: number,
    /** The system error behind an `io` failure (e.g. EPIPE, ENOSPC), as `cause`. */
    options?: { cause?: unknown },
  ) {
    super(offset === undefined ? message : `${message} (at file offset 0x${offset.toString(16)})`, options);
  }
}

/** Hex for messages. */
export const hx = (n: number | bigint): string => '0x' + n.toString(16);
