// Preloaded into `pvdump run` (node --import) by tools/test/run-internal-error.test.ts: makes one
// part of the running command fail the way a bug would, chosen by PVDUMP_INJECT_FAULT. The CLI
// resolves @pvdump/kvm-pv and @pvdump/dump-format to the same module files as this one, so the
// patched prototypes are the ones it runs.
import { DumpWriter } from '@pvdump/dump-format';
import { MachineError, VirtualMachine } from '@pvdump/kvm-pv';

const fault = process.env['PVDUMP_INJECT_FAULT'];
/** The test sends SIGUSR2 when it is ready (a QMP client connected and greeted). */
const onSignal = (fn) => process.on('SIGUSR2', fn);

switch (fault) {
  case 'vcpu-bug':
    VirtualMachine.prototype.run = function () {
      throw new TypeError('injected: a bug in the vCPU loop');
    };
    break;
  case 'machine-error':
    VirtualMachine.prototype.run = function () {
      throw new MachineError('injected: vCPU 0: a failure the VMM reports');
    };
    break;
  case 'dump-bug':
    DumpWriter.prototype.finish = function () {
      throw new TypeError('injected: a bug in the dump writer');
    };
    break;
  case 'escaped-throw':
    onSignal(() => {
      throw new RangeError('injected: thrown in an event handler');
    });
    break;
  case 'escaped-rejection':
    onSignal(() => void Promise.reject(new RangeError('injected: a rejected promise nobody awaits')));
    break;
  default:
    throw new Error(`PVDUMP_INJECT_FAULT '${fault}' is not a known fault`);
}
