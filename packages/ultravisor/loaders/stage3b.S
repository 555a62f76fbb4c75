# stage3b: the secure loader of a Secure Execution boot image (layout in
# ../src/image/genprotimg-layout.ts and the package README).
#
# The secure CPU starts here, in 64-bit mode, at the SE header's PSW once the Ultravisor has
# unpacked and verified the components. The argument block filling the last 64 bytes of this
# page says where the kernel, command line and initrd were unpacked and which PSW starts the
# kernel. This loader
#   1. moves the kernel image without its first 64 KiB to 0x10000 (the image is for absolute 0;
#      the move goes down, so the overlap is harmless);
#   2. copies the NUL-terminated command line to 0x10480, if it fits the size the kernel
#      declares at 0x10430 (896 bytes when that is 0);
#   3. stores the initrd's address and size at 0x10408 and 0x10410 (it stays where it is);
#   4. loads the kernel PSW.
# A kernel shorter than 64 KiB or a command line that is too long or not NUL-terminated is the
# disabled wait 0x4511.
#
# Registers: r10 argument block; r4/r5 and r6/r7 the MVCLE destination and source pairs.

	.set	KERNEL_LOAD_ADDRESS, 0x10000
	.set	INITRD_START, 0x10408
	.set	MAX_COMMAND_LINE_SIZE, 0x10430
	.set	COMMAND_LINE, 0x10480
	.set	LEGACY_COMMAND_LINE_SIZE, 896
	.set	ARGS_SIZE, 64

	.text
	.globl	_start
_start:
	larl	%r10, args
	lg	%r7, 8(%r10)			# kernel size
	clgfi	%r7, KERNEL_LOAD_ADDRESS
	jl	bad_arguments
	slgfi	%r7, KERNEL_LOAD_ADDRESS
	lg	%r6, 0(%r10)
	algfi	%r6, KERNEL_LOAD_ADDRESS	# source: the kernel image from its 64 KiB on
	llilf	%r4, KERNEL_LOAD_ADDRESS
	lgr	%r5, %r7
0:	mvcle	%r4, %r6, 0
	jo	0b

	lg	%r7, 24(%r10)			# command line size, its NUL included
	ltgr	%r7, %r7
	jz	initrd
	llilf	%r1, MAX_COMMAND_LINE_SIZE
	lg	%r1, 0(%r1)
	ltgr	%r1, %r1
	jnz	1f
	lghi	%r1, LEGACY_COMMAND_LINE_SIZE
1:	clgr	%r7, %r1
	jh	bad_arguments
	lg	%r6, 16(%r10)
	llgc	%r0, -1(%r7,%r6)		# the last byte must be the NUL
	ltgr	%r0, %r0
	jnz	bad_arguments
	llilf	%r4, COMMAND_LINE
	lgr	%r5, %r7
2:	mvcle	%r4, %r6, 0
	jo	2b

initrd:
	lg	%r1, 40(%r10)			# initrd size
	ltgr	%r1, %r1
	jz	start_kernel
	llilf	%r2, INITRD_START
	mvc	0(8,%r2), 32(%r10)
	stg	%r1, 8(%r2)
start_kernel:
	lpswe	48(%r10)
bad_arguments:
	larl	%r1, wait_bad_arguments
	lpswe	0(%r1)

	.balign	8
wait_bad_arguments:
	.quad	0x0002000180000000, 0x4511
# Filled in by the image builder: {address, size} of the kernel, the command line and the
# initrd, then the kernel's PSW (mask, address). The last 64 bytes of the page.
	.org	0x1000 - ARGS_SIZE
args:
	.fill	ARGS_SIZE, 1, 0
