// @pvdump/s390x-cpu/state: the architected state of one CPU as plain data (docs/s390x-cpu.md
// §1, §2, §5–§7): PSW fields, the register snapshot and its reset values, the store-status image
// and the real lowcore addresses of the interruption PSWs and codes.

export * from './psw.js';
export * from './snapshot.js';
export * from './store-status.js';
export { LC, LOWCORE_SIZE } from '../core/lowcore.js';
