/**
 * Protected guest images [E]: load a bare-metal guest ELF, build the SE header plus its
 * AES-XTS-encrypted pages in pvdump's container, and read the container back for KVM's unpack.
 */
export { MAX_GUEST_PAGES, PAGE_SIZE, loadGuestElf, type GuestMemoryImage, type GuestPage, type LoadGuestElfOptions } from './guest-elf.js';
export { DEFAULT_PSW_MASK, buildProtectedImage, decryptImagePage, decryptProtectedImage, type BuildProtectedImageOptions } from './build.js';
export {
  CHECKSUM_SIZE,
  ContainerOffset,
  IMAGE_MAGIC,
  IMAGE_VERSION,
  MAX_IMAGE_PAGES,
  PAGE_TABLE_ENTRY_SIZE,
  PREAMBLE_SIZE,
  PageEntryOffset,
  containerLayout,
  readProtectedImage,
  type ProtectedImage,
  type ProtectedImageComponent,
  type ProtectedImagePage,
} from './format.js';
export { computeImageDigests, type ImageDigests } from './digests.js';
export { ImageError, type ImageErrorReason } from './errors.js';
export * from './genprotimg-layout.js';
export { genprotimgPages, looksLikeGenprotimgImage, readGenprotimgImage, type GenprotimgComponent, type GenprotimgImage, type GenprotimgPage } from './genprotimg-read.js';
export {
  decryptGenprotimgComponent,
  findStage3bArgs,
  parseStage3bArgs,
  requireVerifiedGenprotimgImage,
  verifyGenprotimgImage,
  type GenprotimgVerification,
  type MemoryBlob,
  type Stage3bArgs,
} from './genprotimg-open.js';
export { MAX_GENPROTIMG_IMAGE_SIZE, buildGenprotimgImage, kernelImageFromGuest, type BuildGenprotimgImageOptions } from './genprotimg-build.js';
export { bootLoaders, type BootLoaders } from './loaders.js';
