/* 64-bit and 32-bit division and remainder, signed and unsigned, with edge cases, plus
 * 128-bit products and a long-division-by-hand cross check. */
#include "../libc/tinylibc.h"

static unsigned long slow_udiv(unsigned long n, unsigned long d, unsigned long *rem) {
  unsigned long q = 0, r = 0;
  for (int i = 63; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) {
      r -= d;
      q |= 1UL << i;
    }
  }
  *rem = r;
  return q;
}

int main(void) {
  static const long nums[] = {0, 1, -1, 7, -7, 100, -100, 1000000007L, -999999999999L, 0x7FFFFFFFFFFFFFFFL, -0x7FFFFFFFFFFFFFFFL - 1, 0x123456789ABCDEFL};
  static const long dens[] = {1, -1, 2, -2, 3, 7, -7, 10, 65536, -1000000007L, 0x100000000L, 0x7FFFFFFFFFFFFFFFL};
  unsigned long acc = 0;
  int mismatches = 0;
  for (unsigned i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    for (unsigned j = 0; j < sizeof dens / sizeof dens[0]; j++) {
      long n = nums[i], d = dens[j];
      if (n == -0x7FFFFFFFFFFFFFFFL - 1 && d == -1) continue;
      long q = n / d, r = n % d;
      unsigned long uq = (unsigned long)n / (unsigned long)d, ur = (unsigned long)n % (unsigned long)d;
      int n32 = (int)n, d32 = (int)d;
      unsigned un32 = (unsigned)n, ud32 = (unsigned)d;
      if (d32 != 0 && !(n32 == -2147483647 - 1 && d32 == -1)) acc = acc * 31 + (unsigned long)(n32 / d32) + (unsigned long)(n32 % d32);
      if (ud32 != 0) acc = acc * 31 + un32 / ud32 + un32 % ud32;
      unsigned long sr;
      unsigned long sq = slow_udiv((unsigned long)n, (unsigned long)d, &sr);
      mismatches += sq != uq || sr != ur;
      mismatches += q * d + r != n;
      acc = acc * 31 + (unsigned long)q + (unsigned long)r + uq + ur;
      putdec(n);
      putstr(" / ");
      putdec(d);
      putstr(" = ");
      putdec(q);
      putstr(" r ");
      putdec(r);
      putstr("; unsigned ");
      putudec(uq);
      putstr(" r ");
      putudec(ur);
      putch('\n');
    }
  }
  unsigned __int128 p = (unsigned __int128)0xFFFFFFFFFFFFFFFFUL * 0xFFFFFFFFFFFFFFFEUL;
  __int128 sp = (__int128)(-0x123456789L) * 0x7EDCBA987654321L;
  putstr("u128 product: ");
  puthex((unsigned long)(p >> 64), 16);
  puthex((unsigned long)p, 16);
  putstr("\ns128 product: ");
  puthex((unsigned long)((unsigned __int128)sp >> 64), 16);
  puthex((unsigned long)sp, 16);
  putstr("\nacc: ");
  puthex(acc, 16);
  putstr("\nmismatches: ");
  putdec(mismatches);
  putch('\n');
  return mismatches;
}
