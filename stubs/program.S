@ Page program stub for nRF51/nRF52 NVMC (base 0x4001E000: READY +0x400, CONFIG +0x504,
@ ERASEPAGE +0x508; CONFIG 0 = read, 1 = write, 2 = erase).
@
@   uint32_t program(uint32_t *dst, const uint32_t *src, uint32_t bytes, uint32_t flags)
@
@ flags bit 0: erase the page at dst first. Copies bytes/4 words from RAM to flash, each
@ write followed by a READY wait, returns to read mode and compares flash with RAM.
@ Returns (in r0) the number of words that differ, then halts with bkpt.
@ Position-independent: only PC-relative literals and branches.

        .syntax unified
        .cpu cortex-m0
        .thumb
        .text
        .global program
        .type program, %function
program:
        ldr     r4, =0x4001E400         @ NVMC.READY
        ldr     r5, =0x4001E500         @ NVMC.CONFIG at +4, ERASEPAGE at +8
        lsls    r3, r3, #31             @ flags bit 0 -> Z clear when set
        beq     write
        movs    r6, #2
        str     r6, [r5, #4]            @ CONFIG = erase enable
        bl      ready
        str     r0, [r5, #8]            @ ERASEPAGE = page address
        bl      ready
write:
        movs    r6, #1
        str     r6, [r5, #4]            @ CONFIG = write enable
        bl      ready
        movs    r3, #0
copy:
        cmp     r3, r2
        bhs     copied
        ldr     r6, [r1, r3]
        str     r6, [r0, r3]
        bl      ready
        adds    r3, r3, #4
        b       copy
copied:
        movs    r6, #0
        str     r6, [r5, #4]            @ CONFIG = read only
        bl      ready
        movs    r7, #0                  @ words that differ
        movs    r3, #0
check:
        cmp     r3, r2
        bhs     checked
        ldr     r6, [r1, r3]
        ldr     r4, [r0, r3]
        cmp     r4, r6
        beq     same
        adds    r7, r7, #1
same:
        adds    r3, r3, #4
        b       check
checked:
        mov     r0, r7
        bkpt    #0
ready:
        ldr     r6, [r4]
        cmp     r6, #0
        beq     ready
        bx      lr
        .pool
        .size program, . - program
