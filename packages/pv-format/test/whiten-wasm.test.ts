// The whitening kernel's WebAssembly module is compiled from src/crypto/whiten.wat with wabt at
// build time. The module shipped is what wabt makes of the source, and it is byte for byte the
// module the earlier hand-written opcode assembler produced (so every output is unchanged; the
// XTS vectors and page runs of dump-decrypt's crypto.test.ts run through it).
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWhiten, generatedSource } from '../scripts/compile-wat.mjs';
import { createBatchXts, whitenModuleBytes } from '../src/crypto/xts-batch.ts';
import { xtsDecrypt, xtsEncrypt } from '../src/crypto/xts.ts';

/** SHA-256 of the 952-byte module the hand-written assembler emitted before whiten.wat existed. */
const ASSEMBLED_MODULE_SHA256 = '498965f8e1bfc3628ee7d274ceeb0a384d7d7920c5df4f70957d15cc95d272e4';

describe('whitening kernel from whiten.wat', () => {
  it('ships exactly what wabt compiles from whiten.wat', async () => {
    const compiled = await compileWhiten();
    expect(Buffer.from(whitenModuleBytes()).equals(Buffer.from(compiled))).toBe(true);
    const generated = readFileSync(new URL('../src/crypto/whiten-wasm.ts', import.meta.url), 'utf8');
    expect(generated).toBe(generatedSource(compiled));
  });

  it('is byte for byte the module of the former hand-written assembler', () => {
    const bytes = whitenModuleBytes();
    expect(bytes.length).toBe(952);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ASSEMBLED_MODULE_SHA256);
  });

  it('decrypts and encrypts whole pages as OpenSSL aes-256-xts and the noble reference do', () => {
    const key = randomBytes(64);
    const pages = 9;
    const tweaks = randomBytes(16 * pages);
    const plain = randomBytes(4096 * pages);
    const unit = (i: number): [Uint8Array, Uint8Array] => [tweaks.subarray(16 * i, 16 * i + 16), plain.subarray(4096 * i, 4096 * (i + 1))];
    const openssl = (i: number): Buffer => createCipheriv('aes-256-xts', key, unit(i)[0]).update(unit(i)[1]);
    const expected = Buffer.concat(Array.from({ length: pages }, (_, i) => openssl(i)));
    const reference = Buffer.concat(Array.from({ length: pages }, (_, i) => xtsEncrypt(key, ...unit(i))));
    expect(reference.equals(expected)).toBe(true);
    const data = Uint8Array.from(plain);
    const batch = createBatchXts(nodeCrypto, whitenModuleBytes(), key);
    batch.encryptUnits(tweaks, data, 4096);
    expect(Buffer.from(data).equals(expected)).toBe(true);
    const one = Uint8Array.from(data.subarray(4096 * 3, 4096 * 4));
    expect(Buffer.from(xtsDecrypt(key, unit(3)[0], one)).equals(unit(3)[1])).toBe(true);
    batch.decryptUnits(tweaks, data, 4096);
    batch.dispose();
    expect(Buffer.from(data).equals(plain)).toBe(true);
  });

  it('wipes its WebAssembly memory on dispose and hands it to the next cipher of the thread', () => {
    // A memory outside the JavaScript heap puts no pressure on the garbage collector: a process
    // that opens dump after dump must reuse memories, not leave one behind per dump.
    const first = createBatchXts(nodeCrypto, whitenModuleBytes(), randomBytes(64));
    const { buffer, offsets } = first.reserveRegions(2, 64 << 10);
    const data = randomBytes(4096 * 4);
    first.decryptUnits(randomBytes(16 * 4), data, 4096);
    new Uint8Array(buffer).fill(0x5a, offsets[1], offsets[1]! + 4096);
    first.dispose();
    expect(new Uint8Array(buffer).every((b) => b === 0)).toBe(true);
    expect(() => first.decryptUnits(randomBytes(16), new Uint8Array(4096), 4096)).toThrow(/after dispose/);
    // Views of one WebAssembly memory are distinct objects: a memory is recognised by a byte
    // written through a view of it after its cipher was disposed.
    const ciphers = Array.from({ length: 50 }, () => createBatchXts(nodeCrypto, whitenModuleBytes(), randomBytes(64)));
    const views = ciphers.map((c) => c.reserveRegions(1, 4096));
    for (const c of ciphers) c.dispose();
    views.forEach(({ buffer: b, offsets: o }, i) => (new Uint8Array(b)[o[0]!] = i + 1));
    const again = Array.from({ length: 3 }, () => createBatchXts(nodeCrypto, whitenModuleBytes(), randomBytes(64)));
    const marks = again.map((c) => {
      const { buffer: b, offsets: o } = c.reserveRegions(1, 4096);
      return new Uint8Array(b)[o[0]!]!;
    });
    expect(marks.filter((m) => m !== 0).length).toBe(2);
    for (const c of again) c.dispose();
  });
});
