/* Process entry for the corpus: Linux hands us r15 -> argc, argv[], NULL, envp[], NULL, auxv.
 * Call main(argc, argv) with a 160-byte register save area, then exit_group(main's result). */
    .text
    .globl _start
    .type _start, @function
_start:
    lgr   %r1, %r15
    lg    %r2, 0(%r1)          /* argc */
    la    %r3, 8(%r1)          /* argv */
    aghi  %r15, -160
    xc    0(8,%r15), 0(%r15)   /* back chain = 0 */
    brasl %r14, main
    lgfr  %r2, %r2             /* flush buffered output, then exit_group(status) */
    brasl %r14, sys_exit
    j     .
    .size _start, .-_start
    .section .note.GNU-stack,"",@progbits
