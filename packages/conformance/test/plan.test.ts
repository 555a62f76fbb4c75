import { describe, expect, it } from 'vitest';
import { parseMemory, parseSmp, parseTimeout, planEntry } from '../src/plan.ts';
import { parseUnitTestsCfg } from '../src/unittests-cfg.ts';

const plan = (cfg: string) => planEntry(parseUnitTestsCfg(cfg)[0]!, '/suite');

describe('planning an entry as the runner with ACCEL=tcg', () => {
  it("skips kvm-only, migration and pv-host entries with the runner's reasons", () => {
    expect(plan('[a]\nfile = a.elf\naccel = kvm\n')).toEqual({ kind: 'skip', reason: 'kvm only, but ACCEL=tcg' });
    expect(plan('[a]\nfile = a.elf\ngroups = migration\n')).toEqual({ kind: 'skip', reason: 'run_migration needs ncat (netcat)' });
    expect(plan('[a]\nfile = a.elf\ngroups = pv-host\n')).toEqual({ kind: 'skip', reason: 'no gen-se-header available for pv-host test' });
  });

  it('runs uv-host, the pv-host entry that needs no SE header, on a machine offering the Ultravisor call', () => {
    const p = plan('[uv-host]\nfile = uv-host.elf\nsmp = 2\ngroups = pv-host\nqemu_params = -m 2200\n');
    expect(p.kind === 'run' && p.spec).toMatchObject({ kernel: '/suite/uv-host.elf', cpus: 2, memoryMiB: 2200, ultravisorCall: true });
    const plain = plan('[smp]\nfile = smp.elf\nsmp = 2\n');
    expect(plain.kind === 'run' && plain.spec.ultravisorCall).toBe(false);
  });

  it('reads the machine from smp, test_args and qemu_params', () => {
    const p = plan("[stsi]\nfile = stsi.elf\ntest_args = '--x y'\nqemu_params=-name kvm-unit-test --uuid 0fb84a86-727c-11ea-bc55-0242ac130003 -smp 1,maxcpus=8 -m 3G -device virtio-net-ccw\n");
    expect(p.kind).toBe('run');
    if (p.kind !== 'run') return;
    expect(p.spec).toMatchObject({
      kernel: '/suite/stsi.elf',
      cpus: 1,
      maxCpus: 8,
      memoryMiB: 3072,
      commandLine: '--x y',
      guestName: 'kvm-unit-test',
      uuid: '0fb84a86-727c-11ea-bc55-0242ac130003',
      virtioNetCcw: 1,
      watchdog: undefined,
      suiteTimeoutSeconds: 90,
    });
  });

  it('reads hot-plugged CPUs, the watchdog and its action', () => {
    const p = plan('[f]\nfile = f.elf\ntimeout = 20\nqemu_params = -smp 1,maxcpus=3 -cpu qemu -device qemu-s390x-cpu,core-id=2 -device qemu-s390x-cpu,core-id=1 -device diag288,id=w --watchdog-action inject-nmi\n');
    expect(p.kind === 'run' && p.spec).toMatchObject({ cpus: 1, maxCpus: 3, extraCpus: [{ coreId: 2 }, { coreId: 1 }], watchdog: { action: 'inject-nmi' }, suiteTimeoutSeconds: 20 });
  });

  it("reads the configuration topology: ctop, -smp containers and the CPUs' places", () => {
    const p = plan(
      '[t]\nfile = t.elf\nqemu_params = -cpu max,ctop=on -smp cpus=1,drawers=2,books=2,sockets=2,cores=16,maxcpus=128 -device max-s390x-cpu,core-id=31,drawer-id=1,book-id=0,socket-id=1,entitlement=high,dedicated=true -device max-s390x-cpu,core-id=5\n',
    );
    expect(p.kind === 'run' && p.spec).toMatchObject({
      cpuModel: { model: 'max', features: { ctop: true } },
      cpus: 1,
      maxCpus: 128,
      geometry: { drawers: 2, books: 2, sockets: 2, cores: 16 },
      extraCpus: [
        { coreId: 31, placement: { drawer: 1, book: 0, socket: 1, entitlement: 'high', dedicated: true } },
        { coreId: 5, placement: {} },
      ],
    });
    expect(plan('[t]\nfile = t.elf\nqemu_params = -smp 2 -device max-s390x-cpu,core-id=1,entitlement=huge\n')).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/entitlement=huge/) });
  });

  it('fails early (a SKIP, as QEMU refusing to start) for what the machine does not offer', () => {
    // Guarded storage is installed: gs=on runs with it, gs=off withdraws it as vx=off does the vector facility.
    const withGs = plan('[t]\nfile = t.elf\nqemu_params = -cpu qemu,gs=on\n');
    expect(withGs.kind === 'run' && withGs.spec.cpuModel).toEqual({ model: 'qemu', features: { gs: true } });
    const noVector = plan('[t]\nfile = t.elf\nqemu_params = -cpu qemu,gs=off,vx=off\n');
    expect(noVector.kind === 'run' && noVector.spec.cpuModel).toEqual({ model: 'qemu', features: { gs: false, vx: false } });
    expect(plan('[t]\nfile = t.elf\nqemu_params = -device e1000\n')).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/e1000/) });
    expect(plan('[t]\nfile = t.elf\nqemu_params = -cpu host\n')).toMatchObject({ kind: 'skip' });
    expect(plan('[t]\nfile = t.elf\nsmp = 2\nqemu_params = -smp 1,maxcpus=1 -device qemu-s390x-cpu,core-id=1\n')).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/exceed maxcpus/) });
  });

  it('reads QEMU sizes, -smp forms and timeouts', () => {
    expect([parseMemory('2200'), parseMemory('1G'), parseMemory('512M')]).toEqual([2200, 1024, 512]);
    expect(() => parseMemory('lots')).toThrow(/not a memory size/);
    // QEMU 8.2: one socket of maxcpus cores unless containers are given.
    expect(parseSmp('2')).toEqual({ cpus: 2, maxCpus: 2, geometry: { drawers: 1, books: 1, sockets: 1, cores: 2 } });
    expect(parseSmp('1,maxcpus=8')).toEqual({ cpus: 1, maxCpus: 8, geometry: { drawers: 1, books: 1, sockets: 1, cores: 8 } });
    expect(parseSmp('4,sockets=2')).toEqual({ cpus: 4, maxCpus: 4, geometry: { drawers: 1, books: 1, sockets: 2, cores: 2 } });
    expect(parseSmp('sockets=31,cores=8,maxcpus=248')).toEqual({ cpus: 248, maxCpus: 248, geometry: { drawers: 1, books: 1, sockets: 31, cores: 8 } });
    expect(parseSmp('cpus=1,drawers=2,books=2,sockets=2,cores=16,maxcpus=128')).toEqual({ cpus: 1, maxCpus: 128, geometry: { drawers: 2, books: 2, sockets: 2, cores: 16 } });
    expect(() => parseSmp('sockets=2,cores=2,maxcpus=5')).toThrow(/product of the hierarchy \(4\) must match maxcpus \(5\)/);
    expect(() => parseSmp('2,threads=2')).toThrow(/threads=1/);
    // maxcpus defaults to the boot CPUs when they are given.
    expect(() => parseSmp('2,sockets=2,cores=2')).toThrow(/\(4\) must match maxcpus \(2\)/);
    expect([parseTimeout(undefined), parseTimeout('600'), parseTimeout('2m')]).toEqual([90, 600, 120]);
  });
});
