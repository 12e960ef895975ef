/* Entry point: set up a stack in internal SRAM and run the program. */
  .file "start.S" /* otherwise the symbol table names a random temporary file */
  .section .text.start, "ax"
  .globl _start
_start:
  la sp, _stack_top
  j app_main
