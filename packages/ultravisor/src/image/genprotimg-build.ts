/**
 * Builds a Secure Execution boot image in genprotimg's layout (genprotimg-layout.ts), the guest
 * owner's side as genprotimg does it: the kernel image, optional command line and initrd and
 * stage3b become page-aligned components, each page AES-256-XTS encrypted under a fresh image
 * key with the tweak {u16 type, 6 random bytes, u64 offset}; the SE header carries that key, the
 * CCK, the PSW of stage3b and nep/PLD/ALD/TLD over the encrypted pages; stage3a, its trailer and
 * the PV IPL parameter block lead the file. Our own loaders (loaders.ts) unless others are given.
 */
import { xtsEncrypt } from '../crypto/xts.js';
import { systemRandom, type RandomSource } from '../random.js';
import { buildSeHeader, randomXtsKey } from '../se-header/build.js';
import { ENCRYPTED_AREA_MIN_SIZE, seHeaderSize } from '../se-header/layout.js';
import type { Psw } from '../se-header/open.js';
import { UnpackDigests } from '../unpack-digests.js';
import { ImageError } from './errors.js';
import {
  ComponentType,
  KERNEL_LOAD_ADDRESS,
  PAGE,
  PSW_MASK_64BIT,
  STAGE3A_ADDRESS,
  STAGE3A_MAX_SIZE,
  STAGE3A_TRAILER_SIZE,
  STAGE3B_ARGS_SIZE,
  Stage3aTrailerOffset,
  Stage3bArgsOffset,
  TWEAK_NONCE_SIZE,
  componentTweakPrefix,
  pageAlign,
  pageTweak,
  shortPsw,
} from './genprotimg-layout.js';
import { IPL_BLOCK_MAX_LENGTH, encodePvIplBlock, pvIplBlockSize } from '../ipl/pv-ipl-block.js';
import { bootLoaders, type BootLoaders } from './loaders.js';
import type { GuestMemoryImage } from './guest-elf.js';

/** Largest image the builder writes [E]: 1 GiB. */
export const MAX_GENPROTIMG_IMAGE_SIZE = 1 << 30;

export interface BuildGenprotimgImageOptions {
  /** The raw kernel image for absolute 0 (genprotimg's `-i`); stage3b drops its first 64 KiB. */
  readonly kernel: Uint8Array;
  /** The kernel command line (`-p`), without the NUL that the image adds. */
  readonly parmline?: Uint8Array;
  /** The initial RAM disk (`-r`). */
  readonly initrd?: Uint8Array;
  /** Hosts allowed to run the image (133-byte points); one key slot each. */
  readonly hostPublicKeys: readonly Uint8Array[];
  /** Customer communication key, 32 bytes. */
  readonly cck: Uint8Array;
  /** PCF bit 34 (`--enable-dump`). Default false. */
  readonly allowDumping?: boolean;
  /** PCF. Default 0xE0 (genprotimg's). */
  readonly pcf?: bigint;
  readonly scf?: bigint;
  /** The PSW stage3b starts the kernel with. Default {0x0000000180000000, 0x10000}. */
  readonly kernelPsw?: Psw;
  /** Fixed keys instead of fresh ones (genprotimg's `--x-comp-key`, `--x-header-key`): for tests. */
  readonly imageXtsKey?: Uint8Array;
  readonly headerProtectionKey?: Uint8Array;
  readonly loaders?: BootLoaders;
  readonly random?: RandomSource;
}

interface PlannedComponent {
  readonly type: number;
  readonly data: Uint8Array;
  readonly address: number;
  readonly size: number;
  readonly tweakPrefix: bigint;
}

