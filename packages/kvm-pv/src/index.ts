// @pvdump/kvm-pv: the KVM PV API with Linux v6.0's uapi semantics on the emulated Ultravisor and
// s390x CPU (docs/kvm-pv-api.md), and a QEMU-like VMM that boots, runs, swaps and dumps guests
// through that ioctl interface only.
export * from './uapi/constants.js';
export * from './uapi/structs.js';
export { HostKernel, KvmProcess, DUMP_CALLS_MASK, UNPACK_FACILITY } from './kernel/host-kernel.js';
export type { HostKernelOptions } from './kernel/kvm-objects.js';
export { GuestRam, MemorySwapStore, type SwapStore, type GuestRamStats } from './kernel/guest-ram.js';
export { UserAddressSpace, UserFault } from './kernel/user-memory.js';
export { STOR_STATE_BOUNCE_LIMIT } from './kernel/pv-dump.js';
export { BlockUsage, ESSA_NODAT_FACILITY, EssaOrc, PageAttribute, essaResult, essaTransition } from './kernel/collaborative-memory.js';
export { KvmApi, retryOnEintr, type PvResult } from './api/kvm-api.js';
export { VirtualMachine, MachineError, rawImageIplPsw, type MachineOptions, type MachineStop, type UnpackComponent, type VcpuHandle } from './vmm/machine.js';
export { Diag308Subcode, type PvIplMachine } from './vmm/pv-ipl.js';
export { SigpOrder, SigpStatus } from './vmm/sigp.js';
export { Sclp, SclpResponse, protectedVmMaxCpus, SCLP_READ_CPU_INFO, SCLP_READ_SCP_INFO, SCLP_READ_SCP_INFO_FORCED, SCLP_READ_EVENT_DATA, SCLP_WRITE_EVENT_DATA, SCLP_WRITE_EVENT_MASK } from './vmm/sclp.js';
export { DiagnoseDispatcher } from './vmm/diag.js';
export type { DiagnoseCall, DiagnoseHandler, HostMachine } from './vmm/host.js';
export { Diag308Rc } from './vmm/diag308.js';
export { Watchdog, WATCHDOG_ACTIONS, type WatchdogAction } from './vmm/diag288.js';
export { DUMP_IN_PROGRESS_MESSAGE, dumpGuestMemory, hypervisorRegisters, type DumpGuestOptions, type DumpReport } from './vmm/dump.js';
export { cpuStateOfRegisters } from './vmm/cpu-notes.js';
export { CpuTopology, TopologyError, ENTITLEMENTS, TOPOLOGY_MNEST, defaultGeometry, type CpuPlacement, type Entitlement, type TopologyGeometry } from './vmm/topology.js';
