// Which DIAGNOSE codes of a secure CPU the Ultravisor passes to the host (docs/ultravisor.md §7
// [E]; Linux Documentation/virt/kvm/s390/s390-pv.rst "Instruction emulation"). The host only
// sees the registers an interception exposes and instruction data the UV moves through the
// SIDA, and it may inject only the program interruptions that are a valid outcome of emulating
// the instruction from those; addressing exceptions are the SIE's, never the host's. So the UV
// passes the codes a host completes from registers alone: 0x10 (release pages), 0x44 and 0x9C
// (time-slice end, directed yield), 0x288 (watchdog; kvm-unit-tests pv-diags), 0x308 (IPL
// functions) and 0x500 (virtio notification).
// [E] Any other code is not intercepted: the secure CPU takes a specification exception, as on
// a machine that does not offer that function. This covers DIAGNOSE 0x258 (page-reference
// services, the pfault handshake): its parameter block and token lie in guest storage the host
// cannot read, KVM decides when to fault asynchronously from the PSW mask and CR0 a secure CPU
// keeps from it, and its "block outside storage" answer is an addressing exception the host
// could not inject, so a secure guest sees the service as absent (kvm-unit-tests diag258 then
// reports "diag258 not supported").

/** DIAGNOSE function codes the UV intercepts to the host for a secure CPU. */
export const SECURE_DIAGNOSE_CODES: ReadonlySet<number> = new Set([0x10, 0x44, 0x9c, 0x288, 0x308, 0x500]);

/** Whether a secure CPU's DIAGNOSE with function code `code` (the operand address's low 16 bits) goes to the host. */
export function secureDiagnoseIntercepted(code: number): boolean {
  return SECURE_DIAGNOSE_CODES.has(code & 0xffff);
}
