/**
 * `@pvdump/ultravisor/guest-owner`: what the guest owner runs before a protected guest exists, as
 * genprotimg does (spec ultravisor.md §5, §7): load the guest's ELF, build the SE header with key
 * slots for the host keys it may run on, build the Secure Execution image in genprotimg's layout,
 * open and verify one, compute the image digests, and write or read host key documents (the
 * machine's public host key as X.509).
 */
export { buildKeySlot, buildSeHeader, decryptSeHeaderArea, randomXtsKey, type BuildSeHeaderOptions, type SeHeaderArea } from './se-header/index.js';
export {
  DEFAULT_HOST_KEY_SUBJECT,
  DerError,
  createHostKeyDocument,
  hostKeyDocumentToPem,
  isSelfSignedHostKeyDocument,
  parseHostKeyDocument,
  type HostKeyDocument,
  type HostKeyDocumentOptions,
  type NameAttributes,
} from './host-key/index.js';
export {
  ImageError,
  MAX_GUEST_PAGES,
  computeImageDigests,
  loadGuestElf,
  type GuestMemoryImage,
  type GuestPage,
  type ImageDigests,
  type ImageErrorReason,
  MAX_GENPROTIMG_IMAGE_SIZE,
  bootLoaders,
  buildGenprotimgImage,
  kernelImageFromGuest,
  type BootLoaders,
  type BuildGenprotimgImageOptions,
  decryptGenprotimgComponent,
  findStage3bArgs,
  parseStage3bArgs,
  requireVerifiedGenprotimgImage,
  verifyGenprotimgImage,
  type GenprotimgVerification,
  type MemoryBlob,
  type Stage3bArgs,
} from './image/index.js';
