/**
 * What the image key opens in a genprotimg-layout image (genprotimg-layout.ts): each component
 * decrypted page by page with AES-256-XTS and its tweak, stage3b's argument block, and the check
 * a Secure Execution boot performs at VERIFY_IMG — page count and the SHA-512 digests over the
 * encrypted pages, their addresses and their tweaks (spec ultravisor.md §5) — plus the header's
 * start PSW pointing at stage3b.
 */
import { xtsDecrypt } from '../crypto/xts.js';
import type { Psw } from '../se-header/open.js';
import { computeImageDigests } from './digests.js';
import { ImageError } from './errors.js';
import { ComponentType, PAGE, STAGE3B_ARGS_SIZE, Stage3bArgsOffset, pageTweak } from './genprotimg-layout.js';
import { genprotimgPages, type GenprotimgComponent, type GenprotimgImage } from './genprotimg-read.js';

/** A component's plaintext: what the guest sees at its address after UNPACK_IMG. */
export function decryptGenprotimgComponent(component: GenprotimgComponent, imageXtsKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(component.pageCount * PAGE);
  for (let k = 0; k < component.pageCount; k++) {
    const offset = k * PAGE;
    const plain = xtsDecrypt(imageXtsKey, pageTweak(component.tweakPrefix, BigInt(offset)), component.ciphertext.subarray(offset, offset + PAGE));
    out.set(plain, offset);
    plain.fill(0);
  }
  return out;
}

export interface MemoryBlob {
  readonly address: bigint;
  readonly size: bigint;
}

/** stage3b's arguments: where the kernel, command line and initrd are, and the kernel's PSW. */
export interface Stage3bArgs {
  readonly kernel: MemoryBlob;
  readonly cmdline: MemoryBlob;
  readonly initrd: MemoryBlob;
  readonly psw: Psw;
}

/** Reads the argument block at the end of a decrypted stage3b component of `stage3bSize` bytes. */
export function parseStage3bArgs(stage3b: Uint8Array, stage3bSize = stage3b.length): Stage3bArgs {
  if (stage3bSize < STAGE3B_ARGS_SIZE || stage3bSize > stage3b.length) throw new ImageError('bad-image', `stage3b of ${stage3bSize} bytes cannot hold its ${STAGE3B_ARGS_SIZE}-byte argument block`);
  const v = new DataView(stage3b.buffer, stage3b.byteOffset + stage3bSize - STAGE3B_ARGS_SIZE, STAGE3B_ARGS_SIZE);
  const blob = (at: number): MemoryBlob => ({ address: v.getBigUint64(at), size: v.getBigUint64(at + 8) });
  return {
    kernel: blob(Stage3bArgsOffset.kernelAddress),
    cmdline: blob(Stage3bArgsOffset.cmdlineAddress),
    initrd: blob(Stage3bArgsOffset.initrdAddress),
    psw: { mask: v.getBigUint64(Stage3bArgsOffset.pswMask), addr: v.getBigUint64(Stage3bArgsOffset.pswAddress) },
  };
}

/**
 * Finds stage3b's arguments in a decrypted stage3b component whose loader length is not known:
 * the component is zero-padded to a page, and the argument block (whose kernel PSW address
 * ends in a non-zero byte within its last four) closes the loader on a 4-byte boundary, as in
 * genprotimg's and ours [E].
 */
export function findStage3bArgs(stage3b: Uint8Array): Stage3bArgs {
  let end = stage3b.length;
  while (end > 0 && stage3b[end - 1] === 0) end--;
  return parseStage3bArgs(stage3b, Math.min(stage3b.length, Math.ceil(end / 4) * 4));
}

export interface GenprotimgVerification {
  readonly pageCount: bigint;
  readonly pageCountMatches: boolean;
  readonly pageListDigestMatches: boolean;
  readonly addressListDigestMatches: boolean;
  readonly tweakListDigestMatches: boolean;
  /** The header's PSW starts the secure CPU at the stage3b component. */
  readonly pswAtStage3b: boolean;
  readonly ok: boolean;
}

/** Recomputes nep and the three digests from the components and compares them with the SE header. */
export function verifyGenprotimgImage(image: GenprotimgImage, headerPsw: Psw): GenprotimgVerification {
  const d = computeImageDigests(genprotimgPages(image));
  const h = image.header;
  const stage3b = image.components.find((c) => c.type === ComponentType.stage3b);
  const result = {
    pageCount: d.encryptedPageCount,
    pageCountMatches: d.encryptedPageCount === h.encryptedPageCount,
    pageListDigestMatches: equal(d.pageListDigest, h.pageListDigest),
    addressListDigestMatches: equal(d.addressListDigest, h.addressListDigest),
    tweakListDigestMatches: equal(d.tweakListDigest, h.tweakListDigest),
    pswAtStage3b: stage3b !== undefined && headerPsw.addr === stage3b.address,
  };
  return { ...result, ok: Object.values(result).every((x) => x !== false) };
}

/** Like `verifyGenprotimgImage`, throwing `ImageError('verification-failed')` naming what differs. */
export function requireVerifiedGenprotimgImage(image: GenprotimgImage, headerPsw: Psw): GenprotimgVerification {
  const r = verifyGenprotimgImage(image, headerPsw);
  if (r.ok) return r;
  const failed = [
    !r.pageCountMatches && `the components hold ${r.pageCount} pages, the header counts ${image.header.encryptedPageCount}`,
    !r.pageListDigestMatches && 'the page list digest (PLD) differs: a component page was changed',
    !r.addressListDigestMatches && 'the address list digest (ALD) differs: a component was moved',
    !r.tweakListDigestMatches && 'the tweak list digest (TLD) differs: a tweak prefix was changed',
    !r.pswAtStage3b && `the header's PSW (0x${headerPsw.addr.toString(16)}) does not start stage3b`,
  ].filter((x): x is string => typeof x === 'string');
  throw new ImageError('verification-failed', `SE image does not match its SE header: ${failed.join('; ')}`);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
