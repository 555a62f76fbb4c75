/**
 * `pvdump info IMAGE`: describes a Secure Execution boot image in genprotimg's layout (ours or
 * IBM's) without any key — loader, IPL parameter block, SE header (PCF, host-key hashes of its
 * key slots, digests), components, whether dumping is allowed — and with the machine's host
 * private key (`--host-key`) opens the header as the Ultravisor would: SCF, the start PSW, stage3b's
 * arguments, and the page count and digests recomputed from the components.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { decodeHostPrivateKeyPem, openSeHeader, type HostKeyPair, type SeHeaderSecrets } from '@pvdump/ultravisor';
import { decryptGenprotimgComponent, findStage3bArgs, verifyGenprotimgImage, type GenprotimgVerification, type Stage3bArgs } from '@pvdump/ultravisor/guest-owner';
import { ComponentType, looksLikeGenprotimgImage, readGenprotimgImage, type GenprotimgImage } from '@pvdump/ultravisor/protected-image';
import { fsReason, UserError } from '../cli-support.js';

/** Largest image read into memory (the image builder's limit plus room for genprotimg's). */
const MAX_IMAGE_FILE = 2 ** 31;
/** What `looksLikeGenprotimgImage` needs: the short PSW and room for stage3a. */
const HEAD_BYTES = 0x11000;

const hex64 = (v: bigint | number): string => '0x' + v.toString(16).padStart(16, '0');
const hexBytes = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export interface ImageInfoJson {
  file: string;
  format: 'secure-execution-image';
  fileSize: number;
  shortPsw: string;
  entry: string;
  stage3a: { address: string; size: number; trailer: string };
  iplBlock: { address: string; length: number; seHeaderLength: number };
  seHeader: {
    address: string;
    size: number;
    version: string;
    pcf: string;
    allowDumping: boolean;
    encryptedPages: number;
    keySlots: { hostKeyHash: string }[];
    digests: { pld: string; ald: string; tld: string };
  };
  components: { type: number; name: string; address: string; size: number; tweakPrefix: string }[];
  /** With --host-key: what the opened header and the decrypted stage3b say. */
  opened?: {
    keySlot: number;
    scf: string;
    psw: { mask: string; addr: string };
    stage3b: { kernel: Blob; cmdline: Blob; initrd: Blob; psw: { mask: string; addr: string } } | null;
    verification: Omit<GenprotimgVerification, 'pageCount'> & { pageCount: number };
  };
}

interface Blob {
  address: string;
  size: number;
}

