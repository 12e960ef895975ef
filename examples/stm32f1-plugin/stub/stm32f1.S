@ Flash stub for the STM32F1 FPEC (RM0008 §3.3.3 and PM0075): CRC-32 of pages and page
@ erase + half-word programming. Thumb code in the ARMv6-M subset, so it runs on the
@ STM32F1's Cortex-M3 and on an ARMv6-M interpreter alike. Position-independent: only
@ PC-relative literals and branches. Each entry ends with `bkpt`; r0 holds the result.
@
@ Offset 0: uint32_t hash(uint32_t *out, const uint8_t *start, uint32_t pageSize, uint32_t pages)
@   CRC-32 (IEEE, reflected, poly 0xEDB88320) of each of `pages` pages from `start`,
@   one word per page to `out`. Returns 0.
@ Offset 2: uint32_t program(uint16_t *dst, const uint16_t *src, uint32_t bytes, uint32_t flags)
@   Unlocks the FPEC (FLASH_KEYR), erases the page at dst when flags bit 0 is set (PER, AR,
@   STRT), programs bytes/2 half-words (PG), locks the FPEC again and compares flash with
@   RAM. Returns the number of words that differ, plus FLASH_SR's PGERR/WRPRTERR bits << 16.
@
@ FPEC at 0x40022000: KEYR +0x04, SR +0x0C (BSY 0x01, PGERR 0x04, WRPRTERR 0x10, EOP 0x20),
@ CR +0x10 (PG 0x01, PER 0x02, STRT 0x40, LOCK 0x80), AR +0x14. Keys 0x45670123, 0xCDEF89AB.

        .syntax unified
        .cpu cortex-m0
        .thumb
        .text
        .global stub
        .type stub, %function
stub:
        b       hash
        b       program

hash:
        ldr     r7, =0xEDB88320
page:
        cmp     r3, #0
        beq     hashed
        movs    r4, #0
        mvns    r4, r4                  @ crc = 0xFFFFFFFF
        movs    r5, #0                  @ byte offset in the page
byte:
        ldrb    r6, [r1, r5]
        eors    r4, r6
        movs    r6, #8
bit:
        lsrs    r4, r4, #1              @ carry = the bit shifted out
        bcc     nopoly
        eors    r4, r7
nopoly:
        subs    r6, r6, #1
        bne     bit
        adds    r5, r5, #1
        cmp     r5, r2
        blo     byte
        mvns    r4, r4
        str     r4, [r0]
        adds    r0, r0, #4
        adds    r1, r1, r2
        subs    r3, r3, #1
        b       page
hashed:
        movs    r0, #0
        bkpt    #0

program:
        ldr     r4, =0x40022000         @ FPEC
        bl      idle
        ldr     r5, [r4, #0x10]         @ CR
        movs    r6, #0x80               @ LOCK
        tst     r5, r6
        beq     unlocked
        ldr     r5, =0x45670123         @ KEY1
        str     r5, [r4, #0x04]
        ldr     r5, =0xCDEF89AB         @ KEY2
        str     r5, [r4, #0x04]
unlocked:
        movs    r6, #0x34               @ clear EOP, WRPRTERR, PGERR (write 1)
        str     r6, [r4, #0x0c]
        lsls    r3, r3, #31             @ flags bit 0 -> Z clear when set
        beq     write
        movs    r6, #0x02               @ PER
        str     r6, [r4, #0x10]
        str     r0, [r4, #0x14]         @ AR = page address
        movs    r6, #0x42               @ PER | STRT
        str     r6, [r4, #0x10]
        bl      idle
write:
        movs    r6, #0x01               @ PG
        str     r6, [r4, #0x10]
        movs    r3, #0
copy:
        cmp     r3, r2
        bhs     copied
        ldrh    r6, [r1, r3]
        strh    r6, [r0, r3]
        bl      idle
        adds    r3, r3, #2
        b       copy
copied:
        ldr     r6, [r4, #0x0c]         @ SR: keep the error bits for the result
        movs    r5, #0x14
        ands    r5, r6
        lsls    r7, r5, #16
        movs    r6, #0x80               @ CR = LOCK
        str     r6, [r4, #0x10]
        movs    r3, #0
check:
        cmp     r3, r2
        bhs     checked
        ldr     r6, [r1, r3]
        ldr     r5, [r0, r3]
        cmp     r5, r6
        beq     same
        adds    r7, r7, #1
same:
        adds    r3, r3, #4
        b       check
checked:
        mov     r0, r7
        bkpt    #0

idle:                                   @ wait while FLASH_SR.BSY
        ldr     r6, [r4, #0x0c]
        movs    r5, #1
        tst     r6, r5
        bne     idle
        bx      lr
        .pool
        .size stub, . - stub
