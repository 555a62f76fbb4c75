/* Sieve of Eratosthenes over bytes and over a bitmap; prints counts and the last primes. */
#include "../libc/tinylibc.h"

int main(void) {
  static unsigned char is_comp[100001];
  static unsigned long bits[(1 << 20) / 64 + 1];
  const int n = 100000;
  for (int i = 2; (long)i * i <= n; i++)
    if (!is_comp[i])
      for (int j = i * i; j <= n; j += i) is_comp[j] = 1;
  int count = 0;
  for (int i = 2; i <= n; i++) count += !is_comp[i];
  putstr("primes <= 100000: ");
  putdec(count);
  putstr("\nlast: ");
  for (int i = n, k = 0; i > 1 && k < 5; i--)
    if (!is_comp[i]) {
      putdec(i);
      putch(' ');
      k++;
    }
  const unsigned long m = 1 << 20;
  for (unsigned long i = 3; i * i < m; i += 2)
    if (!(bits[i >> 6] >> (i & 63) & 1))
      for (unsigned long j = i * i; j < m; j += 2 * i) bits[j >> 6] |= 1UL << (j & 63);
  unsigned long c2 = 1;
  for (unsigned long i = 3; i < m; i += 2) c2 += !(bits[i >> 6] >> (i & 63) & 1);
  putstr("\nprimes < 2^20: ");
  putudec(c2);
  putch('\n');
  return 0;
}
