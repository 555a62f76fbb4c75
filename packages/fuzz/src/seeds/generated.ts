/**
 * Seeds that are made rather than read: a Secure Execution image (our builder, genprotimg's
 * layout) and an SE header that the fuzzing process can open, built deterministically from the
 * genprotimg fixture's kernel and command line and a fixed host key (so the seed corpus stays
 * byte-identical from run to run).
 */
import { readFileSync } from 'node:fs';
import { fixturePath } from '@pvdump/test-support';
import { deterministicRandom, generateHostKeyPair, type HostKeyPair } from '@pvdump/ultravisor';
import { buildGenprotimgImage, buildSeHeader } from '@pvdump/ultravisor/guest-owner';

/** The CCK of generated seeds: 32 fixed bytes. */
export const GENERATED_CCK = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);

let hostKey: HostKeyPair | undefined;
/** The host key pair generated seeds are made for (fixed seed, so the same each time). */
export function generatedHostKey(): HostKeyPair {
  hostKey ??= generateHostKeyPair(deterministicRandom('pvdump fuzz host key'));
  return hostKey;
}

export const GENERATORS: Readonly<Record<string, () => Uint8Array>> = {
  /** `pvdump image -i kernel.bin -p parmfile.txt --enable-dump` of the genprotimg fixture's inputs, for the generated host key. */
  'pvdump-se-image': () =>
    buildGenprotimgImage({
      kernel: new Uint8Array(readFileSync(fixturePath('genprotimg-2.35/kernel.bin'))),
      parmline: new Uint8Array(readFileSync(fixturePath('genprotimg-2.35/parmfile.txt'))),
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
