// Injectable randomness for every secret and IV the UV draws (spec ultravisor.md §7.2 [E]), so
// that tests can produce reproducible dumps. Default: the platform CSPRNG.
import { sha256 } from '@noble/hashes/sha2.js';

/** Returns n fresh random bytes. */
export type RandomSource = (n: number) => Uint8Array;

export const systemRandom: RandomSource = (n) => {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call.
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
};

/**
 * A deterministic source for tests and reproducible demos: SHA-256 in counter mode over a seed.
 * Not for production secrets.
 */
export function deterministicRandom(seed: string | Uint8Array): RandomSource {
  const seedBytes = typeof seed === 'string' ? new TextEncoder().encode(seed) : seed.slice();
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const input = new Uint8Array(seedBytes.length + 8);
      input.set(seedBytes);
      new DataView(input.buffer).setBigUint64(seedBytes.length, BigInt(counter++));
      const block = sha256(input);
      const take = Math.min(block.length, n - off);
      out.set(block.subarray(0, take), off);
      off += take;
    }
    return out;
  };
}
