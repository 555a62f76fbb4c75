// The whole chain with the real CPU interpreter: a guest assembled with binutils, built into a
// Secure Execution image (genprotimg's layout; stage3b relocates the guest), booted through the UV calls into guest storage shared with @pvdump/s390x-cpu's
// GuestMemory, run on secure CPUs (touching never-imported pages, intercepting DIAG), dumped
// through the dump calls and decrypted by @pvdump/dump-decrypt to the CPUs' exact state.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cpu, GuestMemory } from '@pvdump/s390x-cpu';
import { type CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { emptyCpuState, writeDump } from '@pvdump/dump-format';
import { decryptDump, openPvDump } from '@pvdump/dump-decrypt';
import { requireTool, run, tempPath } from '@pvdump/test-support';
import { buildGenprotimgImage, kernelImageFromGuest, loadGuestElf } from '../src/guest-owner.ts';
import { genprotimgPages, readGenprotimgImage } from '../src/protected-image.ts';
import { SecureStorageAccessError } from '../src/errors.ts';
import type { SecureCpuRunner } from '../src/secure-cpu-run.ts';
import { MappedHostStorage } from '../src/storage/mapped-storage.ts';
import { SparseHostStorage } from '../src/storage/host-storage.ts';
import { deterministicRandom } from '../src/random.ts';
import { Ultravisor } from '../src/ultravisor.ts';
import { PvCpuState } from '../src/uvc/codes.ts';
import { expectDecryptedCpu, storageStateAndCompletion } from './support/dump.ts';
import { ASCE, CCK, GUEST_SIZE, HOST_SIZE, L, expectOk, hostKey } from './support/machine.ts';

const GUEST_S = `
	.text
	.globl _start
_start:
	lghi	%r2, 0x1234
	llihf	%r3, 0x01234567
	iilf	%r3, 0x89abcdef
	lgfi	%r5, 0x200000
	stg	%r3, 0(%r5)
	mvhi	8(%r5), 0x55
	lghi	%r1, 7
	diag	%r1, %r2, 0x500
	aghi	%r1, 1
	stg	%r1, 16(%r5)
	larl	%r4, wait_psw
	lpswe	0(%r4)
	.align 8
wait_psw:
	.quad 0x0002000180000000, 0x000000000000dead
`;

function assembleGuest(): Uint8Array {
  requireTool('s390x-linux-gnu-as');
  requireTool('s390x-linux-gnu-ld');
  const src = tempPath('guest.S');
  const obj = tempPath('guest.o');
  const elf = tempPath('guest.elf');
  writeFileSync(src, GUEST_S);
  run('s390x-linux-gnu-as', ['-m64', '-o', obj, src]);
  run('s390x-linux-gnu-ld', ['-static', '-nostdlib', '-Ttext=0x10000', '-e', '_start', '-o', elf, obj]);
  return new Uint8Array(readFileSync(elf));
}

describe('secure CPUs on the real interpreter, dumped and decrypted', () => {
  it('dumps two CPUs (one mid-interception) and decrypts to their exact registers and the memory they wrote', async () => {
    const guestMemory = new GuestMemory(Number(GUEST_SIZE));
    for (let p = 0; p < guestMemory.pageCount; p++) guestMemory.setPageAccessible(p, false); // nothing imported yet
    const storage = new MappedHostStorage(new SparseHostStorage(HOST_SIZE), [{ origin: Number(L.guest), storage: guestMemory }]);
    const uv = new Ultravisor({
      storage,
      hostKeys: [hostKey()],
      random: deterministicRandom('real cpu'),
      onGuestPageChange: (_h, gaddr, state) => guestMemory.setPageAccessible(gaddr / 4096, state !== 'non-secure'),
    });
    expectOk(uv.initialize(L.uvStorage, 0x10000n), 'INIT_UV');
    const { handle: config } = uv.createSecureConfiguration({ guestStorageLength: GUEST_SIZE, guestAsce: ASCE, baseStorageOrigin: L.confBase, variableStorageOrigin: L.confVar, sca: L.sca });
    const cpus = [0, 1].map((n) => uv.createSecureCpu({ configHandle: config, cpuNumber: n, storageOrigin: L.cpuStorage(n), stateOrigin: L.stateDescription(n) }).handle);
    // The guest owner's image, booted as KVM does.
    const guest = kernelImageFromGuest(loadGuestElf(assembleGuest(), { withoutFileHeaders: true }));
    const image = readGenprotimgImage(buildGenprotimgImage({ kernel: guest.kernel, kernelPsw: { mask: 0x0000000180000000n, addr: guest.entry }, hostPublicKeys: [hostKey().publicKey], cck: CCK, allowDumping: true }));
    uv.hostStorage.write(Number(L.header), image.seHeader);
    expectOk(uv.setSecureConfigurationParameters(config, L.header, image.seHeader.length), 'SSC');
    for (const page of genprotimgPages(image)) {
      const tweak = new DataView(page.tweak.buffer, page.tweak.byteOffset, 16);
      uv.hostStorage.write(Number(L.guest + page.guestAddress), page.ciphertext);
      expectOk(uv.unpack(config, page.guestAddress, tweak.getBigUint64(0), tweak.getBigUint64(8)), 'UNPACK_IMG');
    }
    expectOk(uv.verify(config), 'VERIFY_IMG');
    expectOk(uv.setCpuState(cpus[0]!, PvCpuState.OPERATING_LOAD), 'operating-load');
    expectOk(uv.setCpuState(cpus[1]!, PvCpuState.OPERATING), 'operating');

    // The CPU interpreter as the secure CPU runner; a touch of a non-secure page imports it.
    const finalStates: CpuSnapshot[] = [];
    const runner =
      (n: number, start?: bigint): SecureCpuRunner =>
      (state) => {
        if (start !== undefined) state.psw = { mask: 0x0000000180000000n, addr: start }; // as a SIGP restart would
        const cpu = new Cpu(guestMemory, { cpuAddress: n, snapshot: state });
        guestMemory.onInaccessibleAccess = (access) => {
          expectOk(uv.convertToSecure(config, BigInt(access.page * 4096)), 'import on guest access');
          return { kind: 'retry' };
        };
        for (let rounds = 0; ; rounds++) {
          const stop = cpu.run(10_000);
          if (stop.kind === 'budget') {
            if (rounds > 100) throw new Error(`secure CPU ${n} still running at 0x${cpu.getPsw().addr.toString(16)} after 1M instructions`);
            continue;
          }
          Object.assign(state, cpu.snapshot());
          finalStates[n] = cpu.snapshot();
          if (stop.kind === 'interception') {
            return { kind: 'instruction', instruction: stop.interception.bytes };
          }
          return { kind: 'other', reason: stop.kind };
        }
      };
    const first = uv.runSecureCpu(cpus[0]!, runner(0));
    expect(first.kind).toBe('instruction');
    if (first.kind !== 'instruction') return;
    expect([...first.interception.bytes]).toEqual([0x83, 0x12, 0x05, 0x00]);
    expect(first.interception.mnemonic).toBe('diag');
    expect([...first.interception.registers]).toEqual([
      [1, 7n],
      [2, 0x1234n],
    ]);
    expect(uv.runSecureCpu(cpus[0]!, runner(0), { registers: new Map([[1, 0x100n]]) })).toEqual({ kind: 'other', reason: 'wait' });
    expect(uv.runSecureCpu(cpus[1]!, runner(1, guest.entry)).kind).toBe('instruction'); // left pending
    // The host cannot read what the guest wrote.
    expect(() => uv.hostStorage.read(Number(L.guest) + 0x200000, 8)).toThrow(SecureStorageAccessError);

    expectOk(uv.dumpInit(config), 'DUMP_INIT');
    const notes = cpus.map((cpu, i) => ({ ...emptyCpuState(i + 1), pvCpuData: uv.dumpCpu(cpu, L.dumpArea).data! }));
    const path = tempPath('real-cpu.elf');
    const MIB = 0x100000n;
    function* memory(): Generator<Uint8Array> {
      for (let a = 0n; a < GUEST_SIZE; a += 0x1000n) {
        const host = Number(L.guest + a);
        if (!uv.isHostAccessible(host)) expectOk(uv.convertFromSecure(BigInt(host)), 'export');
        yield uv.hostStorage.read(host, 4096);
      }
    }
    await writeDump(path, { cpus: notes, memory: [{ start: 0n, size: GUEST_SIZE }], pv: { memMetaSize: (GUEST_SIZE / MIB) * 0x1000n, complSize: 0x1000n } }, memory(), async () =>
      storageStateAndCompletion(uv, config, L.dumpArea, GUEST_SIZE),
    );

    const dump = await openPvDump(path, CCK);
    try {
      for (const n of [0, 1]) {
        expectDecryptedCpu(dump.cpus[n]!, finalStates[n]!, n === 1);
      }
      expect(dump.cpus[0]!.psw.addr).toBe(0xdeadn);
      expect(dump.cpus[0]!.gprs[1]).toBe(0x101n);
      expect(dump.cpus[1]!.gprs[1]).toBe(7n);
      const data = await dump.readMemory(0x200000n, 24);
      const v = new DataView(data.buffer, data.byteOffset);
      expect(v.getBigUint64(0)).toBe(0x0123456789abcdefn);
      expect(v.getUint32(8)).toBe(0x55);
      expect(v.getBigUint64(16)).toBe(0x101n);
      const code = await dump.readMemory(guest.entry, 4);
      expect([...code]).toEqual([0xa7, 0x29, 0x12, 0x34]); // lghi %r2,0x1234: the unpacked image
    } finally {
      await dump.close();
    }

    // The decrypted core opens in gdb-multiarch with the CPUs' registers and the guest's memory.
    const gdb = requireTool('gdb-multiarch');
    const plain = tempPath('real-cpu-plain.elf');
    await decryptDump(path, CCK, plain);
    const args = ['-nx', '-batch', '-ex', 'set pagination off', '-c', plain];
    for (const t of [1, 2]) args.push('-ex', `thread ${t}`, '-ex', 'info registers', '-ex', 'x/3xg 0x200000');
    const blocks = run(gdb, args)
      .split(/\[Switching to thread \d+/)
      .slice(1);
    expect(blocks).toHaveLength(2);
    blocks.forEach((b, n) => {
      const reg = (name: string): bigint => BigInt(new RegExp(`^${name}\\s+(0x[0-9a-f]+)`, 'm').exec(b)![1]!);
      const want = finalStates[n]!;
      for (let r = 0; r < 16; r++) expect(reg(`r${r}`)).toBe(want.gprs[r]);
      expect(reg('pswm')).toBe(want.psw.mask);
      expect(reg('pswa')).toBe(want.psw.addr);
      const words = [...b.matchAll(/0x[0-9a-f]+:\s+((?:0x[0-9a-f]{16}\s*)+)/g)].flatMap((m) => m[1]!.trim().split(/\s+/)).map((w) => BigInt(w));
      expect(words).toEqual([0x0123456789abcdefn, 0x0000005500000000n, 0x101n]);
    });
  });
});
