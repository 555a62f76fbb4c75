// The Ultravisor-call facility (158) for a plain guest that acts as the UV's host, as a
// bare-metal kernel on an LPAR with Secure Execution has it (docs/ultravisor.md §1, §3) [E]: the
// guest's absolute storage is the UV's host storage, so the configurations and CPUs the guest
// creates live in that UV, and storage it donates becomes inaccessible to its CPUs (they get
// secure-storage access exceptions, PGM 0x3D). The UVC is served here, in the machine, as the
// SIE serves a secure guest's: a non-zero M3 field is a specification exception; the control
// block (8-byte aligned, else a specification exception) is addressed in the home space when DAT
// is on (real otherwise), all `len` bytes of it, up to 4 KiB, are fetched first (an access
// exception is the guest's program interruption, nullifying for translation exceptions); the SE
// header of SET_SEC_CONF_PARAMS is read the same way (an access exception there is rc 0x103);
// the block goes back with rc/rrc and outputs, and the condition code is set.
import { PGM_ADDRESSING, PGM_SPECIFICATION, ProgramException, type Cpu, type InstructionInterception } from '@pvdump/s390x-cpu';
import type { Ultravisor } from '@pvdump/ultravisor';
import type { GuestRam } from './guest-ram.js';

const PAGE = 4096;
const HEADER_SIZE = 8;
/** Largest control block fetched (the UV reads at most a page of it). */
const MAX_BLOCK = 0x1000;
/** PSW bits 5 (DAT) and 16-17 (address-space control: 11 = home). */
const PSW_DAT = 0x0400000000000000n;
const PSW_AS_HOME = 0x0000c00000000000n;
const LOGICAL_LIMIT = 1n << 53n;

/** Ends the UVC with a program interruption: the old PSW at the UVC (nullifying) or after it. */
function programInterruption(cpu: Cpu, interception: InstructionInterception, code: number, teid: number | bigint = 0): true {
  cpu.completeInterception();
  cpu.setPsw({ mask: cpu.getPsw().mask, addr: interception.address });
  cpu.deliverProgramInterruption(code, interception.length, 0, teid);
  return true;
}

/** Absolute address of host logical `logical` as the UV sees it: home space under DAT, else real. */
function homeAbsolute(cpu: Cpu, logical: number, write: boolean): number {
  const psw = cpu.getPsw();
  if ((psw.mask & PSW_DAT) === 0n) return cpu.absolute(logical, write);
  cpu.setPsw({ mask: psw.mask | PSW_AS_HOME, addr: psw.addr });
  try {
    return cpu.absolute(logical, write);
  } finally {
    cpu.setPsw(psw);
  }
}

/** The absolute pieces of `length` bytes at host logical `logical`, page by page (access exceptions thrown). */
function pieces(cpu: Cpu, logical: number, length: number): { absolute: number; offset: number; length: number }[] {
  const out: { absolute: number; offset: number; length: number }[] = [];
  for (let offset = 0; offset < length;) {
    const at = logical + offset;
    const n = Math.min(length - offset, PAGE - (at % PAGE));
    out.push({ absolute: homeAbsolute(cpu, at, false), offset, length: n });
    offset += n;
  }
  return out;
}

function read(ram: GuestRam, parts: readonly { absolute: number; offset: number; length: number }[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (const p of parts) out.set(ram.memory.read(p.absolute, p.length), p.offset);
  return out;
}

/** Serves a plain vCPU's UVC on `uv`; true: completed in the machine, the CPU runs on. */
export function hostUltravisorCall(cpu: Cpu, uv: Ultravisor, ram: GuestRam, interception: InstructionInterception): boolean {
  if ((interception.bytes[2] ?? 0) !== 0) return programInterruption(cpu, interception, PGM_SPECIFICATION);
  const r2 = interception.fields.R2 ?? 0;
  const logical = cpu.getGpr(r2) & (cpu.amode === 64 ? 0xffffffffffffffffn : cpu.amode === 31 ? 0x7fffffffn : 0xffffffn);
  if (logical % 8n !== 0n) return programInterruption(cpu, interception, PGM_SPECIFICATION);
  // [E] addresses at or above 2^53 (no storage there) are addressing exceptions.
  if (logical >= LOGICAL_LIMIT) return programInterruption(cpu, interception, PGM_ADDRESSING);
  const address = Number(logical);
  let parts: { absolute: number; offset: number; length: number }[];
  let block: Uint8Array;
  try {
    const header = read(ram, pieces(cpu, address, HEADER_SIZE), HEADER_SIZE);
    const len = new DataView(header.buffer).getUint16(0);
    const size = Math.max(HEADER_SIZE, Math.min(len, MAX_BLOCK));
    parts = pieces(cpu, address, size);
    block = read(ram, parts, size);
  } catch (e) {
    if (e instanceof ProgramException) return programInterruption(cpu, interception, e.code, e.teid);
    throw e;
  }
  const readOperand = (origin: bigint, length: number): Uint8Array | undefined => {
    if (origin + BigInt(length) > LOGICAL_LIMIT) return undefined;
    try {
      return read(ram, pieces(cpu, Number(origin), length), length);
    } catch (e) {
      if (e instanceof ProgramException) return undefined;
      throw e;
    }
  };
  const cc = uv.execute(block, readOperand);
  for (const p of parts) ram.memory.write(p.absolute, block.subarray(p.offset, p.offset + p.length));
  cpu.cc = cc;
  cpu.completeInterception();
  return true;
}
