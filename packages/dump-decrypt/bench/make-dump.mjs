// Writes a synthetic PV dump for the benchmark, streaming (never the whole dump in memory):
// QEMU layout through @pvdump/dump-format, 2 CPUs with sealed PV notes, mostly encrypted pages
// (95 % encrypted, 3 % zero, 2 % shared). Encrypted pages hold random bytes: XTS speed does not
// depend on the data, and the spot check in decrypt.mjs verifies real pages separately.
import { createCipheriv, hkdfSync, randomBytes, randomFillSync } from 'node:crypto';
import { DumpWriter, emptyCpuState } from '@pvdump/dump-format';

function seal(key, iv, aad, plain) {
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  return Buffer.concat([aad, c.update(plain), c.final(), c.getAuthTag()]);
}

/** Builds `bytes` of guest memory at `path`; returns the CCK and the plaintext of page 0..15 for spot checks. */
export async function makeDump(path, bytes) {
  const pages = bytes / 4096;
  const cck = randomBytes(32);
  const seed = randomBytes(64);
  const dumpKey = Buffer.from(hkdfSync('sha512', cck, seed, Buffer.from('IBM Z Ultravisor Dump'), 32));
  const nonce = randomBytes(16);
  const xtsKey = randomBytes(64);
  const head = Buffer.alloc(96);
  head.writeUInt32BE(1, 0);
  head.writeUInt32BE(288, 4);
  seed.copy(head, 16);
  const civ = randomBytes(12);
  civ.copy(head, 80);
  const secret = Buffer.alloc(176);
  nonce.copy(secret, 0);
  xtsKey.copy(secret, 16);
  const compl = Buffer.alloc(0x1000);
  seal(dumpKey, civ, head, secret).copy(compl);
  const cpus = [0, 1].map((i) => {
    const aad = Buffer.alloc(32);
    aad.writeUInt32BE(1, 0);
    aad.writeUInt32BE(1568, 4);
    randomBytes(12).copy(aad, 8);
    const desc = Buffer.alloc(0x1000);
    seal(dumpKey, aad.subarray(8, 20), aad, randomBytes(1520)).copy(desc);
    const c = emptyCpuState(i + 1);
    c.pvCpuData = desc;
    return c;
  });
  const meta = Buffer.alloc(pages * 16);
  const states = new Uint8Array(pages);
  for (let p = 0; p < pages; p++) {
    const r = (p * 2654435761) % 100;
    states[p] = r < 3 ? 1 : r < 5 ? 2 : 0;
    const e = meta.subarray(p * 16, p * 16 + 16);
    if (states[p] === 0) {
      randomFillSync(e);
      e[0] = 0x00;
    } else {
      e.fill(0xff, 0, 4);
      e[15] = states[p];
    }
  }
  // The first 16 pages are real encryptions of known plaintext for the spot check.
  const known = randomBytes(16 * 4096);
  const w = await DumpWriter.create(path, { cpus, memory: [{ start: 0n, size: BigInt(bytes) }], pv: { memMetaSize: BigInt(meta.length), complSize: 0x1000n } });
  const chunkPages = 1024;
  const chunk = Buffer.alloc(chunkPages * 4096);
  for (let first = 0; first < pages; first += chunkPages) {
    randomFillSync(chunk);
    if (first === 0) {
      for (let p = 0; p < 16; p++) {
        const plain = known.subarray(p * 4096, (p + 1) * 4096);
        const e = meta.subarray(p * 16, p * 16 + 16);
        if (states[p] === 0) {
          const tweak = Buffer.from(e.map((b, k) => b | nonce[k]));
          createCipheriv('aes-256-xts', xtsKey, tweak)
            .update(plain)
            .copy(chunk, p * 4096);
        } else if (states[p] === 2) plain.copy(chunk, p * 4096);
        else known.fill(0, p * 4096, (p + 1) * 4096);
      }
    }
    await w.writeMemory(chunk);
  }
  await w.finish({ memMeta: meta, compl });
  return { cck, known };
}
