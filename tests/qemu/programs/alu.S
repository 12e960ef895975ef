@ Instruction coverage: data processing and flags. r0 = output buffer (11456 bytes).
@ For each a of an 8-value table: immediate shifts, extends, reverses and immediate forms;
@ for each pair (a, b): register forms. Each record is the result word, then APSR (mrs).
        .syntax unified
        .cpu cortex-m0
        .thumb
        .text
        .global alu

        .macro rec reg
        str     \reg, [r0]
        mrs     r7, APSR
        str     r7, [r0, #4]
        add     r0, r8                  @ r8 = 8; high-register ADD leaves the flags alone
        .endm
        .macro clc                      @ C = 0
        movs    r7, #0
        adds    r7, r7, r7
        .endm
        .macro sec                      @ C = 1
        movs    r7, #0
        cmp     r7, r7
        .endm

alu:
        movs    r7, #8
        mov     r8, r7
        movs    r7, #32
        mov     r11, r7                 @ table size in bytes
        movs    r7, #0
        mov     r9, r7                  @ a index * 4
outer:
        adr     r1, table
        mov     r7, r9
        ldr     r2, [r1, r7]
        lsls    r4, r2, #1
        rec     r4
        lsls    r4, r2, #31
        rec     r4
        lsrs    r4, r2, #1
        rec     r4
        lsrs    r4, r2, #32
        rec     r4
        asrs    r4, r2, #1
        rec     r4
        asrs    r4, r2, #32
        rec     r4
        rev     r4, r2
        rec     r4
        rev16   r4, r2
        rec     r4
        revsh   r4, r2
        rec     r4
        sxtb    r4, r2
        rec     r4
        sxth    r4, r2
        rec     r4
        uxtb    r4, r2
        rec     r4
        uxth    r4, r2
        rec     r4
        adds    r4, r2, #7
        rec     r4
        subs    r4, r2, #7
        rec     r4
        mov     r4, r2
        adds    r4, #255
        rec     r4
        mov     r4, r2
        subs    r4, #255
        rec     r4
        cmp     r2, #0x80
        rec     r2
        movs    r4, r2
        rec     r4
        movs    r7, #0
        mov     r10, r7                 @ b index * 4
inner:
        adr     r1, table
        mov     r7, r9
        ldr     r2, [r1, r7]
        mov     r7, r10
        ldr     r3, [r1, r7]
        adds    r4, r2, r3
        rec     r4
        clc
        mov     r4, r2
        adcs    r4, r3
        rec     r4
        sec
        mov     r4, r2
        adcs    r4, r3
        rec     r4
        subs    r4, r2, r3
        rec     r4
        clc
        mov     r4, r2
        sbcs    r4, r3
        rec     r4
        sec
        mov     r4, r2
        sbcs    r4, r3
        rec     r4
        rsbs    r4, r3, #0
        rec     r4
        cmp     r2, r3
        rec     r2
        cmn     r2, r3
        rec     r2
        mov     r4, r2
        ands    r4, r3
        rec     r4
        mov     r4, r2
        orrs    r4, r3
        rec     r4
        mov     r4, r2
        eors    r4, r3
        rec     r4
        mov     r4, r2
        bics    r4, r3
        rec     r4
        mvns    r4, r3
        rec     r4
        tst     r2, r3
        rec     r2
        mov     r4, r2
        lsls    r4, r3
        rec     r4
        mov     r4, r2
        lsrs    r4, r3
        rec     r4
        mov     r4, r2
        asrs    r4, r3
        rec     r4
        mov     r4, r2
        rors    r4, r3
        rec     r4
        mov     r4, r2
        muls    r4, r3, r4
        rec     r4
        mov     r7, r10
        adds    r7, #4
        mov     r10, r7
        cmp     r7, r11
        beq     next_a
        b       inner
next_a:
        mov     r7, r9
        adds    r7, #4
        mov     r9, r7
        cmp     r7, r11
        beq     done
        b       outer
done:
        bkpt    #0
        .align  2
table:
        .word   0, 1, 0x21, 0x7fffffff, 0x80000000, 0xffffffff, 0x9abcde1f, 0x12345620
