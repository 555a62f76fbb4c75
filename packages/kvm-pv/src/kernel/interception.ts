// Which general registers an instruction interception of a secure CPU shows the host
// (docs/ultravisor.md §7, docs/kvm-pv-api.md §8): only the operands the hypervisor needs to
// complete the instruction. [E] DIAGNOSE: R1, R3 and the base of the function code; SIGP: the
// status register R1, the parameter register (R1 | 1), the CPU address R3 and the base of the
// order code; SERVC: the command word R1 and the SCCB address R2; STSI: GR0, GR1 and the base of
// the operand; anything else: nothing.
import type { InstructionInterception } from '@pvdump/s390x-cpu';

export function exposedRegisters(interception: InstructionInterception): number[] {
  const f = interception.fields;
  const set = new Set<number>();
  const add = (r: number | undefined): void => {
    if (r !== undefined) set.add(r);
  };
  const base = (): void => {
    if ((f['B2'] ?? 0) !== 0) add(f['B2']);
  };
  switch (interception.mnemonic) {
    case 'diag':
      add(f['R1']);
      add(f['R3']);
      base();
      break;
    case 'sigp':
      add(f['R1']);
      if (f['R1'] !== undefined) add(f['R1'] | 1);
      add(f['R3']);
      base();
      break;
    case 'servc':
      add(f['R1']);
      add(f['R2']);
      break;
    case 'stsi':
      add(0);
      add(1);
      base();
      break;
    default:
      break;
  }
  return [...set].sort((a, b) => a - b);
}
