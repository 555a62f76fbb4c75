/**
 * `pvdump image`: builds a protected guest image from a bare-metal s390x guest ELF (the guest
 * owner's side, as pvimg does): an SE header with one key slot per host key document, the CCK
 * and AllowDumping as asked, and the guest's pages AES-XTS encrypted, in pvdump's container
 * (packages/ultravisor README, "Protected image format").
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { buildProtectedImage, loadGuestElf, parseHostKeyDocument, type HostKeyDocument } from '@pvdump/ultravisor/guest-owner';
import { readProtectedImage } from '@pvdump/ultravisor/protected-image';
import { parseCommandArgs, positionals } from '../args.js';
import { readKeyFile } from '../key-file.js';
import { checkOutputFolder, fsReason, UsageError, UserError, hex, writeAtomically, type Command } from '../cli-support.js';

const USAGE = `usage: pvdump image --host-key-document HKD [--host-key-document HKD ...] --cck FILE
                    [--enable-dump] -o IMAGE GUEST

Builds a protected (Secure Execution) guest image from GUEST, a bare-metal s390x ELF executable:
an SE header that only the given hosts can open, plus the guest's pages encrypted with a fresh
AES-256-XTS key. The guest starts in 64-bit mode at the ELF entry point.

  --host-key-document HKD  a host key document (X.509 certificate, PEM or DER) with the P-521
                           host key of a machine allowed to run the image; repeat for more hosts
                           (the certificate's signature chain is not checked)
  --cck FILE               the customer communication key: a file of exactly 32 raw bytes (make
                           one with: head -c 32 /dev/urandom > cck.bin); dumps of
                           the guest decrypt with it
  --enable-dump            allow the host to take encrypted dumps (PCF bit 34 AllowDumping)
  -o, --output IMAGE       the image file to write`;

/** Largest guest ELF read into memory. */
const MAX_GUEST_FILE = 1 << 30;
const MAX_DOCUMENT_FILE = 1 << 20;

function readLimited(path: string, limit: number, what: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`${what} ${path} is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${what} ${path}: ${fsReason(err)}`);
  }
  if (size > limit) throw new UserError(`${what} ${path} is ${size} bytes, more than the ${limit} this command reads`);
  return new Uint8Array(readFileSync(path));
}

export const command: Command = {
  summary: 'build a protected guest image (SE header + encrypted pages) from a guest ELF',
  usage: USAGE,
  async run(argv) {
    const { values, positionals: pos } = parseCommandArgs(
      argv,
      {
        'host-key-document': { type: 'string', multiple: true },
        cck: { type: 'string' },
        'enable-dump': { type: 'boolean', default: false },
        output: { type: 'string', short: 'o' },
      },
      USAGE,
    );
    const [guestPath] = positionals(pos, ['GUEST'], USAGE) as [string];
    const documents = values['host-key-document'] ?? [];
    if (documents.length === 0) throw new UsageError(`at least one --host-key-document is required\n\n${USAGE}`);
    if (values.cck === undefined) throw new UsageError(`--cck FILE is required\n\n${USAGE}`);
    if (values.output === undefined) throw new UsageError(`-o IMAGE is required\n\n${USAGE}`);
    const output = values.output;
    checkOutputFolder(output);

    const hosts: HostKeyDocument[] = documents.map((path) => {
      const bytes = readLimited(path, MAX_DOCUMENT_FILE, 'host key document');
      try {
        return parseHostKeyDocument(bytes);
      } catch (err) {
        if ((err as { userError?: unknown }).userError === true) throw new UserError(`host key document ${path}: ${(err as Error).message}`);
        throw err;
      }
    });
    const cck = readKeyFile(values.cck);
    try {
      const guest = loadGuestElf(readLimited(guestPath, MAX_GUEST_FILE, 'guest ELF'));
      const image = buildProtectedImage({ guest, hostPublicKeys: hosts.map((h) => h.publicKey), cck, allowDumping: values['enable-dump'] });
      // Read back what we are about to write, so a bad container is never produced.
      const check = readProtectedImage(image);
      // Only the listed hosts can open it (the SE header and the pages are encrypted), so it is
      // readable by all, like pvimg's output.
      await writeAtomically(output, async (tmp) => writeFileSync(tmp, image), { mode: 0o644 });
      const pcf = new DataView(check.seHeader.buffer, check.seHeader.byteOffset).getBigUint64(56);
      process.stdout.write(
        `${output}: protected image, ${image.length} bytes\n` +
          `  hosts: ${hosts.length} (${hosts.map((h) => h.subject).join('; ')})\n` +
          `  pages: ${check.pages.length} in ${check.components.length} component(s), entry ${hex(guest.entry, 16)}\n` +
          `  SE header: ${check.seHeader.length} bytes, PCF ${hex(pcf, 16)}, dumping ${values['enable-dump'] ? 'allowed' : 'not allowed'}\n`,
      );
    } finally {
      cck.fill(0);
    }
    return 0;
  },
};
