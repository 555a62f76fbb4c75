/** `pvdump hostkey`: key files openssl accepts, mode 0600, no key material printed, overwrite rules. */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool, run, runStatus, tempPath } from '@pvdump/test-support';
import { decodeHostPrivateKeyPem, hostKeyHash } from '@pvdump/ultravisor';
import { isSelfSignedHostKeyDocument, parseHostKeyDocument } from '@pvdump/ultravisor/guest-owner';
import { describe, expect, it } from 'vitest';
import { pvdump } from './cli.ts';

describe('pvdump hostkey', () => {
  it('writes a private key (0600) and a host key document that openssl verifies', () => {
    requireTool('openssl');
    const dir = tempPath('hostkey');
    const r = pvdump(['hostkey', '-o', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const keyPath = join(dir, 'host-key.pem');
    const docPath = join(dir, 'host-key.crt');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['host-key.crt', 'host-key.pem']);

    const keys = decodeHostPrivateKeyPem(readFileSync(keyPath, 'utf8'));
    const doc = parseHostKeyDocument(readFileSync(docPath));
    expect(Buffer.from(doc.publicKey).equals(Buffer.from(keys.publicKey))).toBe(true);
    expect(isSelfSignedHostKeyDocument(doc)).toBe(true);
    // The hash printed is the one SE key slots use; no key material is printed.
    expect(r.stdout).toContain(Buffer.from(hostKeyHash(keys.publicKey)).toString('hex'));
    expect(r.stdout).not.toContain(Buffer.from(keys.privateKey).toString('hex'));
    expect(r.stdout).not.toContain('PRIVATE KEY');
    expect(r.stdout).not.toContain(readFileSync(keyPath, 'utf8').split('\n')[1]!);

    expect(run('openssl', ['x509', '-in', docPath, '-noout', '-text'])).toContain('NIST CURVE: P-521');
    const verify = runStatus('openssl', ['verify', '-CAfile', docPath, docPath]);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain(': OK');
    const check = runStatus('openssl', ['ec', '-in', keyPath, '-noout', '-check']);
    expect(check.status).toBe(0);
    expect(check.stderr + check.stdout).toContain('EC Key valid');
  });

  it('does not replace existing keys unless --force', () => {
    const dir = tempPath('hostkey-force');
    expect(pvdump(['hostkey', '-o', dir]).status).toBe(0);
    const before = readFileSync(join(dir, 'host-key.pem'), 'utf8');
    const again = pvdump(['hostkey', '-o', dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists; use --force/);
    expect(again.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(dir, 'host-key.pem'), 'utf8')).toBe(before);
    const forced = pvdump(['hostkey', '-o', dir, '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(dir, 'host-key.pem'), 'utf8')).not.toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['host-key.crt', 'host-key.pem']);
  });

  it('exit codes: 2 for bad usage, 1 when -o is a file', () => {
    expect(pvdump(['hostkey']).status).toBe(2);
    expect(pvdump(['hostkey', '-o', tempPath('x'), 'extra']).status).toBe(2);
    expect(pvdump(['hostkey', '--bogus']).status).toBe(2);
    const file = tempPath('plain-file');
    writeFileSync(file, 'x');
    const r = pvdump(['hostkey', '-o', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/plain-file is a file, not a folder/);
    expect(existsSync(join(file, 'host-key.pem'))).toBe(false);
    expect(pvdump(['hostkey', '--help']).stdout).toMatch(/usage: pvdump hostkey -o DIR/);
  });
});
