/**
 * The QMP monitor: a QEMU 7.2-compatible QMP server (`QmpServer`) over the run-state and event
 * model of a VM (`VmMonitor`), driving any VMM through the `MachineControl` interface.
 */
export { QmpServer, parseQmpAddress, type QmpAddress, type QmpServerOptions } from './server.js';
export { VmMonitor, PROTECTED_FILTER_REFUSED, type RunState, type PanicAction, type VmEvent, type VmEnd, type VmMonitorOptions } from './vm.js';
export { DumpRefused, type MachineControl, type MachineListener, type RegisterView, type DumpJob, type DumpRequest, type GuestPanic, type S390CrashReason, type VcpuInfo, type VcpuState } from './machine.js';
export { QmpError, type QmpErrorClass } from './errors.js';
export { formatCpuRegisters, runHmpCommand } from './hmp.js';
