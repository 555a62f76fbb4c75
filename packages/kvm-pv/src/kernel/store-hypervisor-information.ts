// STORE HYPERVISOR INFORMATION (facility 74) in the kernel, as KVM's handle_sthyi with Linux's
// sthyi_fill (v6.0): R1 = R2, or an odd R1 or R2 → specification exception; a function code
// (R1's low 16 bits) other than 0 → cc 3 with return code 4 in R2+1; a response address not on a
// 4 KiB boundary → specification exception; else the 4 KiB response is stored at R2's logical
// address (an access exception is the guest's program interruption, nothing stored), R2+1 = 0,
// cc 0. The response: the header section (48 bytes), the machine section (64 bytes at 0x30) and
// the partition section (40 bytes at 0x70). [E] The machine and partition identity are what the
// VMM's STSI 1.1.1 and 2.2.2 show (KVM copies the host's STSI data): machine type 2964,
// manufacturer "IBM", sequence and plant "QEMU", partition name "QEMU", number 0; no CPC name and no
// LPAR performance data (no DIAGNOSE 0x204 behind it), so the header says "performance data
// unavailable" and no CPU counts are valid.
import { PGM_SPECIFICATION, ProgramException, type Cpu, type InstructionInterception } from '@pvdump/s390x-cpu';
import { MACHINE_TYPE, MANUFACTURER, ebcdic } from '../machine-identity.js';

const PAGE = 4096;
const HEADER = { flags1: 0x00, totalLength: 0x08, headerLength: 0x0a, machineOffset: 0x0c, machineLength: 0x0e, partitionOffset: 0x10, partitionLength: 0x12, size: 0x30 } as const;
const MACHINE = { validity1: 0x02, type: 0x14, manufacturer: 0x18, sequence: 0x28, plant: 0x38, size: 0x40 } as const;
const PARTITION = { validity1: 0x02, number: 0x04, name: 0x10, size: 0x28 } as const;
const HEADER_PERFORMANCE_UNAVAILABLE = 0x80;
const MACHINE_ID_VALID = 0x40;
const PARTITION_STSI_SUCCEEDED = 0x10;
const RC_UNSUPPORTED_CODE = 4;

/** The response page of function code 0. */
export function hypervisorInformation(): Uint8Array {
  const page = new Uint8Array(PAGE);
  const view = new DataView(page.buffer);
  const machine = HEADER.size;
  const partition = machine + MACHINE.size;
  page[HEADER.flags1] = HEADER_PERFORMANCE_UNAVAILABLE;
  view.setUint16(HEADER.totalLength, partition + PARTITION.size);
  view.setUint16(HEADER.headerLength, HEADER.size);
  view.setUint16(HEADER.machineOffset, machine);
  view.setUint16(HEADER.machineLength, MACHINE.size);
  view.setUint16(HEADER.partitionOffset, partition);
  view.setUint16(HEADER.partitionLength, PARTITION.size);
  page[machine + MACHINE.validity1] = MACHINE_ID_VALID;
  page.set(ebcdic(MACHINE_TYPE, 4), machine + MACHINE.type);
  page.set(ebcdic(MANUFACTURER, 16), machine + MACHINE.manufacturer);
  page.set(ebcdic('QEMU', 16), machine + MACHINE.sequence);
  page.set(ebcdic('QEMU', 4), machine + MACHINE.plant);
  page[partition + PARTITION.validity1] = PARTITION_STSI_SUCCEEDED;
  view.setUint16(partition + PARTITION.number, 0);
  page.set(ebcdic('QEMU', 8), partition + PARTITION.name);
  return page;
}

/** The program interruption for the intercepted STHYI (the PSW rewound to it, its length as the ILC). */
function programInterruption(cpu: Cpu, interception: InstructionInterception, code: number, teid: number | bigint = 0): true {
  cpu.setPsw({ mask: cpu.getPsw().mask, addr: interception.address });
  cpu.deliverProgramInterruption(code, interception.length, 0, teid);
  return true;
}

/** Completes an intercepted STHYI on a plain vCPU; true (the CPU runs on). */
export function storeHypervisorInformation(cpu: Cpu, interception: InstructionInterception): boolean {
  cpu.completeInterception();
  const r1 = interception.fields.R1 ?? 0;
  const r2 = interception.fields.R2 ?? 0;
  if (r1 === r2 || (r1 & 1) !== 0 || (r2 & 1) !== 0) return programInterruption(cpu, interception, PGM_SPECIFICATION);
  if ((cpu.getGpr(r1) & 0xffffn) !== 0n) {
    cpu.setGpr(r2 + 1, BigInt(RC_UNSUPPORTED_CODE));
    cpu.cc = 3;
    return true;
  }
  const address = cpu.getGpr(r2) & (cpu.amode === 64 ? 0xffffffffffffffffn : cpu.amode === 31 ? 0x7fffffffn : 0xffffffn);
  if (address % BigInt(PAGE) !== 0n) return programInterruption(cpu, interception, PGM_SPECIFICATION);
  const page = hypervisorInformation();
  const view = new DataView(page.buffer);
  try {
    const at = Number(address);
    cpu.probe(at, PAGE, true);
    for (let i = 0; i < PAGE; i += 4) cpu.writeU32(at + i, view.getUint32(i));
  } catch (e) {
    if (e instanceof ProgramException) return programInterruption(cpu, interception, e.code, e.teid);
    throw e;
  }
  cpu.setGpr(r2 + 1, 0n);
  cpu.cc = 0;
  return true;
}
