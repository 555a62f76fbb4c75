/**
 * Secure Execution boot images in genprotimg's layout: load a bare-metal guest ELF, build the
 * image (stage3a, the PV IPL parameter block, the SE header, the AES-XTS-encrypted components),
 * read it back without a key, and open and verify it with one.
 */
export { MAX_GUEST_PAGES, PAGE_SIZE, loadGuestElf, type GuestMemoryImage, type GuestPage, type LoadGuestElfOptions } from './guest-elf.js';
export { computeImageDigests, type ImageDigests } from './digests.js';
export { ImageError, type ImageErrorReason } from './errors.js';
export * from './genprotimg-layout.js';
export { genprotimgPages, looksLikeGenprotimgImage, readGenprotimgImage, type GenprotimgComponent, type GenprotimgImage, type GenprotimgPage } from './genprotimg-read.js';
export { decryptGenprotimgComponent, findStage3bArgs, parseStage3bArgs, requireVerifiedGenprotimgImage, verifyGenprotimgImage, type GenprotimgVerification, type MemoryBlob, type Stage3bArgs } from './genprotimg-open.js';
export { MAX_GENPROTIMG_IMAGE_SIZE, buildGenprotimgImage, kernelImageFromGuest, type BuildGenprotimgImageOptions } from './genprotimg-build.js';
export { bootLoaders, type BootLoaders } from './loaders.js';