/** True when the file at `path` starts like a genprotimg image rather than an ELF or gzip dump (reads its head only). */
export function isImageFile(path: string): boolean {
  const head = new Uint8Array(HEAD_BYTES);
  let n = 0;
  try {
    if (!statSync(path).isFile()) return false;
    const fd = openSync(path, 'r');
    try {
      for (let got = -1; got !== 0 && n < head.length; n += got) got = readSync(fd, head, n, head.length - n, n);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  return looksLikeGenprotimgImage(head.subarray(0, n));
}

function readImage(path: string): GenprotimgImage {
  let bytes: Uint8Array;
  try {
    const size = statSync(path).size;
    if (size > MAX_IMAGE_FILE) throw new UserError(`${path}: ${size} bytes is larger than the ${MAX_IMAGE_FILE} bytes this command reads`);
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${path}: ${fsReason(e)}`);
  }
  try {
    return readGenprotimgImage(bytes);
  } catch (e) {
    if ((e as { userError?: unknown }).userError === true) throw new UserError(`${path}: ${(e as Error).message}`);
    throw e;
  }
}

export function readHostKeyFile(path: string): HostKeyPair {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`--host-key ${path}: cannot read the file (${fsReason(e)})`);
  }
  try {
    return decodeHostPrivateKeyPem(text);
  } catch (e) {
    if ((e as { userError?: unknown }).userError === true) throw new UserError(`--host-key ${path}: ${(e as Error).message}`);
    throw e;
  }
}

interface Opened {
  secrets: SeHeaderSecrets;
  stage3b: Stage3bArgs | undefined;
  verification: GenprotimgVerification;
}

function open(image: GenprotimgImage, file: string, hostKey: HostKeyPair): Opened {
  let secrets: SeHeaderSecrets;
  try {
    secrets = openSeHeader(image.seHeader, [hostKey]);
  } catch (e) {
    if ((e as { userError?: unknown }).userError === true) throw new UserError(`${file}: ${(e as Error).message}`);
    throw e;
  }
  const verification = verifyGenprotimgImage(image, secrets.psw);
  let stage3b: Stage3bArgs | undefined;
  const component = image.components.find((c) => c.type === ComponentType.stage3b);
  if (component !== undefined && verification.ok) {
    const plain = decryptGenprotimgComponent(component, secrets.imageXtsKey);
    try {
      stage3b = findStage3bArgs(plain);
    } finally {
      plain.fill(0);
    }
  }
  return { secrets, stage3b, verification };
}

function blob(b: { address: bigint; size: bigint }): Blob {
  return { address: hex64(b.address), size: Number(b.size) };
}

export function imageInfoJson(image: GenprotimgImage, file: string, opened?: Opened): ImageInfoJson {
  const h = image.header;
  const json: ImageInfoJson = {
    file,
    format: 'secure-execution-image',
    fileSize: image.size,
    shortPsw: hex64(image.shortPsw),
    entry: hex64(image.entry),
    stage3a: { address: hex64(0x10000), size: image.stage3aSize, trailer: hex64(image.trailerAddress) },
    iplBlock: { address: hex64(image.iplBlockAddress), length: image.iplBlock.length, seHeaderLength: Number(image.iplBlock.seHeaderLength) },
    seHeader: {
      address: hex64(image.seHeaderAddress),
      size: h.size,
      version: '0x' + h.version.toString(16).padStart(8, '0'),
      pcf: hex64(h.pcf),
      allowDumping: h.allowDumping,
      encryptedPages: Number(h.encryptedPageCount),
      keySlots: h.keySlots.map((s) => ({ hostKeyHash: hexBytes(s.hostKeyHash) })),
      digests: { pld: hexBytes(h.pageListDigest), ald: hexBytes(h.addressListDigest), tld: hexBytes(h.tweakListDigest) },
    },
    components: image.components.map((c) => ({ type: c.type, name: c.name, address: hex64(c.address), size: Number(c.size), tweakPrefix: hex64(c.tweakPrefix) })),
  };
  if (opened !== undefined) {
    const { secrets, stage3b, verification } = opened;
    json.opened = {
      keySlot: secrets.keySlotIndex,
      scf: hex64(secrets.scf),
      psw: { mask: hex64(secrets.psw.mask), addr: hex64(secrets.psw.addr) },
      stage3b: stage3b === undefined ? null : { kernel: blob(stage3b.kernel), cmdline: blob(stage3b.cmdline), initrd: blob(stage3b.initrd), psw: { mask: hex64(stage3b.psw.mask), addr: hex64(stage3b.psw.addr) } },
      verification: { ...verification, pageCount: Number(verification.pageCount) },
    };
  }
  return json;
}

export function imageInfoText(j: ImageInfoJson): string {
  const out: string[] = [];
  out.push(`${j.file}: Secure Execution boot image (genprotimg layout), ${j.fileSize} bytes`);
  out.push(`  short IPL PSW ${j.shortPsw}: stage3a at ${j.stage3a.address} (${j.stage3a.size} bytes, trailer at ${j.stage3a.trailer}), started at ${j.entry}`);
  out.push(`  IPL parameter block (PV, type 5) at ${j.iplBlock.address}: ${j.iplBlock.length} bytes, ${j.components.length} component(s)`);
  const s = j.seHeader;
  out.push(`SE header at ${s.address}: ${s.size} bytes, version ${s.version}`);
  out.push(`  PCF ${s.pcf}: dumping ${s.allowDumping ? 'allowed' : 'not allowed'} (bit 34 AllowDumping)`);
  out.push(`  encrypted pages (nep): ${s.encryptedPages}`);
  out.push(`  key slots: ${s.keySlots.length} (host-key hash: SHA-256 of the host key's X ‖ Y)`);
  s.keySlots.forEach((k, i) => out.push(`    ${i}: ${k.hostKeyHash}`));
  out.push(`  PLD ${s.digests.pld}`);
  out.push(`  ALD ${s.digests.ald}`);
  out.push(`  TLD ${s.digests.tld}`);
  out.push('components (AES-256-XTS encrypted):');
  for (const c of j.components) out.push(`  ${c.name.padEnd(8)} at ${c.address}, ${c.size} bytes (${c.size / 4096} pages), tweak prefix ${c.tweakPrefix}`);
  if (j.opened === undefined) {
    out.push('The header and components are encrypted: opening them needs the host private key of a key slot (pvdump info --host-key FILE IMAGE).');
    return out.join('\n');
  }
  const o = j.opened;
  out.push(`opened with the host key (key slot ${o.keySlot}):`);
  out.push(`  SCF ${o.scf}, start PSW ${o.psw.mask} ${o.psw.addr}`);
  if (o.stage3b !== null) {
    const b = o.stage3b;
    out.push(
      `  stage3b: kernel at ${b.kernel.address} (${b.kernel.size} bytes), command line at ${b.cmdline.address} (${b.cmdline.size} bytes), initrd at ${b.initrd.address} (${b.initrd.size} bytes), kernel PSW ${b.psw.mask} ${b.psw.addr}`,
    );
  }
  const v = o.verification;
  const mark = (ok: boolean): string => (ok ? 'match' : 'DIFFER');
  out.push(
    `  verification: page count ${v.pageCount} ${mark(v.pageCountMatches)}, PLD ${mark(v.pageListDigestMatches)}, ALD ${mark(v.addressListDigestMatches)}, TLD ${mark(v.tweakListDigestMatches)}, PSW ${v.pswAtStage3b ? 'starts stage3b' : 'does NOT start stage3b'}`,
  );
  out.push(v.ok ? '  the image verifies: the Ultravisor would accept it' : '  the image does NOT verify: the Ultravisor would refuse it at VERIFY');
  return out.join('\n');
}

/** Runs `pvdump info [--host-key FILE] [--json] IMAGE`; exit 1 when an opened image does not verify. */
export function runImageInfo(file: string, options: { json: boolean; hostKey?: string }): number {
  const hostKey = options.hostKey === undefined ? undefined : readHostKeyFile(options.hostKey);
  const image = readImage(file);
  const opened = hostKey === undefined ? undefined : open(image, file, hostKey);
  try {
    const json = imageInfoJson(image, file, opened);
    process.stdout.write(options.json ? JSON.stringify(json, null, 2) + '\n' : imageInfoText(json) + '\n');
    if (opened !== undefined && !opened.verification.ok) {
      process.stderr.write(`pvdump: ${file} does not verify against its SE header\n`);
      return 1;
    }
    return 0;
  } finally {
    opened?.secrets.wipe();
    hostKey?.privateKey.fill(0);
  }
}
