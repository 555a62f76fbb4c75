/* Bit manipulation: population count, leading/trailing zeros, rotates, bit reversal, bit fields,
 * byte swaps and masks in 8/16/32/64-bit widths. */
#include "../libc/tinylibc.h"

struct flags {
  unsigned a : 3;
  unsigned b : 5;
  unsigned c : 11;
  signed d : 7;
  unsigned long e : 38;
};

static int popcount64(unsigned long x) {
  int n = 0;
  while (x) {
    x &= x - 1;
    n++;
  }
  return n;
}

static int clz64(unsigned long x) {
  if (x == 0) return 64;
  int n = 0;
  while (!(x & (1UL << 63))) {
    x <<= 1;
    n++;
  }
  return n;
}

static unsigned long rotl64(unsigned long x, int r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }
static unsigned rotr32(unsigned x, int r) { return (x >> (r & 31)) | (x << ((32 - r) & 31)); }

static unsigned long bitrev64(unsigned long x) {
  unsigned long r = 0;
  for (int i = 0; i < 64; i++) r |= ((x >> i) & 1) << (63 - i);
  return r;
}

static unsigned bswap32(unsigned x) { return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24); }

int main(void) {
  unsigned long v = 0x0123456789ABCDEFUL;
  unsigned long acc = 0;
  for (int i = 0; i < 70; i++) {
    unsigned long x = v * (unsigned long)(i + 1) ^ (v >> (i % 64));
    acc += (unsigned long)popcount64(x) + (unsigned long)clz64(x >> (i % 64)) * 3;
    acc ^= rotl64(x, i) + rotr32((unsigned)x, i);
    acc += bitrev64(x) >> 7;
    acc += bswap32((unsigned)(x >> 16));
    acc += (unsigned long)__builtin_popcountl(x) + (unsigned long)(x ? __builtin_ctzl(x) : 0);
    unsigned short h = (unsigned short)x;
    signed char sc = (signed char)(x >> 8);
    acc += (unsigned long)(h >> 3) + (unsigned long)(long)(sc >> 2) + (unsigned long)(long)((int)x >> 13);
  }
  struct flags f = {0, 0, 0, 0, 0};
  for (int i = 0; i < 40; i++) {
    f.a += (unsigned)i;
    f.b ^= (unsigned)i * 3;
    f.c += (unsigned)i * 77;
    f.d = (signed)(f.d - i);
    f.e = f.e * 5 + (unsigned long)i;
    acc = acc * 3 + f.a + f.b + f.c + (unsigned long)(long)f.d + f.e;
  }
  putstr("acc = ");
  puthex(acc, 16);
  putstr("\nfields = ");
  putudec(f.a); putch(' ');
  putudec(f.b); putch(' ');
  putudec(f.c); putch(' ');
  putdec(f.d); putch(' ');
  putudec(f.e);
  putstr("\nclz/pop = ");
  putdec(clz64(0x00F0000000000000UL)); putch(' ');
  putdec(popcount64(0xFFFF0000FFFF0001UL)); putch(' ');
  puthex(bitrev64(1), 16); putch(' ');
  puthex(bswap32(0x11223344u), 8);
  putch('\n');
  return 0;
}
