/**
 * What the start of a dump tells before the rest has arrived (e.g. while a .gz is unpacked):
 * whether it is a PV dump. QEMU writes the headers and all notes first (docs/elf-core-format.md
 * §2) and gives every CPU an NT_S390_PV_CPU_DATA note exactly when it also
 * writes the PV sections (§6); the sections themselves, which zgetdump's test looks for, come
 * last. So a dump whose CPU notes carry PV CPU data is a PV dump, told from its first bytes.
 */
import { DumpFormatError } from '../errors.js';
import * as E from '@pvdump/elf';
import * as N from '../raw/notes.js';
import { notesOfSegment } from './note-segment.js';

export type DumpHeadProbe =
  /** Told from the head. */
  | { pv: boolean }
  /** The headers and notes end further in: call again once this many bytes are there. */
  | { needBytes: number }
  /** Not an s390x ELF core whose head can be read this way (the full reader says why). */
  | { unknown: true };

/** Probes the first `head.length` bytes of a dump. */
export function probeDumpHead(head: Uint8Array): DumpHeadProbe {
  if (head.length < E.EHDR_SIZE) return { needBytes: E.EHDR_SIZE };
  if (!E.isElf64BigEndian(head)) return { unknown: true };
  const h = E.decodeEhdr(head);
  if (h.machine !== E.EM_S390 || h.type !== E.ET_CORE || h.phnum === E.PN_XNUM || h.phentsize !== E.PHDR_SIZE) return { unknown: true };
  const phEnd = Number(h.phoff) + h.phnum * E.PHDR_SIZE;
  if (head.length < phEnd) return { needBytes: phEnd };
  const notes: { offset: number; size: number }[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const ph = E.decodePhdr(head, Number(h.phoff) + i * E.PHDR_SIZE);
    if (ph.type === E.PT_NOTE) notes.push({ offset: Number(ph.offset), size: Number(ph.filesz) });
  }
  const notesEnd = Math.max(0, ...notes.map((n) => n.offset + n.size));
  if (head.length < notesEnd) return { needBytes: notesEnd };
  try {
    for (const seg of notes) {
      for (const note of notesOfSegment(head.subarray(seg.offset, seg.offset + seg.size), seg.offset)) {
        if (note.type === N.NT_S390_PV_CPU_DATA && note.owner !== N.OWNER_VMCOREINFO) return { pv: true };
      }
    }
  } catch (e) {
    if (e instanceof DumpFormatError) return { unknown: true };
    throw e;
  }
  return { pv: false };
}
