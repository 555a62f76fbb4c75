// The suite's protected (PV) entries, as scripts/s390x/func.bash adds them: after each entry
// `NAME`, unless its cfg `accel` is tcg or it is in the migration group, the runner runs
// `NAME_PV` with the same smp, test_args and QEMU options, the groups plus `pv`, and the kernel
// `NAME.pv.bin` that s390x/Makefile builds with genprotimg. Here the image is built at run time
// from `NAME.elf` (secure-image.ts) and booted on kvm-pv's VMM as a secure guest; QEMU TCG has no
// PV (s390x/run refuses `_PV` entries under TCG), so these entries have no QEMU result.
import { planEntry, type Plan } from './plan.js';
import type { UnitTestEntry } from './unittests-cfg.js';

/** The runner's suffix of a PV entry's name. */
export const PV_SUFFIX = '_PV';

/** Whether the runner adds a `NAME_PV` entry after `entry` (func.bash arch_cmd_s390x). */
export function hasPvEntry(entry: UnitTestEntry): boolean {
  return entry.accel !== 'tcg' && !entry.groups.includes('migration');
}

/** The `NAME_PV` entry of `entry`, planned as the plain one is but booted as a secure guest. */
export function planPvEntry(entry: UnitTestEntry, suiteDir: string): { name: string; plan: Plan } {
  const plan = planEntry({ ...entry, name: `${entry.name}${PV_SUFFIX}`, groups: [...entry.groups, 'pv'] }, suiteDir);
  return { name: `${entry.name}${PV_SUFFIX}`, plan: plan.kind === 'run' ? { kind: 'run', spec: { ...plan.spec, secure: true } } : plan };
}
