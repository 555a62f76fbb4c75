// SET_SEC_CONF_PARAMS, UNPACK_IMG and VERIFY_IMG (spec ultravisor.md §4-§5 [P], §7.2 [E]):
// open the SE header with this machine's host keys, keep its secrets, decrypt image pages into
// secure guest pages while recomputing the header's digests, and compare them at verify.
import { SeHeaderError, openSeHeader } from '../se-header/index.js';
import { xtsDecrypt } from '../crypto/xts.js';
import { PAGE_SIZE } from '../storage/host-storage.js';
import { equalBytes, hostAccessible, markSecure } from '../storage/pages.js';
import type { UvContext, UvResult } from '../state.js';
import { UnpackDigests } from '../unpack-digests.js';
import { ImageRc, SetParamsRc, UvRc } from '../uvc/codes.js';
import { NODATA, SSC, UNP, type ControlBlock } from '../uvc/layout.js';
import { QUERY_VALUES } from './query.js';
import { fail, ok } from './result.js';
import { guestPageOf } from './storage.js';

/** SE headers are at most two pages (pvimg's limit, and KVM's). */
export const SE_HEADER_LIMIT = 8192;
/** PCF bit 35: the image pages are not encrypted; digests are still checked. */
export const PCF_NO_DECRYPTION = 0x0000000010000000n;

/** rc for each SE header refusal: 0x108 [P]; the others [E]. */
export function seHeaderRc(err: SeHeaderError): number {
  switch (err.reason) {
    case 'no-key-slot-for-host':
      return SetParamsRc.NO_KEY_SLOT;
    case 'unsupported-version':
      return SetParamsRc.UNSUPPORTED_VERSION;
    case 'truncated':
    case 'bad-magic':
    case 'bad-length':
    case 'unsupported-optional-items':
    case 'invalid-argument':
      return SetParamsRc.HEADER_MALFORMED;
    case 'bad-customer-key':
    case 'key-slot-authentication-failed':
    case 'authentication-failed':
      return SetParamsRc.HEADER_INVALID;
  }
}

/** The SE header's bytes through the call's operand reader (host absolute by default); undefined on an access exception. */
function readHeader(ctx: UvContext, origin: bigint, length: number): Uint8Array | undefined {
  if (ctx.hostOperandReader !== undefined) return ctx.hostOperandReader(origin, length);
  if (origin + BigInt(length) > BigInt(ctx.storage.size) || !hostAccessible(ctx, Number(origin), length)) return undefined;
  return ctx.storage.read(Number(origin), length);
}

export function setSecureConfigurationParameters(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(SSC.guestHandle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  if (config.secrets !== undefined) return fail(SetParamsRc.ALREADY_SET);
  const origin = cb.u64(SSC.secHeaderOrigin);
  const length = cb.u32(SSC.secHeaderLen);
  if (length === 0 || length > SE_HEADER_LIMIT) return fail(SetParamsRc.HEADER_MALFORMED);
  const bytes = readHeader(ctx, origin, length);
  if (bytes === undefined) return fail(SetParamsRc.HEADER_ACCESS_EXCEPTION);
  let opened;
  try {
    opened = openSeHeader(bytes, ctx.hostKeys);
  } catch (err) {
    if (err instanceof SeHeaderError) return fail(seHeaderRc(err));
    throw err;
  }
  if ((opened.pcf & ~QUERY_VALUES.suppSeHdrPcf) !== 0n) {
    opened.wipe();
    return fail(SetParamsRc.UNSUPPORTED_PCF);
  }
  config.secrets = {
    cck: opened.cck,
    imageXtsKey: opened.imageXtsKey,
    psw: { mask: opened.psw.mask, addr: opened.psw.addr },
    pcf: opened.pcf,
    scf: opened.scf,
    encryptedPageCount: opened.header.encryptedPageCount,
    pageListDigest: opened.header.pageListDigest.slice(),
    addressListDigest: opened.header.addressListDigest.slice(),
    tweakListDigest: opened.header.tweakListDigest.slice(),
  };
  config.digests = new UnpackDigests();
  return ok();
}

export function unpackImage(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(UNP.guestHandle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  const secrets = config.secrets;
  if (secrets === undefined || config.digests === undefined || config.verified) return fail(ImageRc.NO_HEADER);
  const gaddr = cb.u64(UNP.gaddr);
  const guestPage = guestPageOf(config, gaddr);
  if (guestPage === undefined) return fail(ImageRc.BAD_ADDRESS);
  const paddr = ctx.translate(config.asce, guestPage * PAGE_SIZE);
  if (paddr === undefined || paddr < 0 || paddr % PAGE_SIZE !== 0 || paddr + PAGE_SIZE > ctx.storage.size) return fail(ImageRc.PAGE_NOT_MAPPED);
  const hostPage = paddr / PAGE_SIZE;
  if (ctx.pageOwners.has(hostPage) || config.securePages.has(guestPage)) return fail(ImageRc.PAGE_ALREADY_SECURE);
  const tweak = cb.bytes.slice(UNP.tweak0, UNP.tweak0 + 16);
  const page = ctx.storage.read(paddr, PAGE_SIZE);
  config.digests.add(page, gaddr, tweak);
  if ((secrets.pcf & PCF_NO_DECRYPTION) === 0n) {
    const plain = xtsDecrypt(secrets.imageXtsKey, tweak, page);
    ctx.storage.write(paddr, plain);
    plain.fill(0);
  }
  config.exported.delete(guestPage);
  markSecure(ctx, config, guestPage, hostPage);
  return ok();
}

export function verifyImage(ctx: UvContext, cb: ControlBlock): UvResult {
  const config = ctx.configs.get(cb.u64(NODATA.handle));
  if (config === undefined) return fail(UvRc.INV_GHANDLE);
  const secrets = config.secrets;
  if (secrets === undefined || config.digests === undefined) return fail(ImageRc.NO_HEADER);
  if (config.verified) return ok();
  const d = config.digests.digests();
  const good = d.pages === secrets.encryptedPageCount && equalBytes(d.pld, secrets.pageListDigest) && equalBytes(d.ald, secrets.addressListDigest) && equalBytes(d.tld, secrets.tweakListDigest);
  if (!good) return fail(ImageRc.VERIFY_FAILED);
  config.verified = true;
  return ok();
}
