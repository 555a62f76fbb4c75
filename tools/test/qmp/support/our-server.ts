/** Starts our QMP server on the bare-metal test machine with a scenario's machine options. */
import { join } from 'node:path';
import { VmMonitor } from '../../../src/qmp/vm.ts';
import { QmpServer, type QmpAddress } from '../../../src/qmp/server.ts';
import { BareMetalTestMachine } from './bare-metal-machine.ts';
import { guestPath } from './qemu.ts';
import type { Scenario } from './scenarios.ts';

export interface RunningServer {
  machine: BareMetalTestMachine;
  vm: VmMonitor;
  server: QmpServer;
  address: QmpAddress;
  ended: Promise<void>;
}

export async function startOurServer(
  scenario: Pick<Scenario, 'guest' | 'startPaused' | 'panicAction' | 'smp' | 'memoryMiB'>,
  address: QmpAddress,
  machineOptions: { actAsProtected?: boolean } = {},
): Promise<RunningServer> {
  const machine = new BareMetalTestMachine(guestPath(scenario as Scenario), {
    memorySize: scenario.memoryMiB << 20,
    cpuCount: scenario.smp,
    ...machineOptions,
  });
  const vm = new VmMonitor(machine, { startPaused: scenario.startPaused, panicAction: scenario.panicAction });
  const ended = new Promise<void>((resolve) => vm.onEnd(() => resolve()));
  const server = new QmpServer(vm);
  const bound = await server.listen(address);
  return { machine, vm, server, address: bound, ended };
}

export const unixAddress = (dir: string): QmpAddress => ({ kind: 'unix', path: join(dir, 'qmp.sock') });
