// The facility list STFL and STFLE store (PoO "Facility indications"; spec s390x-cpu.md §1): bit
// n set = facility n installed, most significant bit of the first byte first.

/**
 * [E] Facilities this interpreter implements and reports by default (bit numbers, PoO
 * "Facility indications"): 0 N3, 1 z/Architecture installed, 2 active, 3 DAT enhancement 1
 * (IDTE, CSPG), 4 IDTE clears combined region and segment entries, 7 STFLE, 8 EDAT-1 (large
 * frames, region protection, PFMF, multiple-block SSKE), 10 conditional SSKE, 14 non-quiescing
 * key setting, 17 message-security assist, 18 long displacement, 19 long displacement with high
 * performance (every displacement costs the same here), 21 extended immediate, 25 store clock
 * fast, 27 move with optional specifications (MVCOS), 28 TOD-clock steering (PTFF's queries), 34 general-instructions extension, 35 execute extensions, 45 distinct operands / high
 * word / interlocked access 1 / load-store-on-condition 1 / population count, 49 execution hint /
 * load and trap / miscellaneous-instruction extensions / processor assist, 52 interlocked access 2
 * (NI, OI, XI and their Y forms are interlocked: one CPU runs at a time), 53
 * load-store-on-condition 2 / load and zero rightmost byte, 57 message-security-assist
 * extension 5 (PRNO), 58 miscellaneous-instruction-extensions 2 (MSRKC, MGRK, AGH, BIC, …),
 * 61 miscellaneous-instruction-extensions 3 (SELR, NCRK, MVCRL, POPCNT's M3, …), 66 RRBM, 76
 * and 77 message-security-assist extensions 3 (PCKMO) and 4 (KMF, KMO, PCC, KMCTR), 78 EDAT-2 (2 GiB frames), 129 vector, 130 instruction-execution
 * protection, 133 guarded storage (LGG, LLGFSG, LGSC, STGSC and the guarded-storage event), 139 multiple epoch (the TOD
 * epoch index, the SIE epoch extension, clock-comparator sign control), 135 vector-enhancements 1 and 148 vector-enhancements 2 (their integer, string,
 * load/store and floating-point instructions). The message-security instructions install only their query functions
 * (`isa/crypto/message-security-assist.ts`).
 */
export const FACILITY_BITS: readonly number[] = [0, 1, 2, 3, 4, 7, 8, 10, 14, 17, 18, 19, 21, 25, 27, 28, 34, 35, 45, 49, 52, 53, 57, 58, 61, 66, 76, 77, 78, 129, 130, 133, 135, 139, 148];
/**
 * The configuration-topology facility: PTF is the CPU's (`isa/control/topology.ts`), the topology
 * it reports is the hypervisor's, so a host that serves it adds the bit to its guests' list.
 */
export const CONFIGURATION_TOPOLOGY_FACILITY = 11;
/** The TOD-clock-steering facility: PERFORM TIMING FACILITY FUNCTION (`isa/control/timing-facility.ts`). */
export const TOD_CLOCK_STEERING_FACILITY = 28;
/** The multiple-epoch facility: the TOD epoch index, the SIE epoch extension, clock-comparator sign control. */
export const MULTIPLE_EPOCH_FACILITY = 139;
/** Doublewords of the facility list STFLE stores (bits 0–191). */
export const FACILITY_DOUBLEWORDS = 3;

/** The list of `bits` as STFLE stores it; a bit beyond the list is refused. */
export function facilityListBytes(bits: readonly number[] = FACILITY_BITS): Uint8Array {
  const out = new Uint8Array(FACILITY_DOUBLEWORDS * 8);
  for (const bit of bits) {
    if (!Number.isInteger(bit) || bit < 0 || bit >= FACILITY_DOUBLEWORDS * 64) throw new RangeError(`facility ${bit} is outside the ${FACILITY_DOUBLEWORDS * 64}-bit facility list`);
    out[bit >>> 3] = out[bit >>> 3]! | (0x80 >>> (bit & 7));
  }
  return out;
}
