/* Entry point: set up a stack in internal SRAM and run the program. */
  .section .text.start, "ax"
  .globl _start
_start:
  la sp, _stack_top
  j app_main
