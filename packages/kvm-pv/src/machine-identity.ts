// The machine's identity as its STSI and STHYI answers show it (one definition for the VMM's
// STSI and the kernel's STHYI): the machine type STIDP stores and EBCDIC text (code page 037).

/** The machine type STIDP stores (0x2964, z13), in STSI 1.1.1 as EBCDIC text. */
export const MACHINE_TYPE = '2964';

/**
 * [E] The manufacturer in STSI 1.1.1 and STHYI. A KVM guest sees the host machine's own basic
 * machine data there (KVM answers levels 1 and 2 from the host; only 3.2.2 is the VMM's), made by
 * IBM; only QEMU's TCG emulator writes "QEMU" into it, and guests read that as "no KVM" (the
 * kvm-unit-tests library, for one, takes TCG workarounds then). The other fields stay this
 * emulated machine's ("QEMU" model, sequence and plant).
 */
export const MANUFACTURER = 'IBM';

/** ASCII to EBCDIC (code page 037) for the characters SYSIBs hold. */
export function ebcdic(text: string, length: number, pad = 0x40): Uint8Array {
  const out = new Uint8Array(length).fill(pad);
  for (let i = 0; i < Math.min(text.length, length); i++) out[i] = ASCII_TO_EBCDIC[text.charCodeAt(i) & 0x7f] ?? 0x3f;
  return out;
}

const ASCII_TO_EBCDIC: number[] = (() => {
  const t = new Array<number>(128).fill(0x3f);
  const set = (chars: string, codes: number[]): void => Array.from(chars).forEach((c, i) => (t[c.charCodeAt(0)] = codes[i]!));
  set(' ', [0x40]);
  set('0123456789', [0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9]);
  set('ABCDEFGHI', [0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9]);
  set('JKLMNOPQR', [0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9]);
  set('STUVWXYZ', [0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9]);
  set('abcdefghi', [0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89]);
  set('jklmnopqr', [0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99]);
  set('stuvwxyz', [0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9]);
  set('-/._:,()+*=!?&%$#@', [0x60, 0x61, 0x4b, 0x6d, 0x7a, 0x6b, 0x4d, 0x5d, 0x4e, 0x5c, 0x7e, 0x5a, 0x6f, 0x50, 0x6c, 0x5b, 0x7b, 0x7c]);
  return t;
})();
