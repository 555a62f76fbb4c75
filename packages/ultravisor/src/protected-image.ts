/**
 * `@pvdump/ultravisor/protected-image`: pvdump's protected-image container [E] (the SE header and
 * the encrypted pages with their addresses and tweaks), as the guest owner's builder writes it and
 * the host's loader reads it to hand the pages to the Ultravisor's unpack calls.
 */
export {
  CHECKSUM_SIZE,
  ContainerOffset,
  IMAGE_MAGIC,
  IMAGE_VERSION,
  ImageError,
  MAX_IMAGE_PAGES,
  PAGE_TABLE_ENTRY_SIZE,
  PREAMBLE_SIZE,
  PageEntryOffset,
  containerLayout,
  readProtectedImage,
  type ImageErrorReason,
  type ProtectedImage,
  type ProtectedImageComponent,
  type ProtectedImagePage,
} from './image/index.js';
