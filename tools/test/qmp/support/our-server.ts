/**
 * Starts our QMP server on the machine `pvdump run` uses (the kvm-pv VMM on the emulated KVM, with
 * a scenario's guest, CPUs and memory): the guest plain, loaded like QEMU's `-kernel`, or
 * protected: a Secure Execution image (genprotimg's layout, as `pvdump image` builds it, for a
 * test host key) of the idle guest linked at 0x10000, booted through stage3a and DIAGNOSE 0x308.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicRandom, generateHostKeyPair, type HostKeyPair } from '@pvdump/ultravisor';
import { buildGenprotimgImage, kernelImageFromGuest, loadGuestElf } from '@pvdump/ultravisor/guest-owner';
import { pvIdleGuest } from '../../support/pv-idle-guest.ts';
import { VmMonitor } from '../../../src/qmp/vm.ts';
import { QmpServer, type QmpAddress } from '../../../src/qmp/server.ts';
import { KvmPvMachine, type GuestImage } from '../../../src/run/kvm-pv-machine.ts';
import { IDLE_GUEST, guestPath } from './qemu.ts';
import type { Scenario } from './scenarios.ts';

export interface RunningServer {
  machine: KvmPvMachine;
  vm: VmMonitor;
  server: QmpServer;
  address: QmpAddress;
  ended: Promise<void>;
}

/** The customer communication key of the protected test guests. */
export const TEST_CCK = Uint8Array.from({ length: 32 }, (_, i) => 0x60 + i);

let testHostKey: HostKeyPair | undefined;
const hostKey = (): HostKeyPair => (testHostKey ??= generateHostKeyPair(deterministicRandom('qmp test host key')));

function guestImage(path: string, protectedGuest: boolean): GuestImage {
  if (!protectedGuest) return { kind: 'elf', path };
  // The plain idle guest is linked at 0 (lowcore included); a kernel image starts at 0x10000.
  const elf = path === IDLE_GUEST ? pvIdleGuest() : path;
  const { kernel, entry } = kernelImageFromGuest(loadGuestElf(new Uint8Array(readFileSync(elf)), { withoutFileHeaders: true }));
  const image = buildGenprotimgImage({
    kernel,
    kernelPsw: { mask: 0x0000000180000000n, addr: entry },
    hostPublicKeys: [hostKey().publicKey],
    cck: TEST_CCK,
    allowDumping: true,
    random: deterministicRandom('qmp test image'),
  });
  return { kind: 'raw', image };
}

export async function startOurServer(scenario: Pick<Scenario, 'guest' | 'startPaused' | 'panicAction' | 'smp' | 'memoryMiB'>, address: QmpAddress, machineOptions: { protected?: boolean } = {}): Promise<RunningServer> {
  const protectedGuest = machineOptions.protected === true;
  const machine = new KvmPvMachine({
    kernel: protectedGuest ? { hostKeys: [hostKey()] } : { protectedVirtualization: false },
    memorySize: scenario.memoryMiB << 20,
    cpus: scenario.smp,
    guest: guestImage(guestPath(scenario as Scenario), protectedGuest),
  });
  const vm = new VmMonitor(machine, { startPaused: scenario.startPaused, panicAction: scenario.panicAction });
  const ended = new Promise<void>((resolve) => vm.onEnd(() => resolve()));
  const server = new QmpServer(vm);
  const bound = await server.listen(address);
  return { machine, vm, server, address: bound, ended };
}

export const unixAddress = (dir: string): QmpAddress => ({ kind: 'unix', path: join(dir, 'qmp.sock') });
