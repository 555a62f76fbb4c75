// Size assertions of the layout tables, checked when a module loads (as pv_defs.h's STATIC_ASSERTs).

/** Throws when a layout's size differs from the size the spec gives. */
export function assertLayout(name: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`layout ${name}: ${actual} bytes, docs/pv-dump-crypto.md says ${expected}`);
}
