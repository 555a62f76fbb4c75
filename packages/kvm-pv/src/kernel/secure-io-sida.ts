// The SIE's part in a secure CPU's channel-subsystem instructions (Linux
// Documentation/virt/kvm/s390-pv.rst "Instruction emulation": instruction data moves through the
// SIDA; QEMU 7.2's ioinst.c reads and writes a protected guest's I/O control block at SIDA
// offset 0 with s390_cpu_pv_mem_*). The CPU has already recognised the operand's alignment and
// access exceptions before it intercepts (s390x-cpu intercepted.ts); here:
// - the operand a host reads (MSCH's SCHIB, SSCH's ORB, CHSC's request block) is copied into the
//   SIDA at offset 0; an operand the host only stores (STSCH, TSCH, STCRW, STCPS) starts as zeros;
// - on re-entry the SIDA goes back to the operand when the instruction stores it with the
//   condition code the host set (STSCH cc 0; TSCH and STCRW cc 0 and 1; CHSC cc 0; STCPS always)
//   and no program interruption was injected for it;
// - STSCH's subsystem-identification word is checked by the Ultravisor itself (QEMU: "The
//   Ultravisor checks schid bit 16 to be one and bits 0-12 to be 0 and injects a operand
//   exception itself"): such a STSCH never reaches the host.
// [E] The operand's bytes, page by page: an operand crossing a page boundary moves in two pieces.
import { PGM_OPERAND, type Cpu, type InstructionInterception } from '@pvdump/s390x-cpu';

const PAGE = 0x1000;

/** An I/O instruction's operand as the SIE moves it: its length, whether the host reads it, and the condition codes with which it is stored. */
interface SidaOperand {
  length: number;
  fetched: boolean;
  storedOn: (cc: number) => boolean;
}

const never = (): boolean => false;

/** [E] Lengths as the CPU checks them (s390x-cpu intercepted.ts): SCHIB 52, ORB words 0-2, IRB 64 (no extended measurement word), CRW 4, channel-path-status word 32, CHSC 4 KiB. */
const IO_OPERANDS: Readonly<Record<string, SidaOperand>> = {
  msch: { length: 52, fetched: true, storedOn: never },
  ssch: { length: 12, fetched: true, storedOn: never },
  stsch: { length: 52, fetched: false, storedOn: (cc) => cc === 0 },
  tsch: { length: 64, fetched: false, storedOn: (cc) => cc === 0 || cc === 1 },
  stcrw: { length: 4, fetched: false, storedOn: (cc) => cc === 0 || cc === 1 },
  stcps: { length: 32, fetched: false, storedOn: () => true },
  chsc: { length: PAGE, fetched: true, storedOn: (cc) => cc === 0 },
};

/** Whether the SIE moves this intercepted instruction's operand through the SIDA. */
export function isSidaIoInstruction(mnemonic: string): boolean {
  return Object.hasOwn(IO_OPERANDS, mnemonic);
}

/** Where the SIDA goes back to on re-entry: the operand's pieces (guest absolute address, length) and when it is stored. */
export interface SidaCopyBack {
  pieces: readonly { absolute: number; length: number }[];
  storedOn: (cc: number) => boolean;
}

/** What the SIE needs of the machine: making a guest page accessible to it (importing it). */
export interface SidaSie {
  sida: Uint8Array;
  importForSie(absolute: number): boolean;
  read(absolute: number, length: number): Uint8Array;
}

/** The result: the host intercepts with the SIDA filled, or the SIE presented a program interruption itself. */
export type SidaIoResult = { kind: 'intercept'; copyBack: SidaCopyBack } | { kind: 'presented' };

/** The Ultravisor's check of STSCH's subsystem-identification word: bit 47 one, bits 32-44 zero. */
function uvSubsystemIdValid(gr1: bigint): boolean {
  const sid = Number(gr1 & 0xffffffffn);
  return (sid & 0x00010000) !== 0 && (sid & 0xfff80000) === 0;
}

/**
 * The SIE presents a program interruption for the intercepted instruction itself: the PSW (past
 * the instruction) goes back to it, and the interruption counts its length as for any exception
 * the instruction recognises (the old PSW past it for a suppressing code).
 */
export function presentForInterception(cpu: Cpu, interception: InstructionInterception, code: number): void {
  cpu.completeInterception();
  cpu.setPsw({ mask: cpu.getPsw().mask, addr: interception.address });
  cpu.deliverProgramInterruption(code, interception.length);
}

/** Prepares the SIDA for an intercepted I/O instruction of a secure CPU (the operand's address: the interception's). */
export function ioOperandToSida(cpu: Cpu, interception: InstructionInterception, sie: SidaSie): SidaIoResult {
  const operand = IO_OPERANDS[interception.mnemonic]!;
  const present = (code: number): SidaIoResult => {
    presentForInterception(cpu, interception, code);
    return { kind: 'presented' };
  };
  if (interception.mnemonic === 'stsch' && !uvSubsystemIdValid(cpu.getGpr(1))) return present(PGM_OPERAND);
  const logical = Number(interception.operandAddress ?? 0n);
  const pieces: { absolute: number; length: number }[] = [];
  for (let done = 0; done < operand.length;) {
    const at = logical + done;
    const length = Math.min(operand.length - done, PAGE - (at % PAGE));
    // Translated as the CPU's access was (it already recognised any exception).
    const absolute = cpu.absolute(at, operand.storedOn !== never);
    if (!sie.importForSie(absolute)) return present(0x05);
    pieces.push({ absolute, length });
    done += length;
  }
  sie.sida.fill(0);
  if (operand.fetched) {
    let offset = 0;
    for (const p of pieces) {
      sie.sida.set(sie.read(p.absolute, p.length), offset);
      offset += p.length;
    }
  }
  return { kind: 'intercept', copyBack: { pieces, storedOn: operand.storedOn } };
}
