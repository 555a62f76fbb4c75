// CHANNEL SUBSYSTEM CALL's command-request and command-response blocks (PoO 14 "CHANNEL
// SUBSYSTEM CALL"; the commands' formats as QEMU 7.2 and Linux use them): a request header
// {length, command code} and its parameters, the response right after the request {length,
// response code} and its data. Response codes: 0x0001 done, 0x0003 request-block error, 0x0004
// command not installed, 0x0007 invalid format, 0x0008 invalid CSSID.
// Offered: 0x0010 store channel-subsystem characteristics.

export const ChscResponse = { OK: 0x0001, REQUEST_ERROR: 0x0003, NOT_INSTALLED: 0x0004, INVALID_FORMAT: 0x0007, INVALID_CSSID: 0x0008 } as const;
export const CHSC_STORE_CSS_CHARACTERISTICS = 0x0010;

const SCSC_REQUEST_LENGTH = 16;
const SCSC_RESPONSE_LENGTH = 4080;
const SCSC_FORMAT = 0x000f0000;
const SCSC_CSSID = 0x0000ff00;
const SCSC_RESERVED = 0xdff000ff;
/** General characteristics (510 words) then CHSC characteristics (508 words) after the 8-byte response header. */
const GENERAL_CHARACTERISTICS_BYTES = 510 * 4;

/**
 * [E] The general characteristics report only what this channel subsystem does: bit 48, the
 * extended measurement block (format-1 blocks). QEMU 7.2 also reports bits 6, 7, 45 (MCSS-E), 46,
 * 47, 51 and 108, and CHSC characteristics 1 and 109, for commands and facilities not offered here.
 */
const GENERAL_CHARACTERISTIC_BITS = [48];
const CHSC_CHARACTERISTIC_BITS: number[] = [];

/** The response to the request in `block` (the 4 KiB command block from its start); `length` is the request's. */
export function chscResponse(block: Uint8Array, length: number): Uint8Array {
  const req = new DataView(block.buffer, block.byteOffset, block.length);
  const command = req.getUint16(2);
  if (command === CHSC_STORE_CSS_CHARACTERISTICS) return storeCharacteristics(req, length);
  return shortResponse(ChscResponse.NOT_INSTALLED);
}

function shortResponse(code: number): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint16(0, 8);
  v.setUint16(2, code);
  return out;
}

function storeCharacteristics(req: DataView, length: number): Uint8Array {
  if (length !== SCSC_REQUEST_LENGTH) return shortResponse(ChscResponse.REQUEST_ERROR);
  const param0 = req.getUint32(4);
  if ((param0 & SCSC_FORMAT) !== 0) return shortResponse(ChscResponse.INVALID_FORMAT);
  // Only CSSID 0 exists (no MCSS-E): another one, with or without the M bit (0x20000000), is invalid.
  if ((param0 & SCSC_CSSID) !== 0) return shortResponse(ChscResponse.INVALID_CSSID);
  if ((param0 & SCSC_RESERVED) !== 0 || req.getUint32(8) !== 0 || req.getUint32(12) !== 0) return shortResponse(ChscResponse.REQUEST_ERROR);
  const out = new Uint8Array(SCSC_RESPONSE_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint16(0, SCSC_RESPONSE_LENGTH);
  v.setUint16(2, ChscResponse.OK);
  setBits(out, 8, GENERAL_CHARACTERISTIC_BITS);
  setBits(out, 8 + GENERAL_CHARACTERISTICS_BYTES, CHSC_CHARACTERISTIC_BITS);
  return out;
}

/** Sets bits numbered from the leftmost of the field at `offset`. */
function setBits(out: Uint8Array, offset: number, bits: readonly number[]): void {
  for (const b of bits) out[offset + (b >> 3)]! |= 0x80 >> (b & 7);
}
