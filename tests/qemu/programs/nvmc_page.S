@ NVMC check: erase the nRF51 page at r0, program r1 and r2 into its first two words with
@ CPU stores, return to read mode, halt. NVMC base 0x4001E000: CONFIG +0x504 (1 write,
@ 2 erase), ERASEPAGE +0x508 (nRF51 reference manual; QEMU's nrf51_nvm implements them).
        .syntax unified
        .cpu cortex-m0
        .thumb
        .text
        .global nvmc_page
nvmc_page:
        ldr     r4, =0x4001E000
        ldr     r6, =0x504
        movs    r5, #2
        str     r5, [r4, r6]            @ CONFIG = erase enable
        ldr     r7, =0x508
        str     r0, [r4, r7]            @ ERASEPAGE = r0
        movs    r5, #1
        str     r5, [r4, r6]            @ CONFIG = write enable
        str     r1, [r0]
        str     r2, [r0, #4]
        movs    r5, #0
        str     r5, [r4, r6]            @ CONFIG = read only
        bkpt    #42
        .pool
