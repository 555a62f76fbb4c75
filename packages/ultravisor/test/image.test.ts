// Protected images: guest ELF loading (checked against objcopy), the container round trip, page
// decryption back to the guest's bytes with the host key pair, tweak rules, and refusals.
import { createDecipheriv } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { fixturePath, requireTool, run, tempPath } from '@pvdump/test-support';
import { describe, expect, it } from 'vitest';
import { generateHostKeyPair } from '../src/host-key/index.ts';
import {
  ImageError,
  PAGE_SIZE,
  buildProtectedImage,
  computeImageDigests,
  decryptProtectedImage,
  loadGuestElf,
  readProtectedImage,
  type GuestMemoryImage,
  type ImageErrorReason,
} from '../src/image/index.ts';
import { deterministicRandom } from '../src/random.ts';
import { openSeHeader, parseSeHeader } from '../src/se-header/index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const cck = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);

function reasonOf(fn: () => unknown): ImageErrorReason | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImageError) {
      expect(err.userError).toBe(true);
      return err.reason;
    }
    throw err;
  }
  return undefined;
}

/** Assembles and links a guest with two loadable ranges: two pages at 0 and three at 0x20000. */
function twoRangeGuest(): Uint8Array {
  requireTool('s390x-linux-gnu-gcc');
  const src = tempPath('two.S');
  const ld = tempPath('two.ld');
  const out = tempPath('two.elf');
  writeFileSync(
    src,
    [
      '    .section .head, "ax"',
      '    .globl _start',
      '    .org 0x300',
      '_start: j _start',
      '    .org 0x1ff0',
      '    .ascii "end of page one"',
      '    .org 0x1800 + 0x1000',
      '    .section .data, "aw"',
      '    .ascii "DATA-START"',
      '    .fill 0x2400, 1, 0x5a',
      '    .ascii "DATA-END"',
      '',
    ].join('\n'),
  );
  writeFileSync(ld, 'ENTRY(_start)\nSECTIONS {\n  .head 0 : AT(0) { *(.head) }\n  .data 0x20000 : AT(0x20000) { *(.data) }\n}\n');
  run('s390x-linux-gnu-gcc', ['-nostdlib', '-static', '-Wl,--build-id=none', `-Wl,-T,${ld}`, '-o', out, src]);
  return new Uint8Array(readFileSync(out));
}

/** The loaded bytes as objcopy sees them: a flat binary from the lowest address. */
function objcopyFlat(elf: Uint8Array): Uint8Array {
  requireTool('s390x-linux-gnu-objcopy');
  const inPath = tempPath('in.elf');
  const outPath = tempPath('flat.bin');
  writeFileSync(inPath, elf);
  run('s390x-linux-gnu-objcopy', ['-O', 'binary', inPath, outPath]);
  return new Uint8Array(readFileSync(outPath));
}

function flatten(guest: GuestMemoryImage, length: number): Uint8Array {
  const flat = new Uint8Array(length);
  for (const p of guest.pages) {
    const at = Number(p.address);
    if (at < length) flat.set(p.data.subarray(0, Math.min(PAGE_SIZE, length - at)), at);
  }
  return flat;
}

describe('loadGuestElf', () => {
  it('loads the crash fixture guest as objcopy does', () => {
    const elf = new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf')));
    const guest = loadGuestElf(elf);
    expect(guest.entry).toBe(0x200n);
    expect(guest.pages.map((p) => p.address)).toEqual([0n]);
    const flat = objcopyFlat(elf);
    expect(flat.length).toBe(0x2e8);
    expect(hex(guest.pages[0]!.data.subarray(0, flat.length))).toBe(hex(flat));
    expect(guest.pages[0]!.data.subarray(flat.length).every((b) => b === 0)).toBe(true);
  });

  it('loads a guest with two address ranges as objcopy does', () => {
    const elf = twoRangeGuest();
    const guest = loadGuestElf(elf);
    expect(guest.entry).toBe(0x300n);
    expect(guest.pages.map((p) => p.address)).toEqual([0n, 0x1000n, 0x2000n, 0x20000n, 0x21000n, 0x22000n]);
    const flat = objcopyFlat(elf);
    expect(hex(flatten(guest, flat.length))).toBe(hex(flat));
  });

  it('refuses files that are not big-endian s390x executables', () => {
    const elf = new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf')));
    const edit = (f: (b: Uint8Array, v: DataView) => void): Uint8Array => {
      const b = elf.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    expect(reasonOf(() => loadGuestElf(new Uint8Array(readFileSync('/bin/sh'))))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(new Uint8Array(10)))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(edit((b) => (b[5] = 1))))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(edit((_, v) => v.setUint16(18, 62))))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(edit((_, v) => v.setUint16(16, 4))))).toBe('bad-guest-elf');
    expect(reasonOf(() => loadGuestElf(edit((_, v) => v.setBigUint64(32, 0xffffn))))).toBe('bad-guest-elf');
    // p_filesz (and p_memsz) of the first PT_LOAD run past the end of the file.
    const pastEnd = edit((_, v) => {
      v.setBigUint64(64 + 32, 0x100000n);
      v.setBigUint64(64 + 40, 0x100000n);
    });
    expect(reasonOf(() => loadGuestElf(pastEnd))).toBe('bad-guest-elf');
    expect(() => loadGuestElf(pastEnd)).toThrow(/program header 0: file bytes 4096\+1048576 run past the end of the 5504-byte file/);
    expect(reasonOf(() => loadGuestElf(edit((_, v) => v.setBigUint64(64 + 32, 0x1000n))))).toBe('bad-guest-elf');
    expect(() => loadGuestElf(edit((_, v) => v.setBigUint64(64 + 32, 0x1000n)))).toThrow(/p_filesz 4096 exceeds p_memsz 744/);
    // The page limit is checked before pages are allocated.
    expect(reasonOf(() => loadGuestElf(twoRangeGuest(), { maxPages: 4 }))).toBe('guest-too-large');
  });
});

