// The initial process stack of a static Linux ELF program (Linux fs/binfmt_elf.c
// create_elf_tables, s390x): from the top, the argument and environment strings, 16 random
// bytes (AT_RANDOM) and the platform string, then (16-byte aligned) argc, argv[], NULL, envp[],
// NULL and the auxiliary vector; r15 points at argc.

import type { ElfImage } from '../baremetal/elf.js';

export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_PLATFORM = 15;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_EXECFN = 31;

export interface StackImage {
  /** Lowest address of the image (the new r15). */
  sp: number;
  bytes: Uint8Array;
}

/**
 * Builds the stack contents that end just below `top`. `phdr` is the program headers' address in
 * guest memory (0 when they are not loaded); `random` the 16 AT_RANDOM bytes.
 */
export function buildInitialStack(top: number, argv: readonly string[], envp: readonly string[], image: ElfImage, phdr: number, random: Uint8Array): StackImage {
  const enc = new TextEncoder();
  const strings: Uint8Array[] = [];
  let cursor = top;
  const place = (data: Uint8Array): number => {
    cursor -= data.length;
    strings.push(data);
    return cursor;
  };
  const cstr = (s: string): Uint8Array => {
    const b = enc.encode(s);
    const out = new Uint8Array(b.length + 1);
    out.set(b);
    return out;
  };
  const execfn = place(cstr(argv[0] ?? ''));
  const envAddrs = envp.map((e) => place(cstr(e)));
  const argAddrs = argv.map((a) => place(cstr(a)));
  const platform = place(cstr('s390x'));
  const randomAt = place(random.slice(0, 16));
  const phnum = image.segments.length;
  const auxv: [number, number][] = [
    [AT_HWCAP, 0],
    [AT_PAGESZ, 4096],
    [AT_CLKTCK, 100],
    [AT_PHDR, phdr],
    [AT_PHENT, 56],
    [AT_PHNUM, phnum],
    [AT_ENTRY, Number(image.entry)],
    [AT_UID, 0],
    [AT_EUID, 0],
    [AT_GID, 0],
    [AT_EGID, 0],
    [AT_SECURE, 0],
    [AT_RANDOM, randomAt],
    [AT_EXECFN, execfn],
    [AT_PLATFORM, platform],
    [AT_NULL, 0],
  ];
  const words = 1 + argAddrs.length + 1 + envAddrs.length + 1 + 2 * auxv.length;
  const sp = Math.floor((cursor - words * 8) / 16) * 16;
  const bytes = new Uint8Array(top - sp);
  const view = new DataView(bytes.buffer);
  let w = 0;
  const put = (v: number): void => {
    view.setBigUint64(w, BigInt(v));
    w += 8;
  };
  put(argAddrs.length);
  argAddrs.forEach(put);
  put(0);
  envAddrs.forEach(put);
  put(0);
  for (const [k, v] of auxv) {
    put(k);
    put(v);
  }
  // Strings were placed downwards from `top`; copy each at its address.
  let at = top;
  for (const s of strings) {
    at -= s.length;
    bytes.set(s, at - sp);
  }
  return { sp, bytes };
}
