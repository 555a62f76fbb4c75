/**
 * The stage3a and stage3b loaders of our Secure Execution boot images: s390x assembly in
 * `loaders/` of this package (stage3a.S, stage3b.S; behaviour in the package README), assembled
 * by `loaders/build.sh` into the flat binaries committed beside them and read from there.
 */
import { readFileSync } from 'node:fs';

export interface BootLoaders {
  /** Loaded at 0x10000 and started there; ends with its 24-byte trailer. */
  readonly stage3a: Uint8Array;
  /** Position-independent; ends with its 64-byte argument block. */
  readonly stage3b: Uint8Array;
}

let cached: BootLoaders | undefined;

/** The committed loader binaries (read once). */
export function bootLoaders(): BootLoaders {
  cached ??= {
    stage3a: new Uint8Array(readFileSync(new URL('../../loaders/stage3a.bin', import.meta.url))),
    stage3b: new Uint8Array(readFileSync(new URL('../../loaders/stage3b.bin', import.meta.url))),
  };
  return { stage3a: cached.stage3a.slice(), stage3b: cached.stage3b.slice() };
}
