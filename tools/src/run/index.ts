/**
 * The machine behind `pvdump run`: the QEMU-like VMM of `@pvdump/kvm-pv` as the QMP monitor's
 * `MachineControl` (a plain ELF, an SE image or a `pvdump image` container on the emulated KVM).
 */
export { KvmPvMachine, type GuestImage, type KvmPvMachineOptions } from './kvm-pv-machine.js';
