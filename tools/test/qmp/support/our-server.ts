/**
 * Starts our QMP server on the machine `pvdump run` uses (the kvm-pv VMM on the emulated KVM, with
 * a scenario's guest, CPUs and memory): the guest plain, loaded like QEMU's `-kernel`, or
 * protected, from a `pvdump image` container of it made for a test host key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicRandom, generateHostKeyPair, type HostKeyPair } from '@pvdump/ultravisor';
import { buildProtectedImage, loadGuestElf } from '@pvdump/ultravisor/guest-owner';
import { VmMonitor } from '../../../src/qmp/vm.ts';
import { QmpServer, type QmpAddress } from '../../../src/qmp/server.ts';
import { KvmPvMachine, type GuestImage } from '../../../src/run/kvm-pv-machine.ts';
import { guestPath } from './qemu.ts';
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
  const guest = loadGuestElf(new Uint8Array(readFileSync(path)));
  const image = buildProtectedImage({ guest, hostPublicKeys: [hostKey().publicKey], cck: TEST_CCK, allowDumping: true, random: deterministicRandom('qmp test image') });
  return { kind: 'protected', image };
}

export async function startOurServer(
  scenario: Pick<Scenario, 'guest' | 'startPaused' | 'panicAction' | 'smp' | 'memoryMiB'>,
  address: QmpAddress,
  machineOptions: { protected?: boolean } = {},
): Promise<RunningServer> {
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
