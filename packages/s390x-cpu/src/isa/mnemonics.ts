// objdump's extended-mnemonic suffixes for the 4-bit condition mask of BC/BCR/BRC/BRCL, LOC and
// compare-and-branch (binutils `s390-opc.txt`): mask 1 = "o" … 14 = "no". Masks 0 and 15 have
// per-instruction names (nop / unconditional).

export const CONDITION_SUFFIXES: readonly string[] = ['', 'o', 'h', 'nle', 'l', 'nhe', 'lh', 'ne', 'e', 'nlh', 'he', 'nl', 'le', 'nh', 'no', ''];

/** Aliases `prefix + suffix + postfix` for masks 1–14 in field `field`. */
export function conditionAliases(prefix: string, postfix: string, field: string, operands: string): { mnemonic: string; when: Record<string, number>; operands: string }[] {
  const out: { mnemonic: string; when: Record<string, number>; operands: string }[] = [];
  for (let m = 1; m <= 14; m++) out.push({ mnemonic: prefix + CONDITION_SUFFIXES[m]! + postfix, when: { [field]: m }, operands });
  return out;
}
