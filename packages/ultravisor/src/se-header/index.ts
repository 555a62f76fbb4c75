/**
 * SE header (spec ultravisor.md §5): parse the plaintext part, open it on the UV side with a
 * machine host key (./firmware.ts), and build one on the guest owner's side.
 */
export * from './firmware.js';
export { decryptSeHeaderArea, type SeHeaderArea } from './open.js';
export { buildSeHeader, randomXtsKey, type BuildSeHeaderOptions } from './build.js';
export { buildKeySlot } from './key-slot.js';
export type { HostKeyPair } from '../host-key/host-key.js';
