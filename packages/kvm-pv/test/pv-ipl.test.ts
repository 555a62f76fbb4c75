// Secure Execution images made by IBM's genprotimg 2.35 (fixture genprotimg-2.35) booted as QEMU
// boots them: the raw image at 0 from its short IPL PSW, stage3a non-secure (SCLP, STFLE 161,
// DIAGNOSE 0x308 subcodes 8 and 10), the protected switch, stage3b (SCLP through the SIDA) and the
// guest, which crashes at 0xDEAD; its dump decrypts with the image's CCK. Then every refusal:
// another host's key, a tampered component, a bad parameter block, a host without the unpack
// facility, and the DIAGNOSE 0x308 rules an assembled guest exercises one by one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDump } from '@pvdump/dump-format';
import { openPvDump } from '@pvdump/dump-decrypt';
import { ManualTodClock } from '@pvdump/s390x-cpu';
import { type CpuSnapshot } from '@pvdump/s390x-cpu/state';
import { fixturePath, tempPath } from '@pvdump/test-support';
import { decodeHostPrivateKeyPem, deterministicRandom, generateHostKeyPair, type HostKeyPair } from '@pvdump/ultravisor';
import { PvIplBlockOffset, decodePvIplBlock, encodePvIplBlock } from '@pvdump/ultravisor/protected-image';
import { HostKernel, MachineError, VirtualMachine, dumpGuestMemory, type HostKernelOptions } from '../src/index.ts';
import { Diag308Rc } from '../src/vmm/diag308.ts';
import { assemble } from './support/guests.ts';

const MEMORY = 16 << 20;
const IPIB = 0x13000;
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(`genprotimg-2.35/${name}`)));
const CCK = fixture('cck.bin');
const hostKey = (): HostKeyPair => decodeHostPrivateKeyPem(readFileSync(fixturePath('genprotimg-2.35/host-key.pem'), 'utf8'));

/** A machine with the fixture's host key (or `key`), its last secure CPU state and its log. */
function machine(options: Partial<HostKernelOptions> & { key?: HostKeyPair } = {}) {
  let secure: CpuSnapshot | undefined;
  const log: string[] = [];
  const kernel = new HostKernel({
    hostKeys: [options.key ?? hostKey()],
    random: deterministicRandom('pv-ipl test uv'),
    clock: () => new ManualTodClock(),
    secureStateProbe: (_id, state) => (secure = state),
    ...options,
  });
  const m = new VirtualMachine({ kernel, memorySize: MEMORY, log: (l) => log.push(l) });
  return { m, log, secure: () => secure };
}

/** stage3a's panic: a disabled wait whose address is its error code (0x4607 no unpack facility, 0x4608 a failed DIAGNOSE 0x308). */
function expectStage3aPanic(m: VirtualMachine, code: number, message: string): void {
  // stage3a runs in 31-bit mode.
  expect(m.run(2000)).toMatchObject({ kind: 'panic', cpu: 0, psw: { mask: 0x0002000080000000n, addr: BigInt(code) } });
  expect(m.protected_).toBe(false);
  expect(m.consoleText).toBe(`${message}\n\0`);
}

