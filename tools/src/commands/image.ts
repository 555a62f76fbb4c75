/**
 * `pvdump image`: builds a Secure Execution boot image in IBM genprotimg's layout from the inputs
 * genprotimg takes — a raw kernel image (`-i`), a command line (`-p`), an initial RAM disk (`-r`),
 * host key documents (`-k`), the customer communication key, `--enable-dump` — or from a
 * bare-metal s390x ELF guest, made into the raw kernel image first (packages/ultravisor README,
 * "Secure Execution boot images"). Our own stage3a and stage3b loaders go in.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { buildGenprotimgImage, kernelImageFromGuest, loadGuestElf, parseHostKeyDocument, type HostKeyDocument } from '@pvdump/ultravisor/guest-owner';
import { readGenprotimgImage } from '@pvdump/ultravisor/protected-image';
import { parseCommandArgs } from '../args.js';
import { readKeyFile } from '../key-file.js';
import { checkOutputFolder, fsReason, UsageError, UserError, hex, writeAtomically, type Command } from '../cli-support.js';

const USAGE = `usage: pvdump image -k HKD [-k HKD ...] --comm-key FILE [--enable-dump]
                    [-p PARMFILE] [-r RAMDISK] -o IMAGE (-i KERNEL | GUEST)

Builds a Secure Execution boot image in IBM genprotimg's layout: our stage3a loader, the PV IPL
parameter block, an SE header that only the given hosts can open, and the components (kernel,
command line, initial RAM disk, our stage3b loader) encrypted with a fresh AES-256-XTS key. The
host boots it like genprotimg's images (pvdump run); pvdump info IMAGE describes it.

  -i, --image KERNEL         the raw kernel image for absolute address 0, as genprotimg takes
                             it (the kernel starts at 0x10000; its first 64 KiB are not loaded)
  GUEST                      instead of -i: a bare-metal s390x ELF guest linked at 0x10000 or
                             above, made into that kernel image (the kernel starts at its entry)
  -k, --host-key-document HKD
                             a host key document (X.509 certificate, PEM or DER) with the P-521
                             host key of a machine allowed to run the image; repeat for more
                             hosts (the certificate's signature chain is not checked)
  --comm-key, --cck FILE     the customer communication key: a file of exactly 32 raw bytes
                             (head -c 32 /dev/urandom > cck.bin); dumps of the guest decrypt
                             with it
  --enable-dump              allow the host to take encrypted dumps (PCF bit 34 AllowDumping)
  -p, --parmfile PARMFILE    the kernel command line (at most 64 KiB; a NUL is added)
  -r, --ramdisk RAMDISK      the initial RAM disk
  --no-verify                accepted for genprotimg's command lines (nothing is verified)
  -o, --output IMAGE         the image file to write`;

/** Largest kernel, guest ELF or RAM disk read into memory. */
const MAX_INPUT_FILE = 1 << 30;
const MAX_DOCUMENT_FILE = 1 << 20;
/** Largest command line file [E]; stage3b also refuses one longer than the kernel allows. */
const MAX_PARMFILE = 64 << 10;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

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
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new UserError(`cannot read ${what} ${path}: ${fsReason(err)}`);
  }
}

const isElf = (bytes: Uint8Array): boolean => ELF_MAGIC.every((b, i) => bytes[i] === b);

function userErrorOf(err: unknown, prefix: string): unknown {
  if ((err as { userError?: unknown }).userError === true) return new UserError(`${prefix}${(err as Error).message}`);
  return err;
}

