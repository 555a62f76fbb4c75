/**
 * `@pvdump/ultravisor/protected-image`: pvdump's protected-image container [E] (the SE header and
 * the encrypted pages with their addresses and tweaks), as the guest owner's builder writes it and
 * the host's loader reads it to hand the pages to the Ultravisor's unpack calls; and the PV IPL
 * parameter block of Secure Execution boot images, which the image builder writes and the VMM's
 * DIAGNOSE 0x308 reads.
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
export {
  IPL_BLOCK_MAX_LENGTH,
  IPL_LIST_HEADER_SIZE,
  IPL_PARAMETER_LIST_VERSION,
  IPL_TYPE_PV,
  PV_BLOCK_FIXED_SIZE,
  PV_IPL_BLOCK_MIN_LENGTH,
  PV_IPL_MAX_COMPONENTS,
  PV_IPL_MAX_SE_HEADER_LENGTH,
  PvIplBlockError,
  PvIplBlockOffset,
  PvIplComponentOffset,
  checkPvIplContents,
  decodePvIplBlock,
  encodePvIplBlock,
  pvIplBlockLength,
  pvIplBlockSize,
  type PvIplBlock,
  type PvIplBlockErrorReason,
  type PvIplBlockInput,
  type PvIplCheckOptions,
  type PvIplComponent,
} from './ipl/pv-ipl-block.js';
