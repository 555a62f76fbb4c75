// Confidential-guest support (QEMU `-machine confidential-guest-support=pv0 -object
// s390-pv-guest`): checked when the machine is built, as QEMU ≥ 8.0 does before it loads the
// kernel. A secure guest's read SCP info goes through the one-page SIDA, so a protected VM has at
// most (4096 − CPU-entry offset) / 16 CPUs: 247 with the extended-length SCCB facility (140, the
// entries at 144), 248 without (at 128); a CPU model without the unpack facility (161) is refused.
import { describe, expect, it } from 'vitest';
import { HostKernel, VirtualMachine, protectedVmMaxCpus } from '../src/index.ts';
import { testHost } from './support/guests.ts';

const MIB = 1024 * 1024;

describe('confidential-guest support', () => {
  it('limits a protected VM to the CPUs whose read SCP info fits one page', () => {
    expect(protectedVmMaxCpus([129, 140, 161])).toBe(247);
    expect(protectedVmMaxCpus([129, 161])).toBe(248);
  });

  it('refuses maxcpus 248 with QEMU’s message and builds the machine with 247', () => {
    const { kernel } = testHost();
    expect(kernel.guestFacilities).toContain(140);
    expect(() => new VirtualMachine({ kernel, memorySize: 16 * MIB, maxCpus: 248, confidentialGuestSupport: true })).toThrow('Protected VMs support a maximum of 247 CPUs');
    const vm = new VirtualMachine({ kernel, memorySize: 16 * MIB, maxCpus: 247, confidentialGuestSupport: true });
    expect(vm.maxCpus).toBe(247);
    vm.close();
    // Without confidential-guest support the machine has no such limit.
    const plain = new VirtualMachine({ kernel, memorySize: 16 * MIB, maxCpus: 248 });
    expect(plain.maxCpus).toBe(248);
    plain.close();
  });

  it('refuses a CPU model without the unpack facility (a host without Secure Execution)', () => {
    const kernel = new HostKernel({ protectedVirtualization: false });
    expect(() => new VirtualMachine({ kernel, memorySize: 16 * MIB, confidentialGuestSupport: true })).toThrow('CPU model does not support Protected Virtualization');
  });
});
