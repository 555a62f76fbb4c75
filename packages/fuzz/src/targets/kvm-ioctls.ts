/**
 * The KVM PV API of `@pvdump/kvm-pv` (docs/kvm-pv-api.md §1-§7) with arbitrary ioctls: any request
 * number (the real ones, their neighbours, any 32-bit value) on the /dev/kvm, VM and vCPU
 * descriptors or a closed or made-up one, with arbitrary structs at arbitrary user addresses
 * (unmapped, read-only, a struct's end at a mapping's end, nested buffers of boundary sizes), on a
 * fresh plain or protected VM per input. Outcomes allowed: 0 or a positive result, or minus one of
 * the errnos the spec documents; an exception is an internal error of the model.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Errno, HostKernel, Ioctl, PvCmd, PvDumpCmd, VirtualMachine } from '@pvdump/kvm-pv';
import { decodeHostPrivateKeyPem, deterministicRandom, type HostKeyPair } from '@pvdump/ultravisor';
import { fixturePath } from '@pvdump/test-support';
import { describeError } from '../outcome.js';
import { defineTarget, FuzzFailure } from '../target.js';

const MIB = 1 << 20;
/** The errnos docs/kvm-pv-api.md gives for these ioctls (and EBADF for a descriptor that is none). */
const DOCUMENTED = new Set<number>(Object.values(Errno));

/** A u64 word of a struct: a number (hex), or where a pointer should point. */
type Word = string;
/** Words that are pointers: a fresh buffer of N bytes, nested struct, a read-only page, nothing mapped. */
const POINTERS = ['ptr:8', 'ptr:16', 'ptr:4096', 'ptr:8192', 'ptr:1048576', 'ptr:struct', 'ptr:readonly', 'ptr:end', 'ptr:unmapped', '0x0'] as const;
const NUMBERS = ['0x0', '0x1', '0x2', '0x3', '0x7', '0x8', '0xfff', '0x1000', '0x100000', '0x200000', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '0x8000000000000000', '0xffffffffffffffff'] as const;

interface Struct {
  /** The first word, for PV commands `cmd << 32 | flags` from the real values; any words after. */
  words: Word[];
  nested?: Word[];
}

type Arg = { kind: 'none' } | { kind: 'value'; value: string } | { kind: 'pointer'; to: Word } | { kind: 'struct'; struct: Struct };

interface Call {
  fd: 'kvm' | 'vm' | 'vcpu0' | 'vcpu1' | 'closed' | number;
  request: number;
  arg: Arg;
}

interface Input {
  protected: boolean;
  calls: Call[];
}

interface Context {
  image: Uint8Array;
  hostKey: HostKeyPair;
}

const REQUESTS: number[] = Object.values(Ioctl);

function wordArbitrary(): fc.Arbitrary<Word> {
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...NUMBERS) }, { weight: 2, arbitrary: fc.constantFrom(...POINTERS) }, { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => `0x${v.toString(16)}`) });
}

/** First word of a KVM_S390_PV_COMMAND / PV_CPU_COMMAND struct: a real command (or any), flags mostly 0. */
function pvCommandWord(): fc.Arbitrary<Word> {
  const cmd = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...(Object.values(PvCmd) as number[])) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) });
  const flags = fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) });
  return fc.tuple(cmd, flags).map(([c, f]) => `0x${((BigInt(c) << 32n) | BigInt(f)).toString(16)}`);
}

/** First word of the nested struct of a DUMP (subcmd) or INFO (id, len_max) command. */
function nestedWord(): fc.Arbitrary<Word> {
  return fc.oneof(fc.constantFrom(...(Object.values(PvDumpCmd) as number[]).map((v) => `0x${v.toString(16)}`)), wordArbitrary());
}

