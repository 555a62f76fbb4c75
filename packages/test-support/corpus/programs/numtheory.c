/* Number theory: GCD (Euclid and binary), extended Euclid, Collatz lengths, integer square roots,
 * digit sums and perfect numbers, mixing conditional moves, shifts and divisions. */
#include "../libc/tinylibc.h"

static unsigned long gcd(unsigned long a, unsigned long b) {
  while (b) {
    unsigned long t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static unsigned long binary_gcd(unsigned long a, unsigned long b) {
  if (!a) return b;
  if (!b) return a;
  int shift = __builtin_ctzl(a | b);
  a >>= __builtin_ctzl(a);
  do {
    b >>= __builtin_ctzl(b);
    if (a > b) {
      unsigned long t = a;
      a = b;
      b = t;
    }
    b -= a;
  } while (b);
  return a << shift;
}

static long ext_gcd(long a, long b, long *x, long *y) {
  if (b == 0) {
    *x = 1;
    *y = 0;
    return a;
  }
  long x1, y1;
  long g = ext_gcd(b, a % b, &x1, &y1);
  *x = y1;
  *y = x1 - (a / b) * y1;
  return g;
}

static int collatz(unsigned long n) {
  int steps = 0;
  while (n != 1) {
    n = (n & 1) ? 3 * n + 1 : n / 2;
    steps++;
  }
  return steps;
}

static unsigned long isqrt(unsigned long n) {
  unsigned long x = n, y = (x >> 1) + (x & 1);
  while (y < x) {
    x = y;
    y = (x + n / x) / 2;
  }
  return x;
}

static int max3(int a, int b, int c) {
  int m = a > b ? a : b;
  return m > c ? m : c;
}

int main(void) {
  unsigned long g = 0;
  for (unsigned long i = 1; i < 300; i++) g += gcd(i * 12345, 6789 * (i + 3)) + binary_gcd(i * 1001, i * i + 77);
  putstr("gcd sum: ");
  putudec(g);
  long x, y;
  long d = ext_gcd(240, 46, &x, &y);
  putstr("\next_gcd(240,46) = ");
  putdec(d);
  putch(' ');
  putdec(x);
  putch(' ');
  putdec(y);
  int best = 0;
  unsigned long arg = 0;
  for (unsigned long n = 1; n < 30000; n++) {
    int c = collatz(n);
    if (c > best) {
      best = c;
      arg = n;
    }
  }
  putstr("\ncollatz: ");
  putudec(arg);
  putch(' ');
  putdec(best);
  putstr("\nisqrt: ");
  putudec(isqrt(1000000007UL * 1000000007UL));
  putch(' ');
  putudec(isqrt(0xFFFFFFFFFFFFFFFFUL));
  putstr("\nperfect:");
  for (unsigned n = 2; n < 10000; n++) {
    unsigned s = 1;
    for (unsigned k = 2; k * k <= n; k++)
      if (n % k == 0) s += k + (k * k != n ? n / k : 0);
    if (s == n) {
      putch(' ');
      putudec(n);
    }
  }
  int m = 0;
  for (int i = -50; i < 50; i++) m += max3(i * 7 % 13, -i * 3 % 11, i / 5);
  putstr("\nmax3 sum: ");
  putdec(m);
  putch('\n');
  return 0;
}
