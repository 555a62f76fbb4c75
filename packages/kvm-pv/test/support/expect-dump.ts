// Checks shared by the end-to-end dump tests.
import { expect } from 'vitest';
import { openPvDump } from '@pvdump/dump-decrypt';
import type { VirtualMachine } from '../../src/index.ts';
import { CCK } from './guests.ts';

const PAGE = 4096;

/**
 * The guest's memory as the hardware holds it right now (plaintext in secure and shared pages,
 * zeros in pages the guest never imported, such as the ones holding the image's non-secure
 * stage3a): what a dump must decrypt to. A test-only look at the frames and the UV's page states.
 */
export function guestMemorySnapshot(m: VirtualMachine): Uint8Array {
  const mapped = m.process.memory.guestRamAt(m.ramAddress, m.memorySize);
  if (mapped === undefined) throw new Error('no guest RAM mapped');
  const bytes = mapped.ram.memory.bytes.slice();
  const handle = mapped.ram.configHandle;
  const uv = m.options.kernel.uv;
  if (handle !== undefined && uv !== undefined) {
    for (let at = 0; at < bytes.length; at += PAGE) if (uv.guestPageState(handle, at) === 'non-secure') bytes.fill(0, at, at + PAGE);
  }
  return bytes;
}

/** The PV dump at `path` decrypts (with @pvdump/dump-decrypt) to exactly `memory`. */
export async function expectDecryptedMemory(path: string, memory: Uint8Array): Promise<void> {
  const dump = await openPvDump(path, CCK);
  try {
    const chunk = 1 << 20;
    for (let at = 0; at < memory.length; at += chunk) {
      const got = await dump.readMemory(BigInt(at), Math.min(chunk, memory.length - at));
      const want = memory.subarray(at, at + got.length);
      if (!Buffer.from(got).equals(Buffer.from(want))) {
        let i = 0;
        while (got[i] === want[i]) i++;
        expect.fail(`decrypted memory differs from the guest's at 0x${(at + i).toString(16)}`);
      }
    }
  } finally {
    await dump.close();
  }
}
