// STORE SYSTEM INFORMATION (intercepted), as a QEMU 7.2 machine answers it (its SYSIB layouts
// and checks, PoO "STORE SYSTEM INFORMATION") with the identity of a KVM guest: R0 bits 32-35 function code, 56-63 selector 1,
// R1 bits 48-63 selector 2, the 4 KiB SYSIB at the second-operand address.
// - Function code > 3 (but 15 with the topology facility): cc 3, no other check. Reserved bits (R0 36-55, R1 32-47) set:
//   specification exception. Function code 0: R0 = current level 3 (0x30000000), cc 0.
//   An SYSIB address not on a 4 KiB boundary: specification exception.
// - 1.1.1 basic machine ("IBM" manufacturer as a KVM host's, machine-identity.ts; type 2964 as
//   STIDP, model/sequence/plant "QEMU"),
//   1.2.1 (this CPU's address), 1.2.2 (capability, total = maxcpus, configured, reserved CPUs),
//   2.2.1 / 2.2.2 (the LPAR level: one dedicated partition "QEMU"), 3.2.2 (one VM: CPU counts,
//   control program "KVM/Linux", the `-name` (EBCDIC name, UTF-8 extended name; "KVMguest"
//   without one, as QEMU under KVM) and the `--uuid`). Any other selector: cc 3.
// - 15.1.2 to 15.1.4 with the configuration-topology facility (11) in the CPU model: the
//   topology's SYSIB (topology.ts), only its length stored; selector 2 outside 2..4, or without
//   the facility: cc 3 (QEMU 8.2 under KVM).
// The levels repeat one configuration, as QEMU fakes them (its comment: Linux would otherwise
// assume an LPAR line-mode console). [E] Operand addresses are real (DAT off), as the suite uses
// them; with DAT on the VMM stops with a machine error. A protected vCPU's SYSIB goes into its SIDA.
import { CONFIGURATION_TOPOLOGY_FACILITY, PGM_SPECIFICATION } from '@pvdump/s390x-cpu';
import { RunOffset, type StructBytes } from '../uapi/structs.js';
import { datEnabled, RealStorage, withGuestAccess } from './guest-access.js';
import { MachineError, type HostMachine, type MachineStop, type VcpuHandle } from './host.js';
import { MACHINE_TYPE, MANUFACTURER, ebcdic } from '../machine-identity.js';

const R0_FC_MASK = 0xf0000000;
const R0_RESERVED = 0x0fffff00;
const R1_RESERVED = 0xffff0000;
const LEVEL_3 = 0x30000000;
/** Function code 15: the configuration topology. */
const FC_TOPOLOGY = 0xf0000000;
const SYSIB_SIZE = 4096;

