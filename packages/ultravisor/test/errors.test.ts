// Every bad-input error of the package shares one base (`UltravisorUserError`, `userError = true`),
// and the errors with a fixed `reason` union share `ReasonedUserError`: checked on real bad inputs.
import { describe, expect, it } from 'vitest';
import { HostKeyError, ReasonedUserError, SecureCpuError, SeHeaderError, SparseHostStorage, UltravisorUserError, UvCallFailedError, Ultravisor, hostKeyPairFromPrivate, parseSeHeader, requireUvSuccess } from '../src/index.js';
import { DerError, ImageError, loadGuestElf, parseHostKeyDocument } from '../src/guest-owner.js';
import { readGenprotimgImage } from '../src/protected-image.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('package errors', () => {
  it('SE header and image errors carry their reason, their own name and the user-error flag', () => {
    const header = thrown(() => parseSeHeader(new Uint8Array(100)));
    expect(header).toBeInstanceOf(SeHeaderError);
    expect(header).toBeInstanceOf(ReasonedUserError);
    expect(header).toBeInstanceOf(UltravisorUserError);
    expect(header).toMatchObject({ name: 'SeHeaderError', reason: 'truncated', userError: true });
    expect((header as SeHeaderError).message).toMatch(/^SE header: /);

    const image = thrown(() => readGenprotimgImage(new Uint8Array(64)));
    expect(image).toBeInstanceOf(ImageError);
    expect(image).toBeInstanceOf(ReasonedUserError);
    expect(image).toMatchObject({ name: 'ImageError', reason: 'bad-image', userError: true });

    const elf = thrown(() => loadGuestElf(new TextEncoder().encode('not an ELF file at all, just text')));
    expect(elf).toMatchObject({ name: 'ImageError', reason: 'bad-guest-elf', userError: true });
  });

  it('host key, DER, secure-CPU and failed-call errors are user errors with their own names', () => {
    const der = thrown(() => parseHostKeyDocument(new Uint8Array([0x30, 0x85, 0, 0, 0, 0, 1])));
    expect(der).toBeInstanceOf(DerError);
    expect(der).toBeInstanceOf(UltravisorUserError);
    expect(der).toMatchObject({ name: 'DerError', userError: true });

    const hostKey = thrown(() => hostKeyPairFromPrivate(new Uint8Array(12)));
    expect(hostKey).toBeInstanceOf(HostKeyError);
    expect(hostKey).toMatchObject({ name: 'HostKeyError', userError: true });

    const uv = new Ultravisor({ storage: new SparseHostStorage(16 << 20) });
    const cpu = thrown(() => uv.guestCall(0xc100000000000001n, new Uint8Array(0x30)));
    expect(cpu).toBeInstanceOf(SecureCpuError);
    expect(cpu).toMatchObject({ name: 'SecureCpuError', userError: true });

    const failed = thrown(() => requireUvSuccess('DUMP_INIT', uv.dumpInit(0xc000000000000001n)));
    expect(failed).toBeInstanceOf(UvCallFailedError);
    expect(failed).toBeInstanceOf(UltravisorUserError);
    expect(failed).toMatchObject({ name: 'UvCallFailedError', cc: 1, rc: 3, userError: true });
  });
});
