/*
 * The demo guest of `pnpm demo` (scripts/demo.mjs): a bare-metal s390x guest for 2 CPUs, made to
 * be booted protected (Secure Execution) by `pvdump run`, to write a secret into its memory and
 * to crash, so that its dump has something to hide and something to show.
 *
 * It is linked at 0x20000 (demo-guest.ld): a Secure Execution kernel image is loaded from 0x10000
 * on (its first 64 KiB never are), so the guest sets the lowcore's new PSWs itself, and the
 * 64 KiB from 0x10000 are its data area.
 *
 * CPU 0: sets the restart-new and program-new PSWs, prints a line on the SCLP console (from a page it shares with the host: the console is
 *        the host's), starts CPU 1 with SIGP RESTART and waits for its flag, copies the secret
 *        text to absolute 0x10000, sets recognisable registers, prints again (never the secret)
 *        and divides by zero. The program-new PSW is a disabled wait at 0xdead: the VMM sees a
 *        guest panic. The lowcore keeps the program-old PSW (0x150) and the interruption code
 *        (0x8e: 0x0009, fixed-point divide).
 * CPU 1: enters at the restart-new PSW, writes its marker text to 0x10100, sets its own
 *        registers (r7 = 0xc1c1...), raises its flag at 0x10180 and waits, enabled, for an
 *        interruption that never comes.
 *
 * The printing uses the Ultravisor's Set Shared Access call, which only a protected guest has.
 * build.sh assembles and links it with binutils (s390x-linux-gnu-as, -ld); demo-guest.elf beside
 * it is that build.
 */
    .section .head, "ax"
    .globl _start
_start:
    larl  %r1, new_psws
    mvc   0x1a0(16,%r0), 0(%r1)         /* restart-new PSW: where CPU 1 starts */
    mvc   0x1d0(16,%r0), 16(%r1)        /* program-new PSW: a crash is a disabled wait at 0xdead */
    /* Share the console page with the host (touch it first, so that it is a secure page). */
    lgfi  %r9, 0x8000
    mvi   0(%r9), 0
    larl  %r2, share_uvcb
    .insn rrf,0xb9a40000,0,2,0,0        /* UVC Set Shared Access */
    larl  %r2, hello
    lghi  %r3, hello_end - hello
    brasl %r14, print

    /* Start CPU 1 and wait (bounded) for its flag. */
    lghi  %r3, 1
    sigp  %r4, %r3, 6                   /* SIGP RESTART */
    lgfi  %r5, 10000000
wait_cpu1:
    cliy  0x10180(%r0), 1
    je    cpu1_up
    brctg %r5, wait_cpu1
cpu1_up:
    /* The secret: copied into guest memory, where only a decrypted dump shows it. */
    larl  %r1, secret
    lgfi  %r2, 0x10000
    mvc   0(secret_end - secret,%r2), 0(%r1)
    larl  %r2, crashing
    lghi  %r3, crashing_end - crashing
    brasl %r14, print
    lgfi  %r2, 0x10000                  /* r2: where the secret is */
    lghi  %r3, secret_end - secret      /* r3: its length */
    llihf %r7, 0xc0c0c0c0               /* r7: CPU 0's mark */
    iilf  %r7, 0xc0c0c0c0
    lghi  %r8, 0
    lghi  %r9, 0
    lghi  %r10, 42                      /* 42 / 0 */
    dlgr  %r8, %r9                      /* fixed-point divide exception: the crash */
    j     .

cpu1_start:
    larl  %r1, marker
    lgfi  %r2, 0x10100                  /* r2: where CPU 1's marker is */
    mvc   0(marker_end - marker,%r2), 0(%r1)
    llihf %r7, 0xc1c1c1c1               /* r7: CPU 1's mark */
    iilf  %r7, 0xc1c1c1c1
    mviy  0x10180(%r0), 1              /* the flag CPU 0 waits for */
    larl  %r1, idle_psw
    lpswe 0(%r1)

/* print: writes r3 bytes of text at r2 to the SCLP console (VT220 event) through the SCCB at
 * 0x8000; clobbers r0, r1, r4, r5. */
print:
    lgfi  %r1, 0x8000
    xc    0(256,%r1), 0(%r1)
    lgr   %r4, %r3
    aghi  %r4, 6
    sth   %r4, 8(%r1)                   /* event length */
    mvi   10(%r1), 0x1a                 /* VT220 message */
    aghi  %r4, 8
    sth   %r4, 0(%r1)                   /* SCCB length */
    lgr   %r5, %r3
    aghi  %r5, -1
    exrl  %r5, copy_text
    llilf %r0, 0x00760005               /* WRITE EVENT DATA */
    .insn rre,0xb2200000,0,1            /* SERVC */
    br    %r14
copy_text:
    mvc   14(1,%r1), 0(%r2)

    .align 8
new_psws:
    .quad 0x0000000180000000, cpu1_start
    .quad 0x0002000180000000, 0x000000000000dead
idle_psw:
    .quad 0x0102000180000000, 0         /* enabled wait, external interruptions on */
share_uvcb:
    .short 0x30, 0x1000, 0, 0           /* UVC 0x1000: Set Shared Access, 48 bytes */
    .quad 0, 0, 0
    .quad 0x8000                        /* the page to share */
    .quad 0
    .balign 2                           /* LARL addresses halfwords */
hello:
    .ascii "demo guest: CPU 0 is running protected; starting CPU 1\n"
hello_end:
    .balign 2
crashing:
    .ascii "demo guest: CPU 1 is up; a secret is in memory; CPU 0 now divides by zero\n"
crashing_end:
    .balign 2
secret:
    .ascii "PVDUMP-DEMO-SECRET: the vault code is 7-3-1-9"
secret_end:
    .balign 2
marker:
    .ascii "CPU 1 was here"
marker_end:
