/**
 * Seeds that are made rather than read: a protected image and an SE header that the fuzzing
 * process can open, built deterministically from the fixtures' guest and a fixed host key
 * (so the seed corpus stays byte-identical from run to run).
 */
import { readFileSync } from 'node:fs';
import { fixturePath } from '@pvdump/test-support';
import { deterministicRandom, generateHostKeyPair, type HostKeyPair } from '@pvdump/ultravisor';
import { buildProtectedImage, buildSeHeader, loadGuestElf } from '@pvdump/ultravisor/guest-owner';

/** The CCK of generated seeds: 32 fixed bytes. */
export const GENERATED_CCK = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);

let hostKey: HostKeyPair | undefined;
/** The host key pair generated seeds are made for (fixed seed, so the same each time). */
export function generatedHostKey(): HostKeyPair {
  hostKey ??= generateHostKeyPair(deterministicRandom('pvdump fuzz host key'));
  return hostKey;
}

export const GENERATORS: Readonly<Record<string, () => Uint8Array>> = {
  /** `pvdump image` of the crash fixture's guest, dumping allowed. */
  'protected-image': () =>
    buildProtectedImage({
      guest: loadGuestElf(new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf')))),
      hostPublicKeys: [generatedHostKey().publicKey],
      cck: GENERATED_CCK,
      allowDumping: true,
      random: deterministicRandom('pvdump fuzz image'),
    }),
  /** An SE header with two key slots, the second for the generated host key. */
  'se-header-openable': () =>
    buildSeHeader({
      hostPublicKeys: [generateHostKeyPair(deterministicRandom('pvdump fuzz other host')).publicKey, generatedHostKey().publicKey],
      cck: GENERATED_CCK,
      psw: { mask: 0x0000000180000000n, addr: 0x10000n },
      allowDumping: true,
      random: deterministicRandom('pvdump fuzz se header'),
    }),
};