/** The bytes of a new boot image. */
export function buildGenprotimgImage(options: BuildGenprotimgImageOptions): Uint8Array {
  const random = options.random ?? systemRandom;
  const loaders = options.loaders ?? bootLoaders();
  const invalid = (msg: string): ImageError => new ImageError('invalid-argument', msg);
  const { stage3a, stage3b } = loaders;
  if (stage3a.length < STAGE3A_TRAILER_SIZE || stage3a.length % 8 !== 0 || stage3a.length > STAGE3A_MAX_SIZE) {
    throw invalid(`stage3a of ${stage3a.length} bytes must be a multiple of 8 between ${STAGE3A_TRAILER_SIZE} and ${STAGE3A_MAX_SIZE} bytes (it ends with its trailer)`);
  }
  if (stage3b.length < STAGE3B_ARGS_SIZE) throw invalid(`stage3b of ${stage3b.length} bytes cannot hold its ${STAGE3B_ARGS_SIZE}-byte argument block`);
  if (options.kernel.length < KERNEL_LOAD_ADDRESS) {
    throw invalid(`the kernel image is ${options.kernel.length} bytes; an image for absolute 0 has at least ${KERNEL_LOAD_ADDRESS} (stage3b starts it from its 64 KiB on)`);
  }
  const parmline = options.parmline === undefined ? undefined : withNul(options.parmline);

  // Where everything goes: stage3a, the IPL parameter block and the header each start a page.
  const componentCount = 2 + (parmline !== undefined ? 1 : 0) + (options.initrd !== undefined ? 1 : 0);
  const iplBlockAddress = pageAlign(STAGE3A_ADDRESS + stage3a.length);
  const iplBlockLength = pvIplBlockSize(componentCount);
  if (iplBlockLength > IPL_BLOCK_MAX_LENGTH) throw invalid(`${componentCount} components do not fit an IPL parameter block`);
  const headerAddress = iplBlockAddress + pageAlign(iplBlockLength);
  const headerSize = seHeaderSize(options.hostPublicKeys.length, ENCRYPTED_AREA_MIN_SIZE);
  let next = headerAddress + pageAlign(headerSize);
  const parts: { type: number; data: Uint8Array }[] = [{ type: ComponentType.kernel, data: options.kernel }];
  if (parmline !== undefined) parts.push({ type: ComponentType.parmline, data: parmline });
  if (options.initrd !== undefined) parts.push({ type: ComponentType.initrd, data: options.initrd });
  const stage3bCopy = stage3b.slice();
  parts.push({ type: ComponentType.stage3b, data: stage3bCopy });
  const planned: PlannedComponent[] = parts.map(({ type, data }) => {
    const size = data.length === 0 ? PAGE : pageAlign(data.length);
    const address = next;
    next += size;
    if (next > MAX_GENPROTIMG_IMAGE_SIZE) throw invalid(`the image would be larger than ${MAX_GENPROTIMG_IMAGE_SIZE} bytes, the builder's limit`);
    return { type, data, address, size, tweakPrefix: componentTweakPrefix(type, random(TWEAK_NONCE_SIZE)) };
  });
  const fileSize = next;
  const component = (type: number): PlannedComponent | undefined => planned.find((c) => c.type === type);

  // stage3b's arguments: where its inputs were unpacked, and the kernel's PSW.
  const args = new DataView(stage3bCopy.buffer, stage3bCopy.length - STAGE3B_ARGS_SIZE, STAGE3B_ARGS_SIZE);
  const blob = (at: number, c: PlannedComponent | undefined): void => {
    args.setBigUint64(at, BigInt(c?.address ?? 0));
    args.setBigUint64(at + 8, BigInt(c?.data.length ?? 0));
  };
  blob(Stage3bArgsOffset.kernelAddress, component(ComponentType.kernel));
  blob(Stage3bArgsOffset.cmdlineAddress, component(ComponentType.parmline));
  blob(Stage3bArgsOffset.initrdAddress, component(ComponentType.initrd));
  const kernelPsw = options.kernelPsw ?? { mask: PSW_MASK_64BIT, addr: BigInt(KERNEL_LOAD_ADDRESS) };
  args.setBigUint64(Stage3bArgsOffset.pswMask, BigInt.asUintN(64, kernelPsw.mask));
  args.setBigUint64(Stage3bArgsOffset.pswAddress, BigInt.asUintN(64, kernelPsw.addr));

  const out = new Uint8Array(fileSize);
  const view = new DataView(out.buffer);
  const imageKey = options.imageXtsKey ?? randomXtsKey(random);
  try {
    const measurement = new UnpackDigests();
    const page = new Uint8Array(PAGE);
    for (const c of planned) {
      for (let offset = 0; offset < c.size; offset += PAGE) {
        page.fill(0);
        page.set(c.data.subarray(offset, Math.min(offset + PAGE, c.data.length)));
        const tweak = pageTweak(c.tweakPrefix, BigInt(offset));
        const ciphertext = xtsEncrypt(imageKey, tweak, page);
        out.set(ciphertext, c.address + offset);
        measurement.add(ciphertext, BigInt(c.address + offset), tweak);
      }
    }
    page.fill(0);
    const d = measurement.digests();
    const header = buildSeHeader({
      hostPublicKeys: options.hostPublicKeys,
      cck: options.cck,
      imageXtsKey: imageKey,
      psw: { mask: PSW_MASK_64BIT, addr: BigInt(component(ComponentType.stage3b)!.address) },
      ...(options.pcf !== undefined ? { pcf: options.pcf } : {}),
      allowDumping: options.allowDumping ?? false,
      scf: options.scf ?? 0n,
      encryptedPageCount: d.pages,
      pageListDigest: d.pld,
      addressListDigest: d.ald,
      tweakListDigest: d.tld,
      ...(options.headerProtectionKey !== undefined ? { headerProtectionKey: options.headerProtectionKey } : {}),
      random,
    });
    if (header.length !== headerSize) throw new Error(`SE header is ${header.length} bytes, expected ${headerSize}`);
    out.set(header, headerAddress);
  } finally {
    if (options.imageXtsKey === undefined) imageKey.fill(0);
    stage3bCopy.fill(0);
  }

  view.setBigUint64(0, shortPsw(STAGE3A_ADDRESS));
  out.set(stage3a, STAGE3A_ADDRESS);
  const trailer = STAGE3A_ADDRESS + stage3a.length - STAGE3A_TRAILER_SIZE;
  view.setBigUint64(trailer + Stage3aTrailerOffset.headerOffset, BigInt(headerAddress - trailer));
  view.setBigUint64(trailer + Stage3aTrailerOffset.headerSize, BigInt(headerSize));
  view.setBigUint64(trailer + Stage3aTrailerOffset.iplBlockOffset, BigInt(iplBlockAddress - trailer));
  out.set(
    encodePvIplBlock({
      length: iplBlockLength,
      seHeaderAddress: 0n,
      seHeaderLength: BigInt(headerSize),
      components: planned.map((c) => ({ tweakPrefix: c.tweakPrefix, address: BigInt(c.address), length: BigInt(c.size) })),
    }),
    iplBlockAddress,
  );
  return out;
}

