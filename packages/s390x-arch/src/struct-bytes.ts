/**
 * Everything in storage is big-endian, s390x's native order (docs/README.md "Byte order"): a
 * fixed-size structure (a UV control block, a KVM uapi struct as s390x user space lays it out) is
 * read and written field by field at byte offsets, through this one accessor.
 */

/** A fixed-size big-endian structure held in bytes; the setters wrap values to the field width. */
export class StructBytes {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  static zeroed(size: number): StructBytes {
    return new StructBytes(new Uint8Array(size));
  }
  u8(off: number): number {
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    return this.view.getUint16(off);
  }
  u32(off: number): number {
    return this.view.getUint32(off);
  }
  u64(off: number): bigint {
    return this.view.getBigUint64(off);
  }
  setU8(off: number, v: number): this {
    this.view.setUint8(off, v);
    return this;
  }
  setU16(off: number, v: number): this {
    this.view.setUint16(off, v);
    return this;
  }
  setU32(off: number, v: number): this {
    this.view.setUint32(off, v >>> 0);
    return this;
  }
  setU64(off: number, v: bigint): this {
    this.view.setBigUint64(off, BigInt.asUintN(64, v));
    return this;
  }
}
