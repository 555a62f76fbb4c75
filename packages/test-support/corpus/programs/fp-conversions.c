/* Conversions between integers (signed and unsigned, 32 and 64 bits) and float, double and long
 * double in both directions, between the three formats, and C's truncating casts at the edges of
 * every range; each result printed as its exact bit pattern. */
#include "../libc/tinyfp.h"

static volatile long ints[] = {0, 1, -1, 7, -7, 16777217, -16777217, 2147483647, -2147483647 - 1, 9007199254740993L,
                               -9007199254740993L, 0x7fffffffffffffffL, -0x7fffffffffffffffL - 1, 123456789012345678L};
static volatile unsigned long uints[] = {0, 1, 0xffffffffUL, 0x80000000UL, 0xffffffffffffffffUL, 0x8000000000000000UL, 0x20000000000001UL,
                                         0xfffffffffffff800UL};
static volatile double doubles[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, 2147483647.5, -2147483648.5,
                                    4294967295.75, 9.2233720368547748e18, -9.2233720368547758e18, 1.8446744073709550e19, 1e-310,
                                    3.4028235677973366e38, 3.4028236e38, 1.1754942e-38, 1.4e-45, 7.0e-46, 123456.789};

static void line(const char *what) {
  putstr(what);
  putch(' ');
}

int main(void) {
  for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    long v = ints[i];
    line("int");
    putdec(v);
    putch(' ');
    putbits32((float)v);
    putch(' ');
    putbits64((double)v);
    putch(' ');
    putbits128((long double)v);
    putch(' ');
    putbits64((double)(int)v);
    putch('\n');
  }
  for (unsigned i = 0; i < sizeof uints / sizeof uints[0]; i++) {
    unsigned long v = uints[i];
    line("uint");
    putudec(v);
    putch(' ');
    putbits32((float)v);
    putch(' ');
    putbits64((double)v);
    putch(' ');
    putbits128((long double)v);
    putch(' ');
    putbits32((float)(unsigned)v);
    putch('\n');
  }
  for (unsigned i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
    double d = doubles[i];
    line("double");
    putbits64(d);
    putch(' ');
    putbits32((float)d);
    putch(' ');
    putbits128((long double)d);
    putch(' ');
    putbits64((double)(float)d);
    putch(' ');
    /* Casts to integers only where C defines them (in range after truncation). */
    if (d > -2147483649.0 && d < 2147483648.0) putdec((int)d);
    else putstr("-");
    putch(' ');
    if (d > -1.0 && d < 18446744073709551616.0) putudec((unsigned long)d);
    else putstr("-");
    putch(' ');
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) putdec((long)d);
    else putstr("-");
    putch(' ');
    long double l = (long double)d * 3.0L;
    putbits128(l);
    putch(' ');
    putbits64((double)l);
    putch(' ');
    putbits32((float)l);
    putch('\n');
  }
  /* Rounding a long double through every narrower format and back. */
  long double third = 1.0L / 3.0L;
  line("third");
  putbits128(third);
  putch(' ');
  putbits64((double)third);
  putch(' ');
  putbits32((float)third);
  putch(' ');
  putbits128((long double)(double)third - third);
  putch('\n');
  flush();
  return 0;
}
