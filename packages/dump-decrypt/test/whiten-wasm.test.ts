// The whitening kernel's WebAssembly module is compiled from src/crypto/whiten.wat with wabt at
// build time. The module shipped is what wabt makes of the source, and it is byte for byte the
// module the earlier hand-written opcode assembler produced (so every output is unchanged; the
// XTS vectors and page runs in crypto.test.ts run through it).
import { createHash, randomBytes } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWhiten, generatedSource } from '../scripts/compile-wat.mjs';
import { createBatchXts, whitenModuleBytes } from '../src/crypto/xts-batch.ts';
import { NodeXts } from '../src/crypto/xts-node.ts';

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

  it('decrypts whole pages as OpenSSL aes-256-xts does', () => {
    const key = randomBytes(64);
    const pages = 9;
    const tweaks = randomBytes(16 * pages);
    const cipher = randomBytes(4096 * pages);
    const expected = Buffer.concat(
      Array.from({ length: pages }, (_, i) => new NodeXts(key).decrypt(tweaks.subarray(16 * i, 16 * i + 16), cipher.subarray(4096 * i, 4096 * (i + 1)))),
    );
    const data = Uint8Array.from(cipher);
    const batch = createBatchXts(nodeCrypto, whitenModuleBytes(), key);
    batch.decryptUnits(tweaks, data, 4096);
    batch.dispose();
    expect(Buffer.from(data).equals(expected)).toBe(true);
  });
});
