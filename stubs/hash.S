@ Page hash stub for ARMv6-M (Cortex-M0/M4 in Thumb): the dual murmur3 body of
@ plugins/hash/murmur3x2.ts, one 64-bit result per page.
@
@   void hash(uint32_t *dst, const uint32_t *flash, uint32_t pageSize, uint32_t numPages)
@
@ For each page: h0 = 0x2F9BE6CC, h1 = 0x1EC3A6C8; for each little-endian word k:
@ k *= 0xCC9E2D51; k = rotl(k, 15); k *= 0x1B873593; then for h in h0, h1:
@ h ^= k; h = rotl(h, 13); h = h * 5 + 0xE6546B64. No tail, no finaliser.
@ Stores h0, h1 at dst[2i], dst[2i+1], then halts with bkpt (it never returns, so it
@ may clobber every register). Position-independent: only PC-relative literals.

        .syntax unified
        .cpu cortex-m0
        .thumb
        .text
        .global hash
        .type hash, %function
hash:
        mov     r8, r2                  @ page size in bytes (a multiple of 4, > 0)
        mov     r9, r3                  @ pages left
        cmp     r3, #0
        beq     done
page:
        ldr     r4, =0x2F9BE6CC         @ h0
        ldr     r5, =0x1EC3A6C8         @ h1
        mov     r2, r8
        adds    r2, r2, r1              @ end of this page
word:
        ldmia   r1!, {r6}               @ k
        ldr     r3, =0xCC9E2D51
        muls    r6, r3, r6
        movs    r7, #17
        rors    r6, r6, r7              @ rotl 15
        ldr     r3, =0x1B873593
        muls    r6, r3, r6
        ldr     r3, =0xE6546B64
        movs    r7, #19
        eors    r4, r4, r6
        rors    r4, r4, r7              @ rotl 13
        eors    r5, r5, r6
        rors    r5, r5, r7
        movs    r7, #5
        muls    r4, r7, r4
        muls    r5, r7, r5
        adds    r4, r4, r3
        adds    r5, r5, r3
        cmp     r1, r2
        bne     word
        stmia   r0!, {r4, r5}
        mov     r3, r9
        subs    r3, r3, #1
        mov     r9, r3
        bne     page
done:
        bkpt    #0
        .pool
        .size hash, . - hash
