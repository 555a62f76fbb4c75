// The Secure Execution image of a test kernel, as s390x/Makefile makes `NAME.pv.bin`:
// `objcopy -O binary NAME.elf NAME.bin` (every loadable byte from absolute 0, the lowcore page
// included), then `genprotimg --host-key-document HKD --no-verify --comm-key comm.key --x-pcf
// 0xe0 [--parmfile P] --image NAME.bin` (PCF 0xE0: PCKMO allowed, no dumping; the selftest's
// parmfile is its `-append` text). Built here with @pvdump/ultravisor's image builder, for a host
// key pair made for the run, with a fresh customer communication key per image.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createHostKeyDocument, buildGenprotimgImage, loadGuestElf, parseHostKeyDocument } from '@pvdump/ultravisor/guest-owner';
import { decodeHostPrivateKeyPem, encodeHostPrivateKeyPem, generateHostKeyPair, type HostKeyPair } from '@pvdump/ultravisor';

/** genprotimg's PCF in s390x/Makefile without CONFIG_DUMP: PCKMO allowed (bits 56-58), no dumping. */
export const KVM_UNIT_TESTS_PCF = 0xe0n;
/** genprotimg's default kernel PSW: 64-bit addressing, start at 0x10000 (cstart64's entry). */
const KERNEL_PSW = { mask: 0x0000000180000000n, addr: 0x10000n };
const CCK_LENGTH = 32;

/** The host key of a conformance run: the private key for the machine, the document for the image builder. */
export interface RunHostKey {
  /** The private key in `pvdump hostkey`'s PEM form (goes to each entry's process). */
  privateKeyPem: string;
  /** The host key document (X.509 certificate, DER) as `pvdump hostkey` writes it, in base64. */
  documentBase64: string;
}

/** A new host key pair and its document, as `pvdump hostkey` makes them. */
export function makeRunHostKey(): RunHostKey {
  const keys = generateHostKeyPair();
  try {
    return { privateKeyPem: encodeHostPrivateKeyPem(keys), documentBase64: Buffer.from(createHostKeyDocument(keys)).toString('base64') };
  } finally {
    keys.privateKey.fill(0);
  }
}

export function hostKeyPairOf(key: RunHostKey): HostKeyPair {
  return decodeHostPrivateKeyPem(key.privateKeyPem);
}

/** `objcopy -O binary`: the ELF's loadable bytes from absolute 0 to the end of the last segment's file bytes. */
export function flatBinary(elf: Uint8Array): Uint8Array {
  const guest = loadGuestElf(elf, { withoutFileHeaders: true });
  const out = new Uint8Array(Number(guest.end));
  for (const page of guest.pages) {
    const at = Number(page.address);
    out.set(page.data.subarray(0, Math.max(0, Math.min(page.data.length, out.length - at))), at);
  }
  return out;
}

/** The SE image of the test kernel at `elfPath` for the run's host key; `parmline` is the `-append` text. */
export function buildTestImage(elfPath: string, hostKey: RunHostKey, parmline: string | undefined): Uint8Array {
  const document = parseHostKeyDocument(new Uint8Array(Buffer.from(hostKey.documentBase64, 'base64')));
  const cck = new Uint8Array(randomBytes(CCK_LENGTH));
  try {
    return buildGenprotimgImage({
      kernel: flatBinary(new Uint8Array(readFileSync(elfPath))),
      ...(parmline === undefined ? {} : { parmline: new TextEncoder().encode(parmline) }),
      hostPublicKeys: [document.publicKey],
      cck,
      pcf: KVM_UNIT_TESTS_PCF,
      kernelPsw: KERNEL_PSW,
    });
  } finally {
    cck.fill(0);
  }
}