describe('genprotimg images boot on the VMM', () => {
  for (const name of ['se.img', 'se-knownkeys.img']) {
    it(`${name}: stage3a, the protected switch, stage3b and the guest run to its crash; the dump decrypts to its memory and registers`, async () => {
      const { m, log, secure } = machine();
      m.loadRawImage(fixture(name));
      expect(m.run(2000)).toEqual({ kind: 'panic', cpu: 0, psw: { mask: 0n, addr: 0n } });
      expect(m.protected_).toBe(true);
      expect(log).toEqual([]);
      expect(m.consoleText).toBe(''); // stage3a and stage3b print only when they fail
      const state = secure()!;
      expect(state.psw).toEqual({ mask: 0x0002000180000000n, addr: 0xdeadn });
      // The block stage3a set: its SE header address filled in, as DIAGNOSE 0x308 subcode 9 would store it.
      const block = decodePvIplBlock(m.pvIplBlock!);
      expect(block.seHeaderAddress).toBe(0x14000n);
      expect(block.components).toHaveLength(3);

      const path = tempPath(`${name}.elf`);
      expect(await dumpGuestMemory(m, path)).toMatchObject({ pv: true, cpuDumpFailures: [] });
      const dump = await openPvDump(path, CCK);
      try {
        expect(dump.cpus[0]!.psw).toEqual({ mask: 0x0002000180000000n, addr: 0xdeadn });
        expect(dump.cpus[0]!.gprs.slice(6, 9)).toEqual([0x0606060660606060n, 0x0707070770707070n, 0x0808080880808080n]);
        expect(dump.cpus[0]!.gprs).toEqual(state.gprs);
        const message = await dump.readMemory(0x100000n, 40);
        expect(Buffer.from(message).toString('latin1')).toBe('genprotimg fixture guest: crashed here!!');
        const filled = await dump.readMemory(0x300000n, 0x100000);
        const view = new DataView(filled.buffer, filled.byteOffset);
        for (let at = 0; at < 0x100000; at += 8) {
          const address = BigInt(0x300000 + at);
          if (view.getBigUint64(at) !== (address ^ 0x9e3779b97f4a7c15n)) expect.fail(`decrypted memory at 0x${address.toString(16)} is wrong`);
        }
        // The kernel stage3b moved to 0x10000 (the image's first 64 KiB dropped).
        const code = await dump.readMemory(0x10000n, 0xb0);
        expect(Buffer.from(code).equals(Buffer.from(fixture('kernel.bin').subarray(0x10000, 0x100b0)))).toBe(true);
      } finally {
        await dump.close();
      }
    });
  }

  it('se-nodump.img boots and crashes; its dump falls back as QEMU 7.2 does: DUMP INIT refused (no AllowDumping), a plain dump of encrypted memory', async () => {
    const { m, secure } = machine();
    m.loadRawImage(fixture('se-nodump.img'));
    expect(m.run(2000)).toMatchObject({ kind: 'panic', cpu: 0 });
    expect(m.protected_).toBe(true);
    expect(secure()!.psw.addr).toBe(0xdeadn);
    const log: string[] = [];
    const path = tempPath('nodump.elf');
    const report = await dumpGuestMemory(m, path, { log: (l) => log.push(l) });
    expect(report).toMatchObject({ pv: false, fallback: expect.stringMatching(/rc 0x101/) });
    expect(log).toEqual(['KVM PV command 8 (KVM_PV_DUMP) failed: header rc 101 rrc 0 IOCTL rc: -22', 'KVM DUMP command 0 failed']);
    const dump = await openDump(path);
    try {
      expect(dump.isPv).toBe(false);
      const message = await dump.readMemory(0x100000n, 40);
      expect(Buffer.from(message).toString('latin1')).not.toContain('genprotimg fixture guest');
    } finally {
      await dump.close();
    }
    await expect(openPvDump(path, CCK)).rejects.toThrow();
  });
});

describe('bootSecureImage: the same switch without running stage3a', () => {
  it("IBM genprotimg's se.img reaches the same crash, with the block stage3a would have set, and its dump decrypts the same", async () => {
    const real = machine();
    real.m.loadRawImage(fixture('se.img'));
    expect(real.m.run(2000)).toMatchObject({ kind: 'panic', cpu: 0 });
    const fast = machine();
    const image = fast.m.bootSecureImage(fixture('se.img'));
    expect(image.seHeaderAddress).toBe(0x14000);
    expect(fast.m.protected_).toBe(true);
    // The kept block is byte for byte the one stage3a set through DIAGNOSE 0x308 subcode 8.
    expect(Buffer.from(fast.m.pvIplBlock!).equals(Buffer.from(real.m.pvIplBlock!))).toBe(true);
    expect(fast.m.run(2000)).toMatchObject({ kind: 'panic', cpu: 0 });
    expect(fast.secure()!.psw).toEqual(real.secure()!.psw);
    expect(fast.secure()!.gprs).toEqual(real.secure()!.gprs);
    const path = tempPath('fast-boot.elf');
    expect(await dumpGuestMemory(fast.m, path)).toMatchObject({ pv: true, cpuDumpFailures: [] });
    const dump = await openPvDump(path, CCK);
    try {
      expect(Buffer.from(await dump.readMemory(0x100000n, 40)).toString('latin1')).toBe('genprotimg fixture guest: crashed here!!');
    } finally {
      await dump.close();
    }
  });

  it('refuses what the switch refuses, leaving the VM plain: another host, a tampered page, a file that is not an SE image', () => {
    const stranger = machine({ key: generateHostKeyPair(deterministicRandom('another host')) });
    expect(() => stranger.m.bootSecureImage(fixture('se.img'))).toThrow(/KVM_PV_SET_SEC_PARMS\) failed: header rc 108/);
    expect(stranger.m.protected_).toBe(false);
    const tampered = fixture('se.img');
    tampered[0x15000 + 0x10010] = tampered[0x15000 + 0x10010]! ^ 1;
    const { m } = machine();
    expect(() => m.bootSecureImage(tampered)).toThrow(/KVM_PV_VERIFY\) failed: header rc 104/);
    expect(m.protected_).toBe(false);
    expect(() => machine().m.bootSecureImage(fixture('guest.elf'))).toThrow(MachineError);
  });
});

