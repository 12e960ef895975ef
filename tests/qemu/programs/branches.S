@ Instruction coverage: every condition code after cmp for each pair of an 8-value table
@ (one bit mask word per pair), then bl, bx, blx and mov pc. r0 = output buffer.
        .syntax unified
        .cpu cortex-m0
        .thumb
        .text
        .global branches

        .macro cnd c, n
        cmp     r2, r3
        b\c     1f
        b       2f
1:      movs    r5, #1
        lsls    r5, r5, #\n
        orrs    r4, r5
2:
        .endm

branches:
        movs    r7, #32
        mov     r11, r7
        movs    r7, #0
        mov     r9, r7
outer:
        movs    r7, #0
        mov     r10, r7
inner:
        adr     r1, table
        mov     r7, r9
        ldr     r2, [r1, r7]
        mov     r7, r10
        ldr     r3, [r1, r7]
        movs    r4, #0
        cnd     eq, 0
        cnd     ne, 1
        cnd     cs, 2
        cnd     cc, 3
        cnd     mi, 4
        cnd     pl, 5
        cnd     vs, 6
        cnd     vc, 7
        cnd     hi, 8
        cnd     ls, 9
        cnd     ge, 10
        cnd     lt, 11
        cnd     gt, 12
        cnd     le, 13
        stmia   r0!, {r4}
        mov     r7, r10
        adds    r7, #4
        mov     r10, r7
        cmp     r7, r11
        bne     inner
        mov     r7, r9
        adds    r7, #4
        mov     r9, r7
        cmp     r7, r11
        bne     outer
        movs    r6, #0
        bl      add1
        bl      add1
        adr     r5, add1
        adds    r5, #1
        blx     r5
        mov     r3, lr
        adr     r5, there
        adds    r5, #1
        mov     pc, r5
        movs    r6, #99
        .align  2
there:
        stmia   r0!, {r3, r6}
        bkpt    #0
        .align  2
add1:
        adds    r6, #1
        bx      lr
        .align  2
table:
        .word   0, 1, 0x21, 0x7fffffff, 0x80000000, 0xffffffff, 0x9abcde1f, 0x12345620
