// Swap (docs/kvm-pv-api.md §8 [E] policy): with a host limit on resident guest pages, secure pages
// are exported and their ciphertext moves to the swap store; the guest's next access brings the
// page back and the import checks its integrity. A dump copies swapped pages from swap as they
// are (no export, no re-encryption) and decrypts to the same memory; a corrupted swapped page
// fails the import, so the guest gets an addressing exception instead of wrong data.
import { describe, expect, it } from 'vitest';
import { tempPath } from '@pvdump/test-support';
import { MemorySwapStore, VirtualMachine, dumpGuestMemory, type GuestRam } from '../src/index.ts';
import { expectDecryptedMemory, guestMemorySnapshot } from './support/expect-dump.ts';
import { assemble, protectedImage, smpGuestSource, testHost } from './support/guests.ts';

const MEMORY = 4 * 1024 * 1024;

function crashed(guestPageLimit?: number) {
  const host = testHost(guestPageLimit === undefined ? {} : { guestPageLimit });
  const m = new VirtualMachine({ kernel: host.kernel, memorySize: MEMORY, cpus: 2 });
  m.bootSecureImage(protectedImage(assemble(smpGuestSource(2))));
  const stop = m.run(20000);
  const ram: GuestRam = m.process.memory.guestRamAt(m.ramAddress, MEMORY)!.ram;
  return { ...host, m, stop, ram };
}

describe('swapping a protected guest', () => {
  it('with half its pages swapped out the guest still runs, and its dump decrypts to the same memory', async () => {
    const reference = crashed();
    const memory = guestMemorySnapshot(reference.m);
    const touched = reference.ram.residentPages;
    expect(touched).toBeGreaterThan(40);

    const limit = Math.floor(touched / 2);
    const { m, stop, ram } = crashed(limit);
    expect(stop).toMatchObject({ kind: 'panic', cpu: 0 });
    expect(ram.residentPages).toBeLessThanOrEqual(limit);
    expect(ram.stats.swapOuts).toBeGreaterThan(0);
    expect(ram.stats.swapIns).toBeGreaterThan(0);
    const swapped = ram.swap.size;
    expect(swapped).toBeGreaterThanOrEqual(touched - limit - 2);

    const exportsBefore = ram.stats.exports;
    const path = tempPath('swapped.elf');
    expect((await dumpGuestMemory(m, path)).pv).toBe(true);
    // Swapped pages were copied from swap: no swap-in, and exports only for resident secure pages.
    expect(ram.swap.size).toBe(swapped);
    expect(ram.stats.exports - exportsBefore).toBeLessThanOrEqual(ram.residentPages);
    await expectDecryptedMemory(path, memory);
  });

  it('a corrupted swapped page is detected on import: the guest gets an addressing exception, the page stays exported', () => {
    const { kernel, ram } = crashed(24);
    const store = ram.swap;
    if (!(store instanceof MemorySwapStore)) throw new Error('the default swap store is in process memory');
    const [page, data] = [...store.pages.entries()].find(([p]) => p * 4096 >= 0x200000)!;
    data[100] = data[100]! ^ 0x01;
    expect(ram.guestFault(page)).toEqual({ kind: 'program', code: 0x05 });
    expect(ram.stats.failedImports).toBe(1);
    expect(kernel.uv!.guestPageState(ram.configHandle!, page * 4096)).toBe('exported');
    expect(ram.memory.isPageAccessible(page)).toBe(false);
    // An intact swapped page comes back and imports.
    const [good] = [...store.pages.keys()].filter((p) => p !== page);
    expect(ram.guestFault(good!)).toEqual({ kind: 'retry' });
    expect(ram.memory.isPageAccessible(good!)).toBe(true);
  });
});
