/* long double (IEEE binary128 on s390x) arithmetic: e and pi from series, a square-root Newton
 * iteration against SQXBR, harmonic sums compared with double, and a Kahan-summed series. */
#include "../libc/tinyfp.h"

static long double e_series(void) {
  long double sum = 1, term = 1;
  for (int k = 1; k < 40; k++) {
    term /= k;
    sum += term;
  }
  return sum;
}

/* Machin: pi = 16 atan(1/5) - 4 atan(1/239). */
static long double atan_inv(int x) {
  long double x2 = (long double)x * x, power = 1.0L / x, sum = 0;
  for (int k = 0; k < 60; k++) {
    long double term = power / (2 * k + 1);
    sum += (k & 1) ? -term : term;
    power /= x2;
  }
  return sum;
}

static long double newton_sqrt(long double a) {
  long double x = a > 1 ? a : 1;
  for (int i = 0; i < 200; i++) {
    long double next = (x + a / x) / 2;
    if (next == x) break;
    x = next;
  }
  return x;
}

int main(void) {
  long double e = e_series();
  long double pi = 16 * atan_inv(5) - 4 * atan_inv(239);
  putstr("e      ");
  putbits128(e);
  putch(' ');
  putdouble((double)e, 15);
  putstr("\npi     ");
  putbits128(pi);
  putch(' ');
  putdouble((double)pi, 15);
  putch('\n');
  for (int n = 2; n <= 7; n++) {
    long double a = (long double)n;
    putstr("sqrt ");
    putdec(n);
    putch(' ');
    putbits128(sqrtl(a));
    putch(' ');
    putbits128(newton_sqrt(a));
    putch(' ');
    putdec(sqrtl(a) == newton_sqrt(a));
    putch('\n');
  }
  long double hl = 0;
  double hd = 0;
  float hf = 0;
  for (int k = 1; k <= 20000; k++) {
    hl += 1.0L / k;
    hd += 1.0 / k;
    hf += 1.0f / k;
  }
  putstr("harmonic ");
  putbits128(hl);
  putch(' ');
  putbits64(hd);
  putch(' ');
  putbits32(hf);
  putch('\n');
  /* Kahan summation of 1/k^2 in double, compared with the long double sum. */
  double sum = 0, c = 0;
  long double ref = 0;
  for (int k = 1; k <= 10000; k++) {
    double y = 1.0 / ((double)k * k) - c;
    double t = sum + y;
    c = (t - sum) - y;
    sum = t;
    ref += 1.0L / ((long double)k * k);
  }
  putstr("basel ");
  putbits64(sum);
  putch(' ');
  putbits128(ref);
  putch(' ');
  putbits64((double)ref);
  putch('\n');
  long double big = 1.0e4900L, small = 1.0e-4950L;
  putstr("range ");
  putbits128(big * 10);
  putch(' ');
  putbits128(small / 10);
  putch(' ');
  putbits128(big * big);
  putch('\n');
  flush();
  return 0;
}
