// Which Linux signal a program interruption in user space becomes (Linux
// arch/s390/kernel/traps.c and QEMU linux-user/s390x/cpu_loop.c agree): operation, privileged
// operation, execute and specification → SIGILL; protection, addressing and translation → SIGSEGV;
// data, fixed-point overflow and divide → SIGFPE.

export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGFPE = 8;
export const SIGSEGV = 11;

const NAMES: Record<number, string> = {
  4: 'Illegal instruction',
  5: 'Trace/breakpoint trap',
  8: 'Floating point exception',
  11: 'Segmentation fault',
};

export function signalDescription(signal: number): string {
  return NAMES[signal] ?? `signal ${signal}`;
}

/** Signal for a program-interruption code (the PER bit 0x80 ignored). */
export function signalForProgramInterruption(code: number): number {
  switch (code & 0x7f) {
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x06:
      return SIGILL;
    case 0x07:
    case 0x08:
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x0e:
    case 0x0f:
    case 0x1b:
    case 0x1d:
      return SIGFPE;
    default:
      return SIGSEGV;
  }
}