describe('a failed protected switch: QEMU reports it, leaves the VM plain, the guest gets 0x0A02 after the DIAGNOSE', () => {
  it('an image for another host: SET_SEC_PARMS fails with rc 0x108 (no key slot)', () => {
    const { m, log } = machine({ key: generateHostKeyPair(deterministicRandom('another host')) });
    m.loadRawImage(fixture('se.img'));
    expectStage3aPanic(m, 0x4608, 'Protected boot has failed: 0xa02');
    expect(log).toEqual(['KVM PV command 2 (KVM_PV_SET_SEC_PARMS) failed: header rc 108 rrc 0 IOCTL rc: -22 (EINVAL)']);
  });

  it('a tampered kernel page: UNPACK decrypts it, VERIFY finds the digests differ (rc 0x104)', () => {
    const { m, log } = machine();
    const image = fixture('se.img');
    image[0x15000 + 0x10010] = image[0x15000 + 0x10010]! ^ 1;
    m.loadRawImage(image);
    expectStage3aPanic(m, 0x4608, 'Protected boot has failed: 0xa02');
    expect(log).toEqual(['KVM PV command 4 (KVM_PV_VERIFY) failed: header rc 104 rrc 0 IOCTL rc: -22 (EINVAL)']);
    // KVM_PV_DISABLE destroyed the configuration: nothing of it is left.
    expect(m.pvInfo).toBeUndefined();
  });

  it('a component the guest does not have: UNPACK beyond guest memory', () => {
    const { m, log } = machine();
    const image = fixture('se.img');
    const block = decodePvIplBlock(image.subarray(IPIB, IPIB + 4096));
    block.components[1]!.address = BigInt(MEMORY);
    image.set(encodePvIplBlock(block), IPIB);
    m.loadRawImage(image);
    expectStage3aPanic(m, 0x4608, 'Protected boot has failed: 0xa02');
    expect(log).toEqual([`image component at 0x${MEMORY.toString(16)} does not fit in 16 MiB of guest memory`]);
  });

  it('a block QEMU refuses (no components): subcode 8 answers 0x0402', () => {
    const { m, log } = machine();
    const image = fixture('se.img');
    new DataView(image.buffer).setUint32(IPIB + PvIplBlockOffset.componentCount, 0);
    m.loadRawImage(image);
    expectStage3aPanic(m, 0x4608, 'Protected boot setup has failed: 0x402');
    expect(log).toEqual([]);
  });

  it('a host without PV (no facility 161): stage3a stops before DIAGNOSE 0x308', () => {
    const { m } = machine({ protectedVirtualization: false });
    m.loadRawImage(fixture('se.img'));
    expectStage3aPanic(m, 0x4607, 'Secure unpack facility is not available');
  });

  it('a raw image without a short IPL PSW is refused before it runs', () => {
    const { m } = machine();
    expect(() => m.loadRawImage(new Uint8Array(16))).toThrow(MachineError);
    expect(() => m.loadRawImage(new Uint8Array(4))).toThrow(/only 4 bytes/);
    const large = new Uint8Array(MEMORY + 8);
    large.set(fixture('se.img').subarray(0, 8));
    expect(() => m.loadRawImage(large)).toThrow(/does not fit/);
  });
});