/** The 16-byte UUID of `--uuid` text (hex with dashes); zeros without one. */
function uuidBytes(text: string | undefined): Uint8Array {
  const out = new Uint8Array(16);
  if (text === undefined) return out;
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new MachineError(`UUID "${text}" is not 32 hex digits`);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function handleStsi(m: HostMachine, v: VcpuHandle, run: StructBytes, ipb: number): MachineStop | undefined {
  const gprs = m.gprs(run);
  const r0 = Number(gprs[0]! & 0xffffffffn);
  const r1 = Number(gprs[1]! & 0xffffffffn);
  const fc = (r0 & R0_FC_MASK) >>> 0;
  if (fc > LEVEL_3 && !(fc === FC_TOPOLOGY && m.facilities.includes(CONFIGURATION_TOPOLOGY_FACILITY))) {
    m.complete(v, run, 3);
    return undefined;
  }
  if ((r0 & R0_RESERVED) !== 0 || (r1 & R1_RESERVED) >>> 0 !== 0) return m.programInterruption(v, run, PGM_SPECIFICATION);
  if (fc === 0) {
    m.complete(v, run, 0, new Map([[0, (gprs[0]! & 0xffffffff00000000n) | BigInt(LEVEL_3)]]));
    return undefined;
  }
  // A protected vCPU's operand was checked by the SIE and lies in the SIDA (KVM's handle_stsi).
  const address = m.protected_ ? 0n : m.operandAddress(run, ipb);
  if ((address & 0xfffn) !== 0n) return m.programInterruption(v, run, PGM_SPECIFICATION);
  const sysib = buildSysib(m, v, fc >>> 28, r0 & 0xff, r1 & 0xffff);
  if (sysib === undefined) {
    m.complete(v, run, 3);
    return undefined;
  }
  if (m.protected_) {
    const r = m.api.sidaWrite(v.fd, 0, sysib);
    if (r < 0) throw new MachineError(`vCPU ${v.id}: KVM_S390_MEM_OP on the SYSIB in the SIDA failed (${r})`);
    m.complete(v, run, 0);
    return undefined;
  }
  if (datEnabled(run, RunOffset.pswMask)) throw new MachineError(`vCPU ${v.id}: STSI with DAT on is not emulated`);
  return withGuestAccess(m, v, run, () => {
    new RealStorage(m, run).write(address & 0x7fffffffffffffffn, sysib);
    m.complete(v, run, 0);
    return undefined;
  });
}

function buildSysib(m: HostMachine, v: VcpuHandle, level: number, sel1: number, sel2: number): Uint8Array | undefined {
  const b = new Uint8Array(SYSIB_SIZE);
  const view = new DataView(b.buffer);
  const total = m.maxCpus;
  const configured = m.vcpus.length;
  const reserved = total - configured;
  if (level === 15) return sel1 === 1 ? m.topology.sysib(sel2) : undefined;
  const key = `${level}.${sel1}.${sel2}`;
  switch (key) {
    case '1.1.1':
      b.set(ebcdic(MANUFACTURER, 16), 32); // manufacturer
      b.set(ebcdic(MACHINE_TYPE, 4), 48); // type
      b.set(ebcdic('QEMU', 16), 64); // model capacity identifier
      b.set(ebcdic('QEMU', 16), 80); // sequence code
      b.set(ebcdic('QEMU', 4), 96); // plant
      return b;
    case '1.2.1':
    case '2.2.1':
      b.set(ebcdic('QEMUQEMUQEMUQEMU', 16), 80); // sequence code
      b.set(ebcdic('QEMU', 4), 96); // plant
      view.setUint16(102, v.id); // CPU address
      return b;
    case '1.2.2':
      view.setUint32(32, 0x443afc29); // capability
      view.setUint16(36, total);
      view.setUint16(38, configured);
      view.setUint16(40, 0); // standby
      view.setUint16(42, reserved);
      return b;
    case '2.2.2':
      b[35] = 0x80; // LPAR characteristics: dedicated CPUs
      view.setUint16(36, total);
      view.setUint16(38, configured);
      view.setUint16(40, 0);
      view.setUint16(42, reserved);
      b.set(ebcdic('QEMU', 8), 44); // LPAR name
      view.setUint32(52, 1000); // capability adjustment factor
      view.setUint16(72, configured); // dedicated CPUs
      return b;
    case '3.2.2': {
      b[31] = 1; // one VM description, 64 bytes from 32
      const vm = 32;
      view.setUint16(vm + 4, total);
      view.setUint16(vm + 6, configured);
      view.setUint16(vm + 8, 0);
      view.setUint16(vm + 10, reserved);
      const name = m.guestName ?? 'KVMguest';
      b.set(ebcdic(name, 8), vm + 12);
      view.setUint32(vm + 20, 1000); // capability adjustment factor
      b.set(ebcdic('KVM/Linux', 16), vm + 24); // control-program identification
      b[vm + 43] = 2; // extended names are UTF-8
      b.set(uuidBytes(m.uuid), vm + 48);
      b.set(Buffer.from(name, 'utf8').subarray(0, 255), 2048); // extended name, NUL-padded
      return b;
    }
    default:
      return undefined;
  }
}
