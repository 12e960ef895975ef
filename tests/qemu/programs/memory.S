@ Instruction coverage: loads and stores of every width and addressing form, load/store
@ multiple, stack. r0 = output buffer, r1 = 64-byte data area, sp = stack top.
@ Each record is a register value and APSR.
        .syntax unified
        .cpu cortex-m0
        .thumb
        .text
        .global memory

        .macro rec reg
        str     \reg, [r0]
        mrs     r7, APSR
        str     r7, [r0, #4]
        add     r0, r8
        .endm

memory:
        movs    r7, #8
        mov     r8, r7
        ldr     r2, [r1]
        rec     r2
        ldr     r2, [r1, #4]
        rec     r2
        ldrh    r2, [r1, #2]
        rec     r2
        ldrh    r2, [r1, #6]
        rec     r2
        ldrb    r2, [r1, #3]
        rec     r2
        ldrb    r2, [r1, #31]
        rec     r2
        movs    r3, #5
        ldrsb   r2, [r1, r3]
        rec     r2
        movs    r3, #6
        ldrsh   r2, [r1, r3]
        rec     r2
        movs    r3, #14
        ldrsh   r2, [r1, r3]
        rec     r2
        movs    r3, #13
        ldrsb   r2, [r1, r3]
        rec     r2
        movs    r3, #8
        ldr     r2, [r1, r3]
        rec     r2
        ldrh    r2, [r1, r3]
        rec     r2
        ldrb    r2, [r1, r3]
        rec     r2
        ldr     r2, =0xcafef00d
        rec     r2
        ldr     r4, =0x89abcdef
        str     r4, [r1, #32]
        strh    r4, [r1, #38]
        strb    r4, [r1, #29]
        movs    r3, #44
        str     r4, [r1, r3]
        movs    r3, #50
        strh    r4, [r1, r3]
        movs    r3, #55
        strb    r4, [r1, r3]
        mov     r6, r1
        ldmia   r6!, {r2, r3, r4, r5}
        rec     r6
        stmia   r0!, {r2, r3, r4, r5}
        adds    r6, #16
        stmia   r6!, {r2, r5}
        rec     r6
        ldmia   r6, {r2, r3, r6}
        rec     r6
        push    {r2, r3, r4, r5, lr}
        mov     r6, sp
        rec     r6
        ldr     r6, [sp, #4]
        rec     r6
        str     r2, [sp, #8]
        pop     {r2, r3, r4}
        rec     r4
        sub     sp, #16
        add     r6, sp, #12
        rec     r6
        add     sp, #24
        mov     r6, sp
        rec     r6
        adr     r6, lit
        ldr     r6, [r6]
        rec     r6
        mov     r2, sp
        subs    r2, #64
        mov     sp, r2
        ldr     r6, [sp, #60]
        rec     r6
        bkpt    #0
        .pool
        .align  2
lit:
        .word   0x5eed1e55
