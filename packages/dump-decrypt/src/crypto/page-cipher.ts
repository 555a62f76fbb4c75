/**
 * One interface over the two XTS implementations for 4 KiB PV pages (spec pv-dump-crypto.md §7):
 * `node` (OpenSSL through node:crypto, the fast path) and `noble` (portable pure JS).
 */
import { xtsDecrypt } from './xts.js';
import { NodeXts, nodeXtsAvailable } from './xts-node.js';

export type CryptoBackend = 'node' | 'noble';

export interface PageCipher {
  readonly backend: CryptoBackend;
  /** Decrypts one page with its 16-byte tweak into `out` (same length as `ciphertext`). */
  decryptPage(tweak: Uint8Array, ciphertext: Uint8Array, out: Uint8Array): void;
  /** Forgets (and where possible wipes) the key. */
  dispose(): void;
}

class NoblePageCipher implements PageCipher {
  readonly backend = 'noble';
  readonly #key: Uint8Array;
  constructor(key: Uint8Array) {
    this.#key = key.slice();
  }
  decryptPage(tweak: Uint8Array, ciphertext: Uint8Array, out: Uint8Array): void {
    const plain = xtsDecrypt(this.#key, tweak, ciphertext);
    out.set(plain);
    plain.fill(0);
  }
  dispose(): void {
    this.#key.fill(0);
  }
}

class NodePageCipher implements PageCipher {
  readonly backend = 'node';
  readonly #xts: NodeXts;
  constructor(key: Uint8Array) {
    this.#xts = new NodeXts(key);
  }
  decryptPage(tweak: Uint8Array, ciphertext: Uint8Array, out: Uint8Array): void {
    out.set(this.#xts.decrypt(tweak, ciphertext));
  }
  dispose(): void {
    this.#xts.dispose();
  }
}

/** The default backend: node:crypto when its OpenSSL has aes-256-xts, else noble. */
export function defaultBackend(): CryptoBackend {
  return nodeXtsAvailable() ? 'node' : 'noble';
}

/** A page cipher for the 64-byte memory XTS key; the caller keeps (and wipes) its own key copy. */
export function createPageCipher(key: Uint8Array, backend: CryptoBackend = defaultBackend()): PageCipher {
  if (backend === 'node') {
    if (!nodeXtsAvailable()) throw new Error('node:crypto of this Node has no aes-256-xts; use the noble backend');
    return new NodePageCipher(key);
  }
  return new NoblePageCipher(key);
}
