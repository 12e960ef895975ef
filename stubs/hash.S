@ Hash stub for ARMv6-M (Cortex-M0/M4 in Thumb): one murmur3x2 digest (murmur.inc) per
@ page, for every page of a list of descriptors, in one call.
@
@   void hash(struct { uint32_t start, size, count; } *desc, uint32_t unused,
@             uint32_t *dst, struct { uint32_t progress, chunk; } *p)
@
@ Each descriptor asks for `count` consecutive ranges of `size` bytes (a multiple of 8);
@ a descriptor with size 0 ends the list. Digests go to dst in descriptor order (h0, h1 per page). After every `chunk` pages the
@ stub shifts a one into p->progress (a thermometer: bit j set once chunk j is stored), so
@ a debugger can wait for "bit j set" inside the probe and read those digests while the
@ stub hashes the next chunk; a set bit never clears, so a slow poll cannot miss it. The
@ descriptors are consumed (start and pages advance). At the end every progress bit is
@ set (the last chunk may be short), r0 = the end of the digests, and it halts with bkpt (it never returns, so it may clobber every register).
@ Position-independent: only PC-relative literals.

        .syntax unified
        .cpu cortex-m0
        .thumb
        .include "murmur.inc"
        .text
        .global hash
        .type hash, %function
hash:
        mov     r8, r0                  @ current descriptor
        mov     r10, r2                 @ next digest
        mov     r11, r3                 @ progress word; chunk size at +4
        ldr     r0, [r3, #4]
        mov     r12, r0                 @ pages left in this chunk
desc:
        mov     r0, r8
        ldr     r3, [r0, #4]
        cmp     r3, #0                  @ size 0: the end of the list
        beq     done
page:
        mov     r0, r8
        ldr     r3, [r0, #8]            @ pages left in this descriptor
        cmp     r3, #0
        beq     nextdesc
        subs    r3, r3, #1
        str     r3, [r0, #8]
        ldr     r1, [r0, #0]            @ page start
        ldr     r2, [r0, #4]            @ page size
        adds    r2, r2, r1              @ page end
        str     r2, [r0, #0]            @ the descriptor's next page
        murmur3x2 word
        mov     r0, r10
        stmia   r0!, {r4, r5}
        mov     r10, r0
        mov     r0, r12
        subs    r0, r0, #1
        mov     r12, r0
        bne     page
        mov     r3, r11                 @ a chunk is stored: one more bit of progress
        ldr     r0, [r3, #0]
        lsls    r0, r0, #1
        adds    r0, r0, #1
        str     r0, [r3, #0]
        ldr     r0, [r3, #4]
        mov     r12, r0
        b       page
nextdesc:
        adds    r0, r0, #12
        mov     r8, r0
        b       desc
done:
        movs    r0, #0
        mvns    r0, r0
        mov     r3, r11
        str     r0, [r3, #0]            @ every chunk is stored
        mov     r0, r10
        bkpt    #0
        .pool
        .size hash, . - hash
