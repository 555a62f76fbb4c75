/* Arithmetic in every integer width with overflow wrap-around, sign and zero extension,
 * comparisons of mixed signedness and 32/64-bit multiply-high. */
#include "../libc/tinylibc.h"

static volatile long sink;

int main(void) {
  unsigned long h = 0;
  for (long i = -300; i < 300; i += 7) {
    signed char c = (signed char)(i * 3);
    unsigned char uc = (unsigned char)(i * 5);
    short s = (short)(i * 1111);
    unsigned short us = (unsigned short)(i * 2222);
    int w = (int)(i * 123456789);
    unsigned uw = (unsigned)(i * 987654321);
    long l = i * 0x123456789L;
    unsigned long ul = (unsigned long)l * 0x9E3779B97F4A7C15UL;
    h = h * 131 + (unsigned long)(long)c + uc + (unsigned long)(long)s + us;
    h = h * 131 + (unsigned long)(long)w + uw + (unsigned long)l + ul;
    h += (unsigned long)(c < uc) + (unsigned long)(w < 0) * 2 + (unsigned long)(uw > 0x80000000u) * 4;
    h += (unsigned long)((long)w * (long)uw >> 32) + (unsigned long)(((unsigned long)uw * uw) >> 32);
    h ^= (unsigned long)((unsigned __int128)ul * ul >> 64);
    h += (unsigned long)(s * c) - (unsigned long)(us * uc);
    h += (unsigned long)(w + (int)uw) + (unsigned long)(-l) + (unsigned long)(l < 0 ? -l : l);
    sink = l;
  }
  putstr("h = ");
  puthex(h, 16);
  putch('\n');
  int x = 0x7FFFFFFF;
  unsigned long wrapped = (unsigned)(x + 1u);
  putstr("wrap32 = ");
  puthex(wrapped, 8);
  putstr("\nsext = ");
  puthex((unsigned long)(long)(int)0x80000001u, 16);
  putstr("\nzext = ");
  puthex((unsigned long)(unsigned)-5, 16);
  putch('\n');
  return 0;
}
