// What an instruction interception of a secure CPU shows the host (docs/ultravisor.md §7.7,
// docs/kvm-pv-api.md §6). The host never sees a secure CPU's registers; for an instruction it
// must complete, the Ultravisor copies into the SIE state description only the registers that
// instruction's operands designate. That choice is architecture, so it is made here from the
// intercepted instruction itself, decoded with the instruction table and formats of
// @pvdump/s390x-cpu, never by the host or the interpreter.

import { pswAddressingMode, type CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { decodeInstruction, FORMAT_FIELDS, INSTRUCTIONS, keyOfOpcode, type OperandFields } from '@pvdump/s390x-cpu/isa';
import { SecureCpuError } from './errors.js';

/**
 * [E] The intercepted instructions and what each exposes (PoO operand definitions; the same
 * registers QEMU and KVM read to complete them): register fields of the format, `R1|1` (the odd
 * register of the pair R1 designates, SIGP's parameter), implicit GPRs by number, and whether
 * the second-operand address (function code, order code, operand location) is reported. `B2`
 * exposes the base register of that address, from which KVM computes the function or order code
 * itself (register 0 as a base means no register and exposes nothing).
 */
const EXPOSURE = {
  diag: { format: 'RS-a', registers: ['R1', 'R1|1', 'R3', 'B2'], operandAddress: true },
  sigp: { format: 'RS-a', registers: ['R1', 'R1|1', 'R3', 'B2'], operandAddress: true },
  servc: { format: 'RRE', registers: ['R1', 'R2'], operandAddress: false },
  stsi: { format: 'S', registers: [0, 1, 'B2'], operandAddress: true },
  uvc: { format: 'RRF-c', registers: ['R1', 'R2'], operandAddress: false },
  essa: { format: 'RRF-c', registers: ['R1', 'R2'], operandAddress: false },
  csch: { format: 'S', registers: [1], operandAddress: false },
  hsch: { format: 'S', registers: [1], operandAddress: false },
  msch: { format: 'S', registers: [1], operandAddress: true },
  ssch: { format: 'S', registers: [1], operandAddress: true },
  stsch: { format: 'S', registers: [1], operandAddress: true },
  tsch: { format: 'S', registers: [1], operandAddress: true },
  tpi: { format: 'S', registers: [], operandAddress: true },
  sal: { format: 'S', registers: [1], operandAddress: false },
  rsch: { format: 'S', registers: [1], operandAddress: false },
  stcrw: { format: 'S', registers: [], operandAddress: true },
  stcps: { format: 'S', registers: [], operandAddress: true },
  rchp: { format: 'S', registers: [1], operandAddress: false },
  schm: { format: 'S', registers: [1, 2], operandAddress: false },
  xsch: { format: 'S', registers: [1], operandAddress: false },
  chsc: { format: 'RRE', registers: ['R1'], operandAddress: false },
  ptf: { format: 'RRE', registers: ['R1'], operandAddress: false },
} as const satisfies Readonly<Record<string, { format: InterceptedFormat; registers: readonly unknown[]; operandAddress: boolean }>>;

type InterceptedFormat = 'RS-a' | 'RRE' | 'S' | 'RRF-c';

/**
 * [E] Intercepted instructions whose condition code stays as it was (PoO: SET ADDRESS LIMIT, SET
 * CHANNEL MONITOR, STORE CHANNEL PATH STATUS): completing them, the UV leaves the guest's
 * condition code alone whatever code the host's state description holds.
 */
const CONDITION_CODE_UNCHANGED: ReadonlySet<string> = new Set(['sal', 'schm', 'stcps']);

/** Whether completing an intercepted instruction takes the condition code the host sets. */
export function setsConditionCode(mnemonic: string): boolean {
  return !CONDITION_CODE_UNCHANGED.has(mnemonic);
}

/** Mnemonic of an instruction whose interception the Ultravisor passes to the host. */
export type InterceptedMnemonic = keyof typeof EXPOSURE;
type FormatOf<M extends InterceptedMnemonic> = (typeof EXPOSURE)[M]['format'];

/** The host's view of one intercepted instruction, by mnemonic. */
export type InstructionInterceptionReport = {
  [M in InterceptedMnemonic]: {
    mnemonic: M;
    /** Opcode in the instruction table's notation (0x83 DIAG, 0xb220 SERVC). */
    opcode: number;
    format: FormatOf<M>;
    /** The instruction bytes. */
    bytes: Uint8Array;
    /** Every operand field of the instruction's format. */
    fields: OperandFields<FormatOf<M>>;
    /** The exposed GPRs with their values, by ascending register number. */
    registers: ReadonlyMap<number, bigint>;
    /** Second-operand address D2(B2) in the CPU's addressing mode, where the instruction has one the host needs. */
    operandAddress?: bigint;
  };
}[InterceptedMnemonic];

interface ExposureRule {
  mnemonic: InterceptedMnemonic;
  opcode: number;
  registers: readonly (string | number)[];
  operandAddress: boolean;
}

/** The rules by opcode key, checked against the instruction table and formats when loaded. */
const RULES: ReadonlyMap<number, ExposureRule> = (() => {
  const rules = new Map<number, ExposureRule>();
  for (const [mnemonic, rule] of Object.entries(EXPOSURE) as [InterceptedMnemonic, (typeof EXPOSURE)[InterceptedMnemonic]][]) {
    const entry = INSTRUCTIONS.find((e) => e.mnemonic === mnemonic);
    if (entry === undefined) throw new Error(`interception table: ${mnemonic} is not in the instruction table`);
    if (entry.format !== rule.format) throw new Error(`interception table: ${mnemonic} has format ${entry.format}, not ${rule.format}`);
    const fields = FORMAT_FIELDS[entry.format].fields;
    for (const r of rule.registers as readonly (string | number)[]) {
      const field = typeof r === 'string' ? r.replace('|1', '') : undefined;
      if (field !== undefined && fields[field] === undefined) throw new Error(`interception table: ${mnemonic} exposes ${r}, but format ${entry.format} has no ${field}`);
    }
    if (rule.operandAddress && (fields.B2 === undefined || fields.D2 === undefined)) throw new Error(`interception table: ${mnemonic} has no second-operand address`);
    rules.set(keyOfOpcode(entry.opcode), { mnemonic, opcode: entry.opcode, registers: rule.registers, operandAddress: rule.operandAddress });
  }
  return rules;
})();

/** GPR numbers `rule` exposes for the decoded fields, ascending, without duplicates. */
function exposedRegisterNumbers(rule: ExposureRule, fields: Readonly<Record<string, number>>): number[] {
  const out: number[] = [];
  for (const r of rule.registers) {
    if (r === 'B2' && fields.B2 === 0) continue;
    const n = typeof r === 'number' ? r : r === 'R1|1' ? fields.R1! | 1 : fields[r]!;
    if (!out.includes(n)) out.push(n);
  }
  return out.sort((x, y) => x - y);
}

/** D2(B2) with the CPU's registers, wrapped to the PSW's addressing mode. */
function secondOperandAddress(cpu: CpuSnapshot, fields: Readonly<Record<string, number>>): bigint {
  const base = fields.B2 === 0 ? 0n : (cpu.gprs[fields.B2!] ?? 0n);
  const address = BigInt.asUintN(64, base + BigInt(fields.D2!));
  const mode = pswAddressingMode(cpu.psw.mask) ?? 64;
  return mode === 64 ? address : address & ((1n << BigInt(mode)) - 1n);
}

/**
 * The report of an instruction interception of `cpu` (its registers as the interception left
 * them): the instruction decoded from `bytes`, and the registers and operand address it exposes.
 * Throws SecureCpuError for bytes that are not an instruction the host completes.
 */
export function instructionInterceptionReport(cpu: CpuSnapshot, bytes: Uint8Array, cpuNumber: number): InstructionInterceptionReport {
  const decoded = decodeInstruction(bytes);
  const rule = decoded === undefined ? undefined : RULES.get(keyOfOpcode(decoded.entry.opcode));
  if (decoded === undefined || rule === undefined) {
    const hex = Buffer.from(bytes.subarray(0, 6)).toString('hex');
    throw new SecureCpuError(`secure CPU ${cpuNumber} stopped for instruction ${hex}, which is not one the host completes (DIAG, SIGP, SERVC, STSI, UVC, PTF, the I/O instructions)`);
  }
  const fields = decoded.fields as Readonly<Record<string, number>>;
  const registers = new Map<number, bigint>();
  for (const n of exposedRegisterNumbers(rule, fields)) registers.set(n, cpu.gprs[n] ?? 0n);
  const report = { mnemonic: rule.mnemonic, opcode: rule.opcode, format: decoded.format, bytes: decoded.bytes, fields: decoded.fields, registers } as InstructionInterceptionReport;
  if (rule.operandAddress) report.operandAddress = secondOperandAddress(cpu, fields);
  return report;
}
