// The CPU model (QEMU `-cpu qemu,vx=off`): KVM_SET_DEVICE_ATTR of the processor's facility list
// before the vCPUs exist (-EBUSY after, -ENXIO for other attributes), STFLE showing the model,
// and SIGP STORE ADDITIONAL STATUS an invalid order without the vector and guarded-storage facilities.
import { describe, expect, it } from 'vitest';
import { HostKernel, Errno, MachineError, VirtualMachine, Ioctl, StructBytes } from '../src/index.ts';
import { cpuModelFacilities } from '../src/vmm/machine.ts';
import { assemble } from './support/guests.ts';

const MIB = 1024 * 1024;
const RESULTS = 0x20000;

/** STFLE (3 doublewords) at RESULTS, then SIGP STORE ADDITIONAL STATUS to the stopped CPU 1: cc and status at RESULTS + 24. */
const GUEST = `
	.text
	.globl _start
_start:
	lgfi	%r9, ${RESULTS}
	lghi	%r0, 2
	stfle	0(%r9)
	lghi	%r4, 0
	lghi	%r5, 0x2000
	lghi	%r3, 1
	sigp	%r4, %r3, 0x17
	ipm	%r2
	st	%r2, 24(%r9)
	st	%r4, 28(%r9)
	lghi	%r3, 0
	sigp	%r4, %r3, 5
	j	.
`;

function runGuest(cpuFeatures?: Record<string, boolean>): { vm: VirtualMachine; results: DataView } {
  const vm = new VirtualMachine({ kernel: new HostKernel({ protectedVirtualization: false }), memorySize: 16 * MIB, cpus: 2, ...(cpuFeatures === undefined ? {} : { cpuFeatures }) });
  vm.loadElf(assemble(GUEST));
  vm.run(1000);
  return { vm, results: new DataView(vm.readGuest(RESULTS, 32).buffer) };
}

const facilityBit = (results: DataView, bit: number): boolean => (results.getUint8(bit >> 3) & (0x80 >> (bit & 7))) !== 0;

describe('the CPU model of a VM', () => {
  it('without vx: STFLE lacks facility 129 and SIGP STORE ADDITIONAL STATUS is an invalid order', () => {
    const { vm, results } = runGuest({ vx: false, gs: false });
    expect(vm.facilities).not.toContain(129);
    expect(facilityBit(results, 129)).toBe(false);
    expect(facilityBit(results, 0)).toBe(true);
    expect((results.getUint32(24) >>> 28) & 3).toBe(1);
    expect(results.getUint32(28)).toBe(0x2); // invalid order
  });

  it('by default: facility 129, and the order is accepted for a stopped CPU', () => {
    const { results } = runGuest();
    expect(facilityBit(results, 129)).toBe(true);
    expect((results.getUint32(24) >>> 28) & 3).toBe(0);
  });

  it('refuses features the host cannot give, unknown features, and a model set after the vCPUs', () => {
    const kernel = new HostKernel({ protectedVirtualization: false });
    expect(() => cpuModelFacilities([0, 1, 129], { gs: true })).toThrow(/gs=on: facility 133/);
    expect(new VirtualMachine({ kernel, memorySize: 16 * MIB, cpuFeatures: { gs: true } }).facilities).toContain(133);
    expect(() => new VirtualMachine({ kernel, memorySize: 16 * MIB, cpuFeatures: { nope: false } })).toThrow(MachineError);
    const vm = new VirtualMachine({ kernel, memorySize: 16 * MIB });
    expect(vm.api.setCpuProcessor(vm.vmFd, [0, 1])).toBe(-Errno.EBUSY);
    const attr = vm.api.place(StructBytes.zeroed(24).setU32(4, 1).bytes);
    expect(vm.process.ioctl(vm.vmFd, Ioctl.KVM_SET_DEVICE_ATTR, attr)).toBe(-Errno.ENXIO);
  });
});
