/* Multi-precision arithmetic on 64-bit limbs with 128-bit intermediates: factorial of 60,
 * powers of 3 and a modular exponentiation, printed in hex and decimal. */
#include "../libc/tinylibc.h"

#define LIMBS 8

static void mul_small(unsigned long *a, unsigned long m) {
  unsigned long carry = 0;
  for (int i = 0; i < LIMBS; i++) {
    unsigned __int128 p = (unsigned __int128)a[i] * m + carry;
    a[i] = (unsigned long)p;
    carry = (unsigned long)(p >> 64);
  }
}

static unsigned long div_small(unsigned long *a, unsigned long d) {
  unsigned __int128 rem = 0;
  for (int i = LIMBS - 1; i >= 0; i--) {
    unsigned __int128 cur = (rem << 64) | a[i];
    a[i] = (unsigned long)(cur / d);
    rem = cur % d;
  }
  return (unsigned long)rem;
}

static int is_zero(const unsigned long *a) {
  for (int i = 0; i < LIMBS; i++)
    if (a[i]) return 0;
  return 1;
}

static void print_dec(const unsigned long *a) {
  unsigned long t[LIMBS];
  char digits[200];
  int n = 0;
  memcpy(t, a, sizeof t);
  do digits[n++] = (char)('0' + div_small(t, 10));
  while (!is_zero(t));
  while (n) putch(digits[--n]);
}

static unsigned long mulmod(unsigned long a, unsigned long b, unsigned long m) {
  return (unsigned long)((unsigned __int128)a * b % m);
}

static unsigned long powmod(unsigned long b, unsigned long e, unsigned long m) {
  unsigned long r = 1;
  b %= m;
  while (e) {
    if (e & 1) r = mulmod(r, b, m);
    b = mulmod(b, b, m);
    e >>= 1;
  }
  return r;
}

int main(void) {
  unsigned long f[LIMBS] = {1};
  for (unsigned long i = 2; i <= 60; i++) mul_small(f, i);
  putstr("60! = ");
  print_dec(f);
  putstr("\nhex = ");
  for (int i = LIMBS - 1; i >= 0; i--) puthex(f[i], 16);
  unsigned long p[LIMBS] = {1};
  for (int i = 0; i < 200; i++) mul_small(p, 3);
  putstr("\n3^200 = ");
  print_dec(p);
  const unsigned long prime = 0xFFFFFFFFFFFFFFC5UL;
  putstr("\n2^(p-1) mod p = ");
  putudec(powmod(2, prime - 1, prime));
  putstr("\n7^12345 mod p = ");
  putudec(powmod(7, 12345, prime));
  long sa = -0x123456789ABCL;
  __int128 sq = (__int128)sa * sa * 3;
  putstr("\nsigned 128: ");
  puthex((unsigned long)(sq >> 64), 16);
  puthex((unsigned long)sq, 16);
  putch('\n');
  return 0;
}
