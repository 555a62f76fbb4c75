/* tinyfp: see tinyfp.h. */
#include "tinyfp.h"

unsigned fpc_get(void) {
  unsigned v;
  __asm__ volatile("efpc %0" : "=d"(v));
  return v;
}

void fpc_set(unsigned fpc) { __asm__ volatile("sfpc %0" : : "d"(fpc)); }

void fp_setround(int mode) { fpc_set((fpc_get() & ~7u) | ((unsigned)mode & 3u)); }

unsigned fp_flags(void) { return (fpc_get() >> 16) & 0xf8; }

void fp_clearflags(void) { fpc_set(fpc_get() & ~0x00ff0000u); }

double sqrt(double x) {
  double r;
  __asm__ volatile("sqdbr %0,%1" : "=f"(r) : "f"(x));
  return r;
}

float sqrtf(float x) {
  float r;
  __asm__ volatile("sqebr %0,%1" : "=f"(r) : "f"(x));
  return r;
}

long double sqrtl(long double x) {
  long double r;
  __asm__ volatile("sqxbr %0,%1" : "=f"(r) : "f"(x));
  return r;
}

/* Rounds in the current FPC mode (CGDBR with M3 = 0). */
long lrint(double x) {
  long r;
  __asm__ volatile("cgdbr %0,0,%1" : "=d"(r) : "f"(x) : "cc");
  return r;
}

/* v in scientific notation with `digits` digits after the point, computed with double
 * arithmetic (scaling by powers of ten, then one digit at a time). */
void putdouble(double v, int digits) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  if (bits >> 63) putch('-');
  v = __builtin_fabs(v);
  if (((bits >> 52) & 0x7ff) == 0x7ff) {
    putstr((bits & 0xfffffffffffffUL) != 0 ? "nan" : "inf");
    return;
  }
  int exp10 = 0;
  if (v != 0) {
    while (v >= 1e16) {
      v /= 1e16;
      exp10 += 16;
    }
    while (v >= 10) {
      v /= 10;
      exp10++;
    }
    while (v < 1e-16) {
      v *= 1e16;
      exp10 -= 16;
    }
    while (v < 1) {
      v *= 10;
      exp10--;
    }
  }
  int d = (int)v;
  putch((char)('0' + d));
  putch('.');
  for (int i = 0; i < digits; i++) {
    v = (v - d) * 10;
    d = (int)v;
    if (d > 9) d = 9;
    if (d < 0) d = 0;
    putch((char)('0' + d));
  }
  putch('e');
  putdec(exp10);
}

void putbits64(double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  puthex(bits, 16);
}

void putbits32(float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  puthex(bits, 8);
}

void putbits128(long double v) {
  uint64_t bits[2];
  memcpy(bits, &v, sizeof bits);
  puthex(bits[0], 16);
  puthex(bits[1], 16);
}
