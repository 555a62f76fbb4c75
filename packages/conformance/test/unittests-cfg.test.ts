import { describe, expect, it } from 'vitest';
import { parseUnitTestsCfg, splitShellWords, UnitTestsCfgError } from '../src/unittests-cfg.ts';

const CFG = `##############
# comment
##############
[selftest-setup]
file = selftest.elf
groups = selftest
# keep in sync
test_args = 'test 123'

[diag288]
file = diag288.elf
qemu_params=-device diag288,id=watchdog0 --watchdog-action inject-nmi

[firq]
file = firq.elf
timeout = 20
smp = 1,maxcpus=3
accel = tcg

[multi]
file = topology.elf
qemu_params = """-cpu max,ctop=on -smp cpus=1,maxcpus=4 \\
-device max-s390x-cpu,core-id=3 \\
-device max-s390x-cpu,core-id=2"""
groups = a b
`;

describe('unittests.cfg', () => {
  it('reads entries, keys with and without spaces, comments and quoted test_args', () => {
    const entries = parseUnitTestsCfg(CFG);
    expect(entries.map((e) => e.name)).toEqual(['selftest-setup', 'diag288', 'firq', 'multi']);
    expect(entries[0]).toMatchObject({ file: 'selftest.elf', groups: ['selftest'], testArgs: "'test 123'", smp: '1', accel: undefined });
    expect(entries[1]!.qemuParams).toBe('-device diag288,id=watchdog0 --watchdog-action inject-nmi');
    expect(entries[2]).toMatchObject({ timeout: '20', smp: '1,maxcpus=3', accel: 'tcg' });
  });

  it('joins a """ value over lines, backslash-newline joining them', () => {
    const multi = parseUnitTestsCfg(CFG)[3]!;
    expect(multi.qemuParams).toBe('-cpu max,ctop=on -smp cpus=1,maxcpus=4 -device max-s390x-cpu,core-id=3 -device max-s390x-cpu,core-id=2');
    expect(multi.groups).toEqual(['a', 'b']);
  });

  it('names the line of an unclosed """ value and an entry without a file', () => {
    expect(() => parseUnitTestsCfg('[x]\nfile = x.elf\nqemu_params = """-m 1G\n', 'u.cfg')).toThrow(/u.cfg:3: .*never closed/);
    expect(() => parseUnitTestsCfg('[x]\nsmp = 2\n', 'u.cfg')).toThrow(UnitTestsCfgError);
  });

  it('splits shell words as the runner does', () => {
    expect(splitShellWords("'test 123'")).toEqual(['test 123']);
    expect(splitShellWords('"skip"')).toEqual(['skip']);
    expect(splitShellWords('-name kvm-unit-test --uuid 0fb84a86-727c-11ea-bc55-0242ac130003')).toEqual(['-name', 'kvm-unit-test', '--uuid', '0fb84a86-727c-11ea-bc55-0242ac130003']);
    expect(() => splitShellWords('a; b')).toThrow(/operator/);
  });
});
