/*
 * A bare-metal s390x guest that stays alive doing nothing: it loads known values into r2..r4
 * and enters an enabled wait (external interrupts enabled, none ever pending), so a VMM keeps it
 * "running" without spinning a host CPU. The program-new PSW (lowcore 0x1d0) is a disabled wait
 * at 0xdead, so any program exception becomes a guest panic.
 * Built by build.sh with s390x-linux-gnu-gcc; idle-guest.elf beside it is that build.
 */
    .section .head, "ax"
    .org 0x1d0                      /* program new PSW: disabled wait, addr 0xdead */
    .quad 0x0002000180000000, 0x000000000000dead
    .org 0x200
    .globl _start
_start:
    lghi  %r2, 0x222
    lghi  %r3, 0x333
    lghi  %r4, 0x444
    lpswe idlepsw
    .align 8
idlepsw: .quad 0x0102000180000000, 0x0000000000000600   /* EXT enabled, wait, 64-bit */
