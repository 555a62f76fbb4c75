// The program-status word as plain data (docs/s390x-cpu.md §2): a 64-bit mask (bits 0–63) and a
// 64-bit instruction address (bits 64–127), as the CPU loads it, store status saves it, the
// Ultravisor's CPU dump seals it and NT_PRSTATUS carries it.

/** A 16-byte z/Architecture PSW. */
export interface Psw {
  mask: bigint;
  addr: bigint;
}

/** Size of a 16-byte PSW in storage and in every save area. */
export const PSW_BYTES = 16;
