/*
 * The application descriptor (esp_app_desc_t, 256 bytes) the ESP-IDF bootloader and esptool
 * look for at the start of the first flash-mapped data segment. Field offsets per ESP-IDF
 * `esp_app_format.h`: magic 0x00, secure_version 0x04, version 0x10, project_name 0x30,
 * time 0x50, date 0x60, idf_ver 0x70, app_elf_sha256 0x90 (filled in by the image converter),
 * min/max_efuse_blk_rev_full 0xB0/0xB2, mmu_page_size (log2) 0xB4. Time and date stay empty
 * so that builds are reproducible; the eFuse block revision limits stay 0 ("not set"), so the
 * bootloader does not check them.
 */
#include <stdint.h>

struct app_desc {
  uint32_t magic;
  uint32_t secure_version;
  uint32_t reserved1[2];
  char version[32];
  char project_name[32];
  char time[16];
  char date[16];
  char idf_ver[32];
  uint8_t app_elf_sha256[32];
  uint16_t min_efuse_blk_rev_full;
  uint16_t max_efuse_blk_rev_full;
  uint8_t mmu_page_size;
  uint8_t reserved3[3];
  uint32_t reserved2[18];
};

_Static_assert(sizeof(struct app_desc) == 256, "esp_app_desc_t is 256 bytes");

__attribute__((section(".flash.appdesc"), used)) const struct app_desc app_desc = {
  .magic = 0xABCD5432u,
  .version = "1.0",
  .project_name = "esp32c3-blink",
  .idf_ver = "bare-metal",
  .mmu_page_size = 16, /* 64 KiB */
};
