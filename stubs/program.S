@ Page program stub for nRF51/nRF52 NVMC (base 0x4001E000: READY +0x400, CONFIG +0x504,
@ ERASEPAGE +0x508; CONFIG 0 = read, 1 = write, 2 = erase).
@
@   uint64_t program(uint32_t *dst, const uint32_t *src, uint32_t bytes, uint32_t next)
@
@ bytes is a multiple of 8. The page at dst must already be erased or erasing (the host or the previous call started
@ it). Waits for READY, copies bytes/4 (> 0) words from RAM to flash, each write followed
@ by a READY wait, returns to read mode and hashes the page as it now reads back
@ (murmur3x2, murmur.inc): r0 = h0, r1 = h1, so the host proves the page against its
@ own digest of the data. Then, unless next is 0xFFFFFFFF, it starts erasing the page at
@ next and halts with bkpt without waiting: the erase runs on while the host streams that
@ page's data into the other buffer. Position-independent.

        .syntax unified
        .cpu cortex-m0
        .thumb
        .include "murmur.inc"
        .text
        .global program
        .type program, %function
program:
        ldr     r4, =0x4001E400         @ NVMC.READY
        ldr     r5, =0x4001E500         @ NVMC.CONFIG at +4, ERASEPAGE at +8
        mov     r8, r3                  @ page to erase afterwards
        bl      ready                   @ the erase of dst has finished
        movs    r6, #1
        str     r6, [r5, #4]            @ CONFIG = write enable
        movs    r3, #0
copy:
        ldr     r6, [r1, r3]
        str     r6, [r0, r3]
        bl      ready
        adds    r3, r3, #4
        cmp     r3, r2
        blo     copy
        movs    r6, #0
        str     r6, [r5, #4]            @ CONFIG = read only
        mov     r1, r0
        adds    r2, r2, r0
        murmur3x2 hashword
        mov     r0, r4
        mov     r1, r5
        mov     r3, r8
        adds    r2, r3, #1              @ zero when there is no next page
        beq     done
        ldr     r5, =0x4001E500
        movs    r6, #2
        str     r6, [r5, #4]            @ CONFIG = erase enable
        str     r3, [r5, #8]            @ ERASEPAGE = next
done:
        bkpt    #0
ready:
        ldr     r6, [r4]
        cmp     r6, #0
        beq     ready
        bx      lr
        .pool
        .size program, . - program