export const command: Command = {
  summary: 'build a Secure Execution boot image (genprotimg layout) from a kernel image or a guest ELF',
  usage: USAGE,
  async run(argv) {
    const { values, positionals: pos } = parseCommandArgs(
      argv,
      {
        image: { type: 'string', short: 'i' },
        'host-key-document': { type: 'string', short: 'k', multiple: true },
        'comm-key': { type: 'string' },
        cck: { type: 'string' },
        'enable-dump': { type: 'boolean', default: false },
        parmfile: { type: 'string', short: 'p' },
        ramdisk: { type: 'string', short: 'r' },
        'no-verify': { type: 'boolean', default: false },
        output: { type: 'string', short: 'o' },
      },
      USAGE,
    );
    if (pos.length > 1) throw new UsageError(`unexpected argument '${pos[1]}'\n\n${USAGE}`);
    const guestPath = pos[0];
    if (values.image !== undefined && guestPath !== undefined) throw new UsageError(`give either -i KERNEL or GUEST, not both\n\n${USAGE}`);
    if (values.image === undefined && guestPath === undefined) throw new UsageError(`missing the kernel: -i KERNEL or a GUEST ELF\n\n${USAGE}`);
    const documents = values['host-key-document'] ?? [];
    if (documents.length === 0) throw new UsageError(`at least one --host-key-document (-k) is required\n\n${USAGE}`);
    if (values['comm-key'] !== undefined && values.cck !== undefined) throw new UsageError(`--comm-key and --cck are the same option; give it once\n\n${USAGE}`);
    const cckPath = values['comm-key'] ?? values.cck;
    if (cckPath === undefined) throw new UsageError(`--comm-key FILE (or --cck FILE) is required\n\n${USAGE}`);
    if (values.output === undefined) throw new UsageError(`-o IMAGE is required\n\n${USAGE}`);
    const output = values.output;
    checkOutputFolder(output);

    const hosts: HostKeyDocument[] = documents.map((path) => {
      const bytes = readLimited(path, MAX_DOCUMENT_FILE, 'host key document');
      try {
        return parseHostKeyDocument(bytes);
      } catch (err) {
        throw userErrorOf(err, `host key document ${path}: `);
      }
    });
    const parmline = values.parmfile === undefined ? undefined : readLimited(values.parmfile, MAX_PARMFILE, 'parmfile');
    if (parmline?.includes(0)) throw new UserError(`parmfile ${values.parmfile} holds a NUL byte; the kernel command line is text`);
    const initrd = values.ramdisk === undefined ? undefined : readLimited(values.ramdisk, MAX_INPUT_FILE, 'ramdisk');
    let kernel: Uint8Array;
    let entry: bigint | undefined;
    if (values.image !== undefined) {
      kernel = readLimited(values.image, MAX_INPUT_FILE, 'kernel image');
      if (isElf(kernel)) throw new UserError(`kernel image ${values.image} is an ELF file, not a raw kernel image: give it without -i (pvdump image ... GUEST) to make one from it`);
    } else {
      try {
        const made = kernelImageFromGuest(loadGuestElf(readLimited(guestPath!, MAX_INPUT_FILE, 'guest ELF'), { withoutFileHeaders: true }));
        kernel = made.kernel;
        entry = made.entry;
      } catch (err) {
        throw userErrorOf(err, `${guestPath}: `);
      }
    }
    const cck = readKeyFile(cckPath);
    try {
      let image: Uint8Array;
      try {
        image = buildGenprotimgImage({
          kernel,
          ...(parmline !== undefined ? { parmline } : {}),
          ...(initrd !== undefined ? { initrd } : {}),
          hostPublicKeys: hosts.map((h) => h.publicKey),
          cck,
          allowDumping: values['enable-dump'],
          ...(entry !== undefined ? { kernelPsw: { mask: 0x0000000180000000n, addr: entry } } : {}),
        });
      } catch (err) {
        throw userErrorOf(err, '');
      }
      // Read back what we are about to write, so a malformed image is never produced.
      const check = readGenprotimgImage(image);
      // Only the listed hosts can open it (the SE header and the components are encrypted), so it
      // is readable by all, like genprotimg's output.
      await writeAtomically(output, async (tmp) => writeFileSync(tmp, image), { mode: 0o644 });
      process.stdout.write(
        `${output}: Secure Execution boot image, ${image.length} bytes\n` +
          `  hosts: ${hosts.length} (${hosts.map((h) => h.subject).join('; ')})\n` +
          check.components.map((c) => `  ${c.name.padEnd(8)} ${hex(c.address, 8)}, ${c.size} bytes encrypted\n`).join('') +
          `  kernel starts at ${hex(entry ?? 0x10000n, 8)}\n` +
          `  SE header: ${check.seHeader.length} bytes at ${hex(check.seHeaderAddress, 8)}, PCF ${hex(check.header.pcf, 16)}, dumping ${values['enable-dump'] ? 'allowed' : 'not allowed'}\n`,
      );
    } finally {
      cck.fill(0);
    }
    return 0;
  },
};