function argArbitrary(): fc.Arbitrary<Arg> {
  const struct = fc.record({
    words: fc.tuple(fc.oneof(pvCommandWord(), wordArbitrary()), fc.array(wordArbitrary(), { maxLength: 8 })).map(([first, rest]) => [first, ...rest]),
    nested: fc.option(
      fc.tuple(nestedWord(), fc.array(wordArbitrary(), { maxLength: 6 })).map(([first, rest]) => [first, ...rest]),
      { nil: undefined },
    ),
  });
  return fc.oneof(
    { weight: 5, arbitrary: struct.map((s): Arg => ({ kind: 'struct', struct: s.nested === undefined ? { words: s.words } : s })) },
    { weight: 2, arbitrary: fc.constantFrom(...POINTERS).map((to): Arg => ({ kind: 'pointer', to })) },
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom('0x0', '0x1', '0xb4', '0xd9', '0xe0', '0x3ff'), wordArbitrary()).map((value): Arg => ({ kind: 'value', value })) },
    { weight: 1, arbitrary: fc.constant<Arg>({ kind: 'none' }) },
  );
}

function callArbitrary(): fc.Arbitrary<Call> {
  return fc.record({
    fd: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<Call['fd']>('vm', 'vcpu0', 'vcpu1', 'kvm') }, { weight: 1, arbitrary: fc.oneof(fc.constant<Call['fd']>('closed'), fc.integer({ min: -2, max: 40 })) }),
    request: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...REQUESTS) },
      { weight: 1, arbitrary: fc.constantFrom(...REQUESTS).chain((r) => fc.constantFrom(r + 1, r - 1, r ^ 0x40000000, r ^ 0x80000000, r & 0xffff)) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
    ),
    arg: argArbitrary(),
  });
}

/** The QEMU sequence of a PV dump on a booted protected VM (the committed seed inputs). */
const DUMP_SEQUENCE: Call[] = [
  { fd: 'kvm', request: Ioctl.KVM_CHECK_EXTENSION, arg: { kind: 'value', value: '0xd9' } },
  { fd: 'vm', request: Ioctl.KVM_S390_PV_COMMAND, arg: { kind: 'struct', struct: { words: [`0x${(BigInt(PvCmd.DUMP) << 32n).toString(16)}`, 'ptr:struct', '0x0'], nested: ['0x0', '0x0', '0x0', '0x0'] } } },
  { fd: 'vcpu0', request: Ioctl.KVM_S390_PV_CPU_COMMAND, arg: { kind: 'struct', struct: { words: [`0x${(BigInt(PvCmd.DUMP) << 32n).toString(16)}`, 'ptr:struct', '0x0'], nested: ['0x3', 'ptr:4096', '0x1000', '0x0'] } } },
  { fd: 'vm', request: Ioctl.KVM_S390_PV_COMMAND, arg: { kind: 'struct', struct: { words: [`0x${(BigInt(PvCmd.DUMP) << 32n).toString(16)}`, 'ptr:struct', '0x0'], nested: ['0x1', 'ptr:1048576', '0x100000', '0x0'] } } },
  { fd: 'vcpu0', request: Ioctl.KVM_RUN, arg: { kind: 'none' } },
  { fd: 'vm', request: Ioctl.KVM_S390_PV_COMMAND, arg: { kind: 'struct', struct: { words: [`0x${(BigInt(PvCmd.DUMP) << 32n).toString(16)}`, 'ptr:struct', '0x0'], nested: ['0x2', 'ptr:4096', '0x1000', '0x0'] } } },
  { fd: 'vm', request: Ioctl.KVM_S390_PV_COMMAND, arg: { kind: 'struct', struct: { words: [`0x${(BigInt(PvCmd.DISABLE) << 32n).toString(16)}`, '0x0', '0x0'] } } },
  { fd: 'vcpu1', request: Ioctl.KVM_RUN, arg: { kind: 'none' } },
];

interface Machine {
  vm: VirtualMachine;
  closedFd: number;
}

function boot(ctx: Context, protectedGuest: boolean): Machine {
  const kernel = new HostKernel({ hostKeys: [ctx.hostKey], random: deterministicRandom('pvdump fuzz kvm'), timeSlice: 2000, hostStorageSize: 8 * 2 ** 30 });
  const vm = new VirtualMachine({ kernel, memorySize: 4 * MIB, cpus: 2 });
  if (protectedGuest) vm.bootSecureImage(ctx.image);
  const closedFd = vm.api.openKvm();
  vm.process.close(closedFd);
  return { vm, closedFd };
}

