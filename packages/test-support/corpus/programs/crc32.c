/* CRC-32 (IEEE 802.3, reflected 0xEDB88320) bitwise and table-driven, plus CRC-32C and Adler-32. */
#include "../libc/tinylibc.h"

static uint32_t table[256];

static void make_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static uint32_t crc32_table(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  while (n--) c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static uint32_t crc_bitwise(const uint8_t *p, size_t n, uint32_t poly) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (poly & (0u - (c & 1)));
  }
  return ~c;
}

static uint32_t adler32(const uint8_t *p, size_t n) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; i++) {
    a = (a + p[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

int main(void) {
  static uint8_t buf[5000];
  const char *check = "123456789";
  make_table();
  for (int i = 0; i < 5000; i++) buf[i] = (uint8_t)(i * 31 + (i >> 3));
  putstr("crc32(\"123456789\") = ");
  puthex(crc32_table((const uint8_t *)check, 9), 8);
  putstr("\ncrc32c(\"123456789\") = ");
  puthex(crc_bitwise((const uint8_t *)check, 9, 0x82F63B78u), 8);
  putstr("\ncrc32(buf) = ");
  puthex(crc32_table(buf, 5000), 8);
  putstr(" bitwise ");
  puthex(crc_bitwise(buf, 5000, 0xEDB88320u), 8);
  putstr("\nadler32(buf) = ");
  puthex(adler32(buf, 5000), 8);
  putch('\n');
  return crc32_table((const uint8_t *)check, 9) == 0xCBF43926u ? 0 : 1;
}