/**
 * A plain guest that issues DIAGNOSE 0x308 with R1 = 2, R3 = 4 for each {subcode, address} of
 * the table at 0x11000 and stores R3 (the response code) of each at 0x12000 + 8·i; a program
 * interruption stores its code there instead (| 0xF000000) and goes on with the next entry.
 */
const diagGuest = (count: number): string => `
	.text
	.globl _start
_start:
	larl	%r1, pgm_new
	mvc	0x1d0(16,%r0), 0(%r1)
	lghi	%r9, 0
next:
	cghi	%r9, ${16 * count}
	je	done
	lgfi	%r10, 0x11000
	lg	%r4, 0(%r9,%r10)
	lg	%r2, 8(%r9,%r10)
	lghi	%r3, -1
	diag	%r2, %r4, 0x308
	lgfi	%r10, 0x12000
	stg	%r3, 0(%r9,%r10)
step:
	aghi	%r9, 16
	j	next
pgm:
	llgh	%r3, 0x8e(%r0)
	oilh	%r3, 0xf00
	lgfi	%r10, 0x12000
	stg	%r3, 0(%r9,%r10)
	j	step
done:
	larl	%r1, wait
	lpswe	0(%r1)
	.align 8
pgm_new:
	.quad 0x0000000180000000
	.quad pgm
wait:
	.quad 0x0002000180000000, 0xfff
`;

describe('DIAGNOSE 0x308 PV subcodes, one by one (QEMU handle_diag_308)', () => {
  it('answers each request as QEMU: response codes in R1+1, program interruptions for bad operands', () => {
    const { m } = machine({ key: generateHostKeyPair(deterministicRandom('diag host')) });
    const entries: [bigint, bigint][] = [
      [9n, 0x20000n], // store before any block: 0x0102
      [10n, 0n], // start before any block: 0x0902
      [8n, 0x20800n], // not 4 KiB-aligned: specification
      [8n, BigInt(MEMORY)], // beyond memory: addressing
      [8n, 0x30000n], // too long a block: 0x0402
      [8n, 0x13000n], // the fixture's block: 0x0001
      [9n, 0x21000n], // stored back: 0x0001
      [0x10008n, 0x13000n], // subcode beyond 16 bits: specification
      [11n, 0n], // an unknown subcode: specification
      [10n, 0n], // start: the switch fails (no key slot for this host): 0x0A02
    ];
    const table = new Uint8Array(entries.length * 16);
    const view = new DataView(table.buffer);
    entries.forEach(([subcode, address], i) => {
      view.setBigUint64(16 * i, subcode);
      view.setBigUint64(16 * i + 8, address);
    });
    m.loadElf(assemble(diagGuest(entries.length)));
    m.writeGuest(0x11000, table);
    const image = fixture('se.img');
    m.writeGuest(0x13000, image.subarray(0x13000, 0x15000 + 0x14000));
    // The SE header address stage3a fills in.
    const header = new Uint8Array(8);
    new DataView(header.buffer).setBigUint64(0, 0x14000n);
    m.writeGuest(0x13000 + PvIplBlockOffset.seHeaderAddress, header);
    const tooLong = new Uint8Array(4);
    new DataView(tooLong.buffer).setUint32(0, 4097);
    m.writeGuest(0x30000, tooLong);
    expect(m.run(5000)).toEqual({ kind: 'shutdown', cpu: 0 });
    const results = m.readGuest(0x12000, entries.length * 16);
    const rv = new DataView(results.buffer, results.byteOffset);
    const got = entries.map((_, i) => rv.getBigUint64(16 * i) & 0xffffffffn);
    expect(got.map((g) => '0x' + g.toString(16))).toEqual(
      [Diag308Rc.NO_CONF, Diag308Rc.NO_PV_CONF, 0xf000006, 0xf000005, Diag308Rc.INVALID, Diag308Rc.OK, Diag308Rc.OK, 0xf000006, 0xf000006, Diag308Rc.INVALID_FOR_PV].map((v) => '0x' + v.toString(16)),
    );
    // Subcode 9 stored the block as subcode 8 took it.
    expect(Buffer.from(m.readGuest(0x21000, 4096)).equals(Buffer.from(m.pvIplBlock!))).toBe(true);
    expect(m.protected_).toBe(false);
  });
});
