// Program-interruption codes and ending types (spec s390x-cpu.md §5), and the objects the
// interpreter throws to leave an instruction early: a program interruption to deliver through
// the lowcore, or an interception that stops the CPU for the host.

export const PGM_OPERATION = 0x01;
export const PGM_PRIVILEGED = 0x02;
export const PGM_EXECUTE = 0x03;
export const PGM_PROTECTION = 0x04;
export const PGM_ADDRESSING = 0x05;
export const PGM_SPECIFICATION = 0x06;
export const PGM_DATA = 0x07;
export const PGM_FIXED_POINT_OVERFLOW = 0x08;
export const PGM_FIXED_POINT_DIVIDE = 0x09;
export const PGM_DECIMAL_OVERFLOW = 0x0a;
export const PGM_DECIMAL_DIVIDE = 0x0b;
export const PGM_HFP_EXPONENT_OVERFLOW = 0x0c;
export const PGM_HFP_EXPONENT_UNDERFLOW = 0x0d;
export const PGM_HFP_SIGNIFICANCE = 0x0e;
export const PGM_HFP_DIVIDE = 0x0f;
export const PGM_SEGMENT_TRANSLATION = 0x10;
export const PGM_PAGE_TRANSLATION = 0x11;
export const PGM_TRANSLATION_SPECIFICATION = 0x12;
export const PGM_SPECIAL_OPERATION = 0x13;
export const PGM_OPERAND = 0x15;
export const PGM_VECTOR_PROCESSING = 0x1b;
export const PGM_ASCE_TYPE = 0x38;
export const PGM_REGION_FIRST_TRANSLATION = 0x39;
export const PGM_REGION_SECOND_TRANSLATION = 0x3a;
export const PGM_REGION_THIRD_TRANSLATION = 0x3b;
export const PGM_SECURE_STORAGE_ACCESS = 0x3d;
export const PGM_NON_SECURE_STORAGE_ACCESS = 0x3e;
export const PGM_SECURE_STORAGE_VIOLATION = 0x3f;
export const PGM_MONITOR_EVENT = 0x40;

/** Data-exception codes (DXC) for the AFP/vector enablement checks (§4). */
export const DXC_AFP_REGISTER = 0x01;
export const DXC_BFP_INSTRUCTION = 0x02;
export const DXC_DFP_INSTRUCTION = 0x03;
export const DXC_VECTOR = 0xfe;

/**
 * Whether an exception nullifies the instruction (old PSW points at it, so it is retried) rather
 * than suppressing or completing it (old PSW points at the next instruction). Translation and
 * secure-storage exceptions nullify; the rest advance, as QEMU does.
 */
export function isNullifying(code: number): boolean {
  switch (code & 0x7f) {
    case PGM_SEGMENT_TRANSLATION:
    case PGM_PAGE_TRANSLATION:
    case PGM_ASCE_TYPE:
    case PGM_REGION_FIRST_TRANSLATION:
    case PGM_REGION_SECOND_TRANSLATION:
    case PGM_REGION_THIRD_TRANSLATION:
    case PGM_SECURE_STORAGE_ACCESS:
    case PGM_NON_SECURE_STORAGE_ACCESS:
      return true;
    default:
      return false;
  }
}

const PGM_NAMES: Record<number, string> = {
  0x01: 'operation',
  0x02: 'privileged operation',
  0x03: 'execute',
  0x04: 'protection',
  0x05: 'addressing',
  0x06: 'specification',
  0x07: 'data',
  0x08: 'fixed-point overflow',
  0x09: 'fixed-point divide',
  0x0a: 'decimal overflow',
  0x0b: 'decimal divide',
  0x0c: 'HFP exponent overflow',
  0x0d: 'HFP exponent underflow',
  0x0e: 'HFP significance',
  0x0f: 'HFP divide',
  0x10: 'segment translation',
  0x11: 'page translation',
  0x12: 'translation specification',
  0x13: 'special operation',
  0x15: 'operand',
  0x1b: 'vector processing',
  0x38: 'ASCE type',
  0x39: 'region-first translation',
  0x3a: 'region-second translation',
  0x3b: 'region-third translation',
  0x3d: 'secure-storage access',
  0x3e: 'non-secure-storage access',
  0x3f: 'secure-storage violation',
  0x40: 'monitor event',
};

/** Human-readable name of a program-interruption code. */
export function programInterruptionName(code: number): string {
  return PGM_NAMES[code & 0x7f] ?? `code 0x${code.toString(16)}`;
}

/**
 * Thrown by instruction semantics (through `Cpu.programException`) to abandon the instruction and
 * deliver a program interruption. `dxc` is set for data exceptions.
 */
export class ProgramException {
  constructor(
    readonly code: number,
    readonly dxc = 0,
    /** Translation-exception identification for access exceptions (a bigint when not exact as a number). */
    readonly teid: number | bigint = 0,
  ) {}
}

/** Description of an instruction the host must complete (DIAG, SIGP, SERVC, STSI, I/O, ...). */
export interface InstructionInterception {
  /** Mnemonic from the instruction table, e.g. `diag`, `sigp`. */
  mnemonic: string;
  /** Address of the intercepted instruction. */
  address: bigint;
  /** Length in bytes (2, 4 or 6). */
  length: number;
  /** The instruction bytes. */
  bytes: Uint8Array;
  /** Decoded operand fields by their format names (R1, R3, B2, D2, ...). */
  fields: Record<string, number>;
  /** Second-operand effective address where the format has one. */
  operandAddress?: bigint;
}

/** Thrown by semantics to stop the CPU with an instruction interception. */
export class InterceptionRequest {
  constructor(readonly interception: InstructionInterception) {}
}

/** Thrown by storage access when the page handler asks to stop the CPU. */
export class PageAccessStop {
  constructor(
    readonly absoluteAddress: number,
    readonly write: boolean,
  ) {}
}
