/*
 * Bare-metal blink for the BBC micro:bit: lights the top-left LED of the 5x5 matrix on and off.
 * Built twice from this file: with -DNRF51 for micro:bit V1 (nRF51822) and -DNRF52 for
 * micro:bit V2 (nRF52833); both as Cortex-M0 Thumb code, which the M4 of the nRF52 also runs.
 *
 * Facts used (Nordic nRF51/nRF52 reference manuals, micro:bit V1/V2 schematics):
 *   GPIO P0 at 0x50000000 on both chips (P1 of the nRF52833 at 0x50000300);
 *   registers OUTSET +0x508, OUTCLR +0x50C, DIRSET +0x518.
 *   An LED lights when its row pin is high and its column pin low.
 *   V1: ROW1 = P0.13, COL1 = P0.04 (the matrix is wired as 3 rows x 9 columns).
 *   V2: ROW1 = P0.21, COL1 = P0.28.
 */
#include <stdint.h>

#include "config.h" /* BLINK_MS: the one thing v1 and v2 change */
#include "table.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define GPIO_P0 0x50000000u
#define OUTSET 0x508u
#define OUTCLR 0x50Cu
#define DIRSET 0x518u

#if defined(NRF51)
#define ROW_PIN 13
#define COL_PIN 4
#define CPU_HZ 16000000u
#elif defined(NRF52)
#define ROW_PIN 21
#define COL_PIN 28
#define CPU_HZ 64000000u
#else
#error "define NRF51 or NRF52"
#endif

/* Application data: 28 KiB, see table.h. */
__attribute__((used)) const uint32_t app_table[28 * 256] = {
  TABLE_KIB(0) TABLE_KIB(1) TABLE_KIB(2) TABLE_KIB(3) TABLE_KIB(4) TABLE_KIB(5) TABLE_KIB(6)
  TABLE_KIB(7) TABLE_KIB(8) TABLE_KIB(9) TABLE_KIB(10) TABLE_KIB(11) TABLE_KIB(12) TABLE_KIB(13)
  TABLE_KIB(14) TABLE_KIB(15) TABLE_KIB(16) TABLE_KIB(17) TABLE_KIB(18) TABLE_KIB(19)
  TABLE_KIB(20) TABLE_KIB(21) TABLE_KIB(22) TABLE_KIB(23) TABLE_KIB(24) TABLE_KIB(25)
  TABLE_KIB(26) TABLE_KIB(27)
};

/* Written once per blink so the table is really read (a debugger can watch it). */
volatile uint32_t table_probe;

/* Roughly 4 cycles per iteration on a Cortex-M0 (SUBS 1 + taken BNE 3). */
static void delay_ms(uint32_t ms) {
  uint32_t n = ms * (CPU_HZ / 4000u);
  __asm volatile("1: subs %0, #1\n\tbne 1b" : "+l"(n));
}

__attribute__((noreturn)) void reset_handler(void) {
  uint32_t i = 0;
  REG(GPIO_P0 + OUTCLR) = 1u << COL_PIN;
  REG(GPIO_P0 + DIRSET) = (1u << ROW_PIN) | (1u << COL_PIN);
  for (;;) {
    REG(GPIO_P0 + OUTSET) = 1u << ROW_PIN;
    delay_ms(BLINK_MS);
    REG(GPIO_P0 + OUTCLR) = 1u << ROW_PIN;
    delay_ms(BLINK_MS);
    table_probe = app_table[i];
    if (++i == sizeof app_table / sizeof app_table[0]) i = 0;
  }
}

__attribute__((noreturn)) void fault_handler(void) {
  for (;;) {
  }
}

extern uint32_t _stack_top;

/* Cortex-M vector table: initial SP, reset, then NMI..SysTick (no peripheral IRQs used). */
__attribute__((section(".vectors"), used)) const void *const vectors[16] = {
  &_stack_top,   reset_handler, fault_handler, fault_handler, 0, 0, 0, 0, 0, 0, 0,
  fault_handler, 0,             0,             fault_handler, fault_handler,
};
