# stage3a: the non-secure first loader of a Secure Execution boot image (the image layout is
# described in ../src/image/genprotimg-layout.ts and the package README).
#
# The machine loads the image at absolute 0 and starts here, at 0x10000, from the short IPL PSW
# at 0. This loader
#   1. completes the PV IPL parameter block: the SE header's address (which only the loaded
#      image knows) and its size, from the trailer at its own end;
#   2. checks with STFLE that facility 161 (Secure Execution unpack) is installed, else it
#      enters the disabled wait 0x4607;
#   3. hands the block to DIAGNOSE 0x308 subcode 8 (set the IPL parameter block: R1 = its
#      address, R1+1 = 0 in and the response code out) and asks for subcode 10 (re-IPL in
#      protected mode). Each must answer 0x0001; subcode 10 does not come back when it
#      succeeds. Any other outcome is the disabled wait 0x4608, the response code in R3.
#
# Registers: r10 trailer, r11 IPL parameter block, r2/r3 the DIAGNOSE 0x308 pair, r4 subcode.

	.set	IPLB_SE_HEADER_ADDRESS, 120
	.set	IPLB_SE_HEADER_LENGTH, 128
	.set	DIAG308_SET_PV, 8
	.set	DIAG308_UNPACK_PV, 10
	.set	DIAG308_RC_OK, 1
	.set	FACILITY_UNPACK_BYTE, 161 / 8
	.set	FACILITY_UNPACK_MASK, 0x80 >> (161 % 8)

	.text
	.globl	_start
_start:
	sam64
	larl	%r10, trailer
	lgr	%r11, %r10
	ag	%r11, 16(%r10)			# IPL parameter block = trailer + its offset
	lgr	%r1, %r10
	ag	%r1, 0(%r10)			# SE header = trailer + its offset
	stg	%r1, IPLB_SE_HEADER_ADDRESS(%r11)
	mvc	IPLB_SE_HEADER_LENGTH(8,%r11), 8(%r10)

	larl	%r1, facilities
	lghi	%r0, 2				# three doublewords: facilities 0-191
	stfle	0(%r1)
	tm	FACILITY_UNPACK_BYTE(%r1), FACILITY_UNPACK_MASK
	jz	no_unpack_facility

	lgr	%r2, %r11
	lghi	%r3, 0
	lghi	%r4, DIAG308_SET_PV
	diag	%r2, %r4, 0x308
	cghi	%r3, DIAG308_RC_OK
	jne	protected_boot_failed
	lghi	%r2, 0
	lghi	%r3, 0
	lghi	%r4, DIAG308_UNPACK_PV
	diag	%r2, %r4, 0x308
protected_boot_failed:
	larl	%r1, wait_pv_failed
	lpswe	0(%r1)
no_unpack_facility:
	larl	%r1, wait_no_unpack
	lpswe	0(%r1)

	.balign	8
wait_no_unpack:
	.quad	0x0002000180000000, 0x4607
wait_pv_failed:
	.quad	0x0002000180000000, 0x4608
facilities:
	.fill	3, 8, 0
# Filled in by the image builder, relative to this trailer's address: SE header offset,
# SE header size, IPL parameter block offset. It ends the loader.
trailer:
	.quad	0, 0, 0
