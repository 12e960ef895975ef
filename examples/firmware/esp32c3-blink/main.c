/*
 * Bare-metal blink for the ESP32-C3, started by the ESP-IDF second-stage bootloader as an app
 * (it maps the flash segments, then jumps to _start). Toggles one GPIO through the GPIO matrix.
 *
 * Facts used (ESP32-C3 Technical Reference Manual, register summaries):
 *   GPIO at 0x60004000: OUT_W1TS +0x08, OUT_W1TC +0x0C, ENABLE_W1TS +0x24,
 *     FUNCn_OUT_SEL_CFG +0x554 + 4n (signal 128 = plain GPIO output);
 *   IO_MUX at 0x60009000: GPIOn register +0x04 + 4n, MCU_SEL bits 14:12 (function 1 = GPIO);
 *   RTC_CNTL at 0x60008000: WDTCONFIG0 +0x90 (WDT_EN bit 31), WDTWPROTECT +0xA8, key 0x50D83AA1.
 */
#include <stdint.h>

#include "config.h" /* BLINK_MS: the one thing v1 and v2 change */
#include "table.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define GPIO 0x60004000u
#define GPIO_OUT_W1TS (GPIO + 0x08u)
#define GPIO_OUT_W1TC (GPIO + 0x0Cu)
#define GPIO_ENABLE_W1TS (GPIO + 0x24u)
#define GPIO_FUNC_OUT_SEL(n) (GPIO + 0x554u + 4u * (n))
#define IO_MUX_GPIO(n) (0x60009000u + 0x04u + 4u * (n))
#define RTC_WDTCONFIG0 0x60008090u
#define RTC_WDTWPROTECT 0x600080A8u
#define RTC_WDT_KEY 0x50D83AA1u

/* GPIO8 drives the on-board LED of many small ESP32-C3 boards. */
#define LED_GPIO 8u
/* Approximate: the ESP-IDF second-stage bootloader leaves the CPU at 80 MHz, and the loop
   below takes about 2 cycles per iteration. */
#define LOOPS_PER_MS 40000u

/* Application data: 32 KiB in flash-mapped DROM, see table.h. */
__attribute__((used)) const uint32_t app_table[32 * 256] = {
  TABLE_KIB(0) TABLE_KIB(1) TABLE_KIB(2) TABLE_KIB(3) TABLE_KIB(4) TABLE_KIB(5) TABLE_KIB(6)
  TABLE_KIB(7) TABLE_KIB(8) TABLE_KIB(9) TABLE_KIB(10) TABLE_KIB(11) TABLE_KIB(12) TABLE_KIB(13)
  TABLE_KIB(14) TABLE_KIB(15) TABLE_KIB(16) TABLE_KIB(17) TABLE_KIB(18) TABLE_KIB(19)
  TABLE_KIB(20) TABLE_KIB(21) TABLE_KIB(22) TABLE_KIB(23) TABLE_KIB(24) TABLE_KIB(25)
  TABLE_KIB(26) TABLE_KIB(27) TABLE_KIB(28) TABLE_KIB(29) TABLE_KIB(30) TABLE_KIB(31)
};

/* Written once per blink so the table is really read (a debugger can watch it). */
volatile uint32_t table_probe;

static void delay_ms(uint32_t ms) {
  uint32_t n = ms * LOOPS_PER_MS;
  __asm volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
}

__attribute__((noreturn)) void app_main(void) {
  uint32_t i = 0;
  /* The bootloader leaves the RTC watchdog running; this program never feeds it. */
  REG(RTC_WDTWPROTECT) = RTC_WDT_KEY;
  REG(RTC_WDTCONFIG0) &= ~(1u << 31);
  REG(RTC_WDTWPROTECT) = 0;

  REG(IO_MUX_GPIO(LED_GPIO)) = (REG(IO_MUX_GPIO(LED_GPIO)) & ~(7u << 12)) | (1u << 12);
  REG(GPIO_FUNC_OUT_SEL(LED_GPIO)) = 128u;
  REG(GPIO_ENABLE_W1TS) = 1u << LED_GPIO;
  for (;;) {
    REG(GPIO_OUT_W1TS) = 1u << LED_GPIO;
    delay_ms(BLINK_MS);
    REG(GPIO_OUT_W1TC) = 1u << LED_GPIO;
    delay_ms(BLINK_MS);
    table_probe = app_table[i];
    if (++i == sizeof app_table / sizeof app_table[0]) i = 0;
  }
}
