/**
 * Splits a PT_NOTE segment into its notes (docs/elf-core-format.md §5): a 12-byte header
 * (namesz, descsz, type, big-endian), the owner name and the descriptor, each padded to 4 bytes.
 * Every length is checked against the segment before anything is sliced.
 */
import { DumpFormatError, hx } from '../errors.js';
import type { RawNote } from '../model.js';
import * as E from '@pvdump/elf';

/** Longest owner name accepted (real ones are "CORE", "LINUX", "VMCOREINFO"). */
const MAX_NAME_BYTES = 256;

/** The notes of `seg`, which starts at file offset `base`, in order. */
export function* notesOfSegment(seg: Uint8Array, base: number): Generator<RawNote & { offset: number }> {
  const size = seg.length;
  let p = 0;
  while (p < size) {
    const at = base + p;
    if (size - p < E.NOTE_HEADER_SIZE) {
      throw new DumpFormatError('bad-note', `PT_NOTE segment ends with ${size - p} stray bytes, too few for a 12-byte note header`, at);
    }
    const { namesz, descsz, type } = E.decodeNoteHeader(seg, p);
    const nameEnd = p + E.NOTE_HEADER_SIZE + E.pad4(namesz);
    const descEnd = nameEnd + E.pad4(descsz);
    if (namesz > MAX_NAME_BYTES || nameEnd > size || descsz > size || descEnd > size) {
      throw new DumpFormatError('bad-note', `note (namesz ${namesz}, descsz ${descsz}, type ${hx(type)}) overruns its PT_NOTE segment, which ends at ${hx(base + size)}: corrupt note header`, at);
    }
    const nameBytes = seg.subarray(p + E.NOTE_HEADER_SIZE, p + E.NOTE_HEADER_SIZE + namesz);
    const nul = nameBytes.indexOf(0);
    const owner = new TextDecoder().decode(nul >= 0 ? nameBytes.subarray(0, nul) : nameBytes);
    yield { owner, type, desc: seg.slice(nameEnd, nameEnd + descsz), offset: at };
    p = descEnd;
  }
}