describe('buildProtectedImage / readProtectedImage', () => {
  const host = generateHostKeyPair();

  it('round trip of the crash fixture guest: the host key pair opens the header and the pages decrypt to the guest', () => {
    const guest = loadGuestElf(new Uint8Array(readFileSync(fixturePath('qemu-7.2-crash/guest.elf'))));
    const bytes = buildProtectedImage({ guest, hostPublicKeys: [host.publicKey], cck, allowDumping: true });
    const image = readProtectedImage(bytes);
    expect(image.version).toBe(1);
    expect(image.pages.length).toBe(1);
    expect(image.components).toEqual([{ guestAddress: 0n, size: 4096n, tweak: image.pages[0]!.tweakHigh, firstPage: 0, pageCount: 1 }]);
    const secrets = openSeHeader(image.seHeader, [host]);
    expect(hex(secrets.cck)).toBe(hex(cck));
    expect(secrets.psw).toEqual({ mask: 0x0000000180000000n, addr: 0x200n });
    expect(secrets.allowDumping).toBe(true);
    expect(secrets.pcf).toBe(0x00000000200000e0n);
    const plain = [...decryptProtectedImage(image, secrets.imageXtsKey)];
    expect(plain.map((p) => p.guestAddress)).toEqual([0n]);
    expect(hex(plain[0]!.plaintext)).toBe(hex(guest.pages[0]!.data));
    expect(hex(image.pages[0]!.ciphertext)).not.toBe(hex(guest.pages[0]!.data));
    // The header's measurement is that of the pages in the container.
    const header = parseSeHeader(image.seHeader);
    const d = computeImageDigests(image.pages);
    expect(header.encryptedPageCount).toBe(1n);
    expect(hex(header.pageListDigest)).toBe(hex(d.pageListDigest));
    expect(hex(header.addressListDigest)).toBe(hex(d.addressListDigest));
    expect(hex(header.tweakListDigest)).toBe(hex(d.tweakListDigest));
    secrets.wipe();
  });

  it('two ranges with three host keys: components, tweak rules, and decryption for every host', () => {
    const guest = loadGuestElf(twoRangeGuest());
    const hosts = [generateHostKeyPair(), host, generateHostKeyPair()];
    const image = readProtectedImage(buildProtectedImage({ guest, hostPublicKeys: hosts.map((h) => h.publicKey), cck }));
    expect(image.components.map((c) => [c.guestAddress, c.size, c.firstPage, c.pageCount])).toEqual([
      [0n, 0x3000n, 0, 3],
      [0x20000n, 0x3000n, 3, 3],
    ]);
    image.pages.forEach((p, i) => {
      const component = i < 3 ? 0 : 1;
      expect(p.tweak[0]! * 256 + p.tweak[1]!, `page ${i}`).toBe(component);
      expect(p.tweakLow).toBe(BigInt((i % 3) * 4096));
      expect(p.tweakHigh).toBe(image.components[component]!.tweak);
    });
    expect(new Set(image.pages.map((p) => hex(p.tweak))).size).toBe(6);
    for (const h of hosts) {
      const s = openSeHeader(image.seHeader, [h]);
      expect(s.allowDumping).toBe(false);
      const plain = [...decryptProtectedImage(image, s.imageXtsKey)];
      plain.forEach((p, i) => {
        expect(p.guestAddress).toBe(guest.pages[i]!.address);
        expect(hex(p.plaintext)).toBe(hex(guest.pages[i]!.data));
      });
      s.wipe();
    }
    expect(() => openSeHeader(image.seHeader, [generateHostKeyPair()])).toThrow(/none of the 3 key slot/);
  });

  it('pages are plain AES-256-XTS under the header key with the page tweak as IV (checked with OpenSSL via node:crypto)', () => {
    const guest = loadGuestElf(twoRangeGuest());
    const image = readProtectedImage(buildProtectedImage({ guest, hostPublicKeys: [host.publicKey], cck }));
    const secrets = openSeHeader(image.seHeader, [host]);
    image.pages.forEach((page, i) => {
      const decipher = createDecipheriv('aes-256-xts', secrets.imageXtsKey, page.tweak);
      const plain = Buffer.concat([decipher.update(page.ciphertext), decipher.final()]);
      expect(plain.equals(Buffer.from(guest.pages[i]!.data)), `page ${i}`).toBe(true);
    });
    secrets.wipe();
  });

  it('never reuses keys or tweaks between two builds of the same guest', () => {
    const guest = loadGuestElf(twoRangeGuest());
    const a = readProtectedImage(buildProtectedImage({ guest, hostPublicKeys: [host.publicKey], cck }));
    const b = readProtectedImage(buildProtectedImage({ guest, hostPublicKeys: [host.publicKey], cck }));
    const tweaksA = new Set(a.pages.map((p) => hex(p.tweak)));
    expect(b.pages.some((p) => tweaksA.has(hex(p.tweak)))).toBe(false);
    const ka = openSeHeader(a.seHeader, [host]).imageXtsKey;
    const kb = openSeHeader(b.seHeader, [host]).imageXtsKey;
    expect(hex(ka)).not.toBe(hex(kb));
    expect(hex(ka.subarray(0, 32))).not.toBe(hex(ka.subarray(32)));
  });

  it('refuses corrupted, truncated and foreign containers; a re-sealed altered page fails the measurement', () => {
    const guest = loadGuestElf(twoRangeGuest());
    const bytes = buildProtectedImage({ guest, hostPublicKeys: [host.publicKey], cck });
    const image = readProtectedImage(bytes);
    const dataStart = image.pages[0]!.ciphertext.byteOffset - bytes.byteOffset;
    const altered = bytes.slice();
    altered[dataStart + 100]! ^= 0x80;
    expect(reasonOf(() => readProtectedImage(altered))).toBe('checksum-mismatch');
    expect(reasonOf(() => readProtectedImage(bytes.subarray(0, bytes.length - 1)))).toBe('bad-container');
    expect(reasonOf(() => readProtectedImage(bytes.subarray(0, 50)))).toBe('bad-container');
    const foreign = bytes.slice();
    foreign[0] = 0x7f;
    expect(reasonOf(() => readProtectedImage(foreign))).toBe('bad-container');
    // Someone who recomputes the container checksum still cannot pass the SE header's PLD.
    altered.set(sha256(altered.subarray(0, altered.length - 32)), altered.length - 32);
    const resealed = readProtectedImage(altered);
    expect(hex(computeImageDigests(resealed.pages).pageListDigest)).not.toBe(hex(parseSeHeader(resealed.seHeader).pageListDigest));
    // A page table entry whose tweak offset is wrong is refused.
    const badTweak = bytes.slice();
    const entry1 = 64 + image.seHeader.length + 32 + 8 + 15;
    badTweak[entry1]! ^= 0x01;
    badTweak.set(sha256(badTweak.subarray(0, badTweak.length - 32)), badTweak.length - 32);
    expect(reasonOf(() => readProtectedImage(badTweak))).toBe('bad-page-table');
  });

  it('is byte-for-byte reproducible with a deterministic random source', () => {
    const guest = loadGuestElf(twoRangeGuest());
    const make = (): Uint8Array => {
      const random = deterministicRandom('image-test');
      const machine = generateHostKeyPair(random);
      return buildProtectedImage({ guest, hostPublicKeys: [machine.publicKey], cck, allowDumping: true, random });
    };
    const a = make();
    expect(hex(make())).toBe(hex(a));
    const random = deterministicRandom('image-test');
    const machine = generateHostKeyPair(random);
    expect(openSeHeader(readProtectedImage(a).seHeader, [machine]).allowDumping).toBe(true);
  });

  it('refuses guests without pages', () => {
    expect(reasonOf(() => buildProtectedImage({ guest: { entry: 0n, pages: [], end: 0n }, hostPublicKeys: [host.publicKey], cck }))).toBe('invalid-argument');
  });
});