/**
 * The raw kernel image of a bare-metal ELF guest, as genprotimg takes it: the guest's bytes from
 * absolute 0 up to the end of the last segment's file bytes (what `objcopy -O binary` gives,
 * with the gap from 0 filled with zeros), and its entry for the kernel PSW. Load the guest with
 * `withoutFileHeaders` (the ELF headers a linker maps in front of the code are not content).
 * Only zeros may lie below 0x10000, which stage3b does not load.
 */
export function kernelImageFromGuest(guest: GuestMemoryImage): { kernel: Uint8Array; entry: bigint } {
  if (guest.pages.length === 0) throw new ImageError('invalid-argument', 'the guest has no loadable bytes');
  for (const p of guest.pages) {
    if (p.address >= BigInt(KERNEL_LOAD_ADDRESS)) break;
    const at = p.data.findIndex((b) => b !== 0);
    if (at >= 0) {
      throw new ImageError(
        'bad-guest-elf',
        `guest ELF: it loads bytes at 0x${(p.address + BigInt(at)).toString(16)}, below 0x${KERNEL_LOAD_ADDRESS.toString(16)}; a Secure Execution kernel image starts at 0x10000 (stage3b drops the first 64 KiB): link the guest at 0x10000 or above`,
      );
    }
  }
  if (guest.entry < BigInt(KERNEL_LOAD_ADDRESS) || guest.entry >= guest.end) {
    throw new ImageError('bad-guest-elf', `guest ELF: its entry 0x${guest.entry.toString(16)} is not inside its loaded bytes from 0x10000 to 0x${guest.end.toString(16)}`);
  }
  if (guest.end > BigInt(MAX_GENPROTIMG_IMAGE_SIZE)) throw new ImageError('guest-too-large', `guest ELF: its bytes end at 0x${guest.end.toString(16)}, beyond the ${MAX_GENPROTIMG_IMAGE_SIZE}-byte image limit`);
  const kernel = new Uint8Array(Number(guest.end));
  for (const p of guest.pages) {
    if (p.address < BigInt(KERNEL_LOAD_ADDRESS)) continue;
    kernel.set(p.data.subarray(0, Math.min(PAGE, kernel.length - Number(p.address))), Number(p.address));
  }
  return { kernel, entry: guest.entry };
}

function withNul(parmline: Uint8Array): Uint8Array {
  const out = new Uint8Array(parmline.length + 1);
  out.set(parmline);
  return out;
}
