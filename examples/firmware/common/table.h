/*
 * A constant table generated entirely by the preprocessor: TABLE_WORDS pseudo-random words.
 * It stands in for the fonts, strings and lookup tables real firmware carries, so that the
 * image spans many flash blocks while the program itself stays a few hundred bytes.
 *
 * The value of word i is a fixed mix of i (two odd multipliers and a shift), so the table is
 * identical in every build and every block of it is different from every other block.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdint.h>

#define TABLE_MIX(i) \
  ((uint32_t)((uint32_t)(i) * 0x9E3779B1u) ^ (uint32_t)(((uint32_t)(i) * 0x85EBCA77u) >> 13))
#define TABLE_1(i) TABLE_MIX(i),
#define TABLE_4(i) TABLE_1(i) TABLE_1((i) + 1) TABLE_1((i) + 2) TABLE_1((i) + 3)
#define TABLE_16(i) TABLE_4(i) TABLE_4((i) + 4) TABLE_4((i) + 8) TABLE_4((i) + 12)
#define TABLE_64(i) TABLE_16(i) TABLE_16((i) + 16) TABLE_16((i) + 32) TABLE_16((i) + 48)
#define TABLE_256(i) TABLE_64(i) TABLE_64((i) + 64) TABLE_64((i) + 128) TABLE_64((i) + 192)
/* 1 KiB of table per TABLE_256 (256 words). */
#define TABLE_KIB(k) TABLE_256((k) * 256)

#endif