/** Lays out a struct's words (big-endian u64) in fresh user memory; pointers get their buffers. */
function place(m: Machine, words: readonly Word[], nested?: readonly Word[]): bigint {
  const bytes = new Uint8Array(Math.max(8, words.length * 8));
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setBigUint64(i * 8, pointer(m, w, nested)));
  return m.vm.api.place(bytes);
}

function pointer(m: Machine, w: Word, nested?: readonly Word[]): bigint {
  const memory = m.vm.process;
  if (w === 'ptr:struct') return place(m, nested ?? ['0x0']);
  if (w === 'ptr:unmapped') return 0x1000n;
  if (w === 'ptr:readonly') {
    const at = memory.mmapAnonymous(4096);
    memory.memory.protect(at, false);
    return at;
  }
  // A pointer 8 bytes before the end of a one-page mapping: a struct read there runs into the guard page.
  if (w === 'ptr:end') return memory.mmapAnonymous(4096) + 4088n;
  if (w.startsWith('ptr:')) return memory.mmapAnonymous(Number(w.slice(4)));
  return BigInt(w) & 0xffffffffffffffffn;
}

function argOf(m: Machine, arg: Arg): bigint {
  if (arg.kind === 'none') return 0n;
  if (arg.kind === 'value') return pointer(m, arg.value);
  if (arg.kind === 'pointer') return pointer(m, arg.to);
  return place(m, arg.struct.words, arg.struct.nested);
}

function fdOf(m: Machine, fd: Call['fd']): number {
  if (typeof fd === 'number') return fd;
  if (fd === 'kvm') return m.vm.kvmFd;
  if (fd === 'vm') return m.vm.vmFd;
  if (fd === 'closed') return m.closedFd;
  return m.vm.vcpus[fd === 'vcpu0' ? 0 : 1]!.fd;
}

export const target = defineTarget<Input, Context>({
  name: 'kvm-ioctls',
  summary: 'KVM ioctls with any request number on kvm/VM/vCPU descriptors, arbitrary structs at arbitrary user addresses, plain or protected VM: a result or a documented errno',
  level: 'library',
  memoryBoundMiB: 400,
  hangMs: 15_000,
  ciRuns: 150,
  async prepare() {
    // IBM genprotimg's image of the fixture guest, booted through DIAGNOSE 0x308 subcode 10's VMM steps.
    return {
      image: new Uint8Array(readFileSync(fixturePath('genprotimg-2.35/se.img'))),
      hostKey: decodeHostPrivateKeyPem(readFileSync(fixturePath('genprotimg-2.35/host-key.pem'), 'utf8')),
    };
  },
  inputs: () => fc.record({ protected: fc.boolean(), calls: fc.array(callArbitrary(), { minLength: 1, maxLength: 10 }) }),
  examples: () => [
    { protected: true, calls: DUMP_SEQUENCE },
    { protected: false, calls: DUMP_SEQUENCE },
  ],
  async execute(input, ctx) {
    const m = boot(ctx, input.protected);
    for (const [i, call] of input.calls.entries()) {
      const fd = fdOf(m, call.fd);
      const arg = argOf(m, call.arg);
      let ret: number;
      try {
        ret = m.vm.process.ioctl(fd, call.request >>> 0, arg);
      } catch (err) {
        throw new FuzzFailure(`call ${i} (ioctl 0x${(call.request >>> 0).toString(16)} on ${call.fd}) threw instead of returning an errno:\n${describeError(err)}`);
      }
      if (!Number.isInteger(ret)) throw new FuzzFailure(`call ${i} (ioctl 0x${(call.request >>> 0).toString(16)}) returned ${ret}`);
      if (ret < 0 && !DOCUMENTED.has(-ret)) throw new FuzzFailure(`call ${i} (ioctl 0x${(call.request >>> 0).toString(16)} on ${call.fd}) returned -${-ret}, an errno the spec does not document`);
    }
  },
});
