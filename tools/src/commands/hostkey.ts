/**
 * `pvdump hostkey -o DIR`: makes a machine host key pair for the emulated Ultravisor (P-521,
 * spec ultravisor.md §5, §7.2) and its host key document, the X.509 certificate image builders
 * take (self-signed here; IBM signs the real ones). The private key file is created mode 0600.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHostPrivateKeyPem, generateHostKeyPair, hostKeyHash } from '@pvdump/ultravisor';
import { createHostKeyDocument, hostKeyDocumentToPem } from '@pvdump/ultravisor/guest-owner';
import { parseCommandArgs, positionals } from '../args.js';
import { makeFolder, UsageError, UserError, writeAtomically, type Command } from '../cli-support.js';

export const PRIVATE_KEY_FILE = 'host-key.pem';
export const DOCUMENT_FILE = 'host-key.crt';

const USAGE = `usage: pvdump hostkey -o DIR [--force]

Makes a machine host key pair for the emulated Ultravisor and its host key document:
  DIR/${PRIVATE_KEY_FILE}   the P-521 private key (SEC1 PEM, file mode 0600); keep it on the machine
  DIR/${DOCUMENT_FILE}   the host key document: an X.509 certificate (PEM) holding the public key,
                  self-signed with ECDSA-SHA512; give it to 'pvdump image --host-key-document'
Prints the file names and the host key hash that names this host in SE header key slots.

  -o, --output DIR   folder for the two files (created if missing)
  --force            replace files that already exist`;

export const command: Command = {
  summary: 'make a machine host key pair and its host key document',
  usage: USAGE,
  async run(argv) {
    const { values, positionals: pos } = parseCommandArgs(argv, { output: { type: 'string', short: 'o' }, force: { type: 'boolean', default: false } }, USAGE);
    positionals(pos, [], USAGE);
    const dir = values.output;
    if (dir === undefined) throw new UsageError(`-o DIR is required\n\n${USAGE}`);
    makeFolder(dir);
    const keyPath = join(dir, PRIVATE_KEY_FILE);
    const docPath = join(dir, DOCUMENT_FILE);
    for (const p of [keyPath, docPath]) {
      if (existsSync(p) && !values.force) throw new UserError(`${p} already exists; use --force to replace it (the old host key is then lost)`);
    }
    const keys = generateHostKeyPair();
    try {
      const document = hostKeyDocumentToPem(createHostKeyDocument(keys));
      const keyBytes = Buffer.from(encodeHostPrivateKeyPem(keys), 'utf8');
      try {
        // Created with mode 0600 before any byte is written; the rename keeps the mode.
        await writeAtomically(keyPath, async (tmp) => writeFileSync(tmp, keyBytes), { mode: 0o600 });
      } finally {
        keyBytes.fill(0);
      }
      // The document holds only the public key: readable by all, like a certificate.
      await writeAtomically(docPath, async (tmp) => writeFileSync(tmp, document), { mode: 0o644 });
      process.stdout.write(`host private key:   ${keyPath}\nhost key document:  ${docPath}\nhost key hash:      ${Buffer.from(hostKeyHash(keys.publicKey)).toString('hex')}\n`);
    } finally {
      keys.privateKey.fill(0);
    }
    return 0;
  },
};
