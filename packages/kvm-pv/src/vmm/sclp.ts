// The SCLP console (SERVICE CALL, as Linux's early console uses it): WRITE EVENT DATA with VT220
// events (type 0x1A, ASCII text after the 6-byte event header) prints the text; the SCCB gets
// response code 0x0020 (normal completion), each event its "processed" flag, the call cc 0, and a
// service-signal external interruption with the SCCB address is made pending. [E] The SCCB is read
// and written through the host path, so a protected guest must put it in a page it shared (the
// secure instruction data area is not modelled); other commands get response 0x01F0 (invalid
// command).
import { IrqType } from '../uapi/constants.js';
import { RunOffset, type StructBytes } from '../uapi/structs.js';
import type { MachineStop, VcpuHandle, VirtualMachine } from './machine.js';

export const SCLP_WRITE_EVENT_DATA = 0x00760005;
const RESPONSE_NORMAL = 0x0020;
const RESPONSE_INVALID_COMMAND = 0x01f0;
const EVENT_VT220 = 0x1a;
const MAX_SCCB = 4096;

export function handleSclp(m: VirtualMachine, v: VcpuHandle, run: StructBytes): MachineStop | undefined {
  const gprs = m.gprs(run);
  // SERVC R1,R2 is RRE: the registers are in ipb; KVM exposes R1 (command) and R2 (SCCB address).
  const ipb = run.u32(RunOffset.ipb);
  const r1 = (ipb >>> 20) & 0xf;
  const r2 = (ipb >>> 16) & 0xf;
  const command = Number(gprs[r1]! & 0xffffffffn);
  const sccbAddress = Number(gprs[r2]! & 0x7ffffff8n);
  if (sccbAddress + 8 > m.memorySize) {
    m.complete(v, run, 3);
    return undefined;
  }
  const header = m.readGuest(sccbAddress, 8);
  const length = Math.min(new DataView(header.buffer).getUint16(0), MAX_SCCB);
  const sccb = m.readGuest(sccbAddress, Math.max(length, 8));
  const view = new DataView(sccb.buffer);
  if (command === SCLP_WRITE_EVENT_DATA) {
    let at = 8;
    while (at + 6 <= length) {
      const eventLength = view.getUint16(at);
      if (eventLength < 6 || at + eventLength > length) break;
      if (sccb[at + 2] === EVENT_VT220) m.printConsole(Buffer.from(sccb.subarray(at + 6, at + eventLength)).toString('latin1'));
      sccb[at + 3] = sccb[at + 3]! | 0x80;
      at += eventLength;
    }
    view.setUint16(6, RESPONSE_NORMAL);
  } else view.setUint16(6, RESPONSE_INVALID_COMMAND);
  m.writeGuest(sccbAddress, sccb);
  m.complete(v, run, 0);
  m.api.injectIrq(v.fd, IrqType.INT_SERVICE, 0, sccbAddress);
  return undefined;
}
