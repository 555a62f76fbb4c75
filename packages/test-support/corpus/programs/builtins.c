/* Variadic functions (a printf with va_list), alloca, and the compiler builtins ordinary C reaches
 * for: byte swaps, leading/trailing zeros, population count, parity, overflow-checked arithmetic,
 * 128-bit shifts and rotates, and C11 atomics (interlocked-access instructions, CS/CSG). */
#include "../libc/tinylibc.h"

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)

static void print(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') {
      putch(*p);
      continue;
    }
    switch (*++p) {
      case 'd': putdec(va_arg(ap, int)); break;
      case 'l': putdec(va_arg(ap, long)); break;
      case 'u': putudec(va_arg(ap, unsigned long)); break;
      case 'x': puthex(va_arg(ap, unsigned long), 16); break;
      case 's': putstr(va_arg(ap, const char *)); break;
      case 'c': putch((char)va_arg(ap, int)); break;
      default: putch(*p); break;
    }
  }
  va_end(ap);
}

static long sum_all(int n, ...) {
  va_list ap;
  va_start(ap, n);
  long s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, long) * (i + 1);
  va_end(ap);
  return s;
}

static unsigned long scratch_sum(int n) {
  unsigned char *buf = __builtin_alloca((unsigned long)n);
  for (int i = 0; i < n; i++) buf[i] = (unsigned char)(i * 7 + n);
  unsigned long s = 0;
  for (int i = 0; i < n; i++) s = s * 31 + buf[i];
  return s;
}

int main(void) {
  unsigned long v = 0x0123456789abcdefUL;
  print("bswap64 %x bswap32 %x bswap16 %x\n", __builtin_bswap64(v), (unsigned long)__builtin_bswap32((unsigned)v), (unsigned long)__builtin_bswap16((unsigned short)v));
  for (int i = 0; i < 64; i += 9) {
    unsigned long x = v >> i | 1UL << (63 - i);
    print("i=%d clz=%d ctz=%d pop=%d parity=%d\n", i, __builtin_clzl(x), __builtin_ctzl(x >> 3 | 8), __builtin_popcountl(x), __builtin_parityl(x));
  }
  long r;
  int ovf = __builtin_add_overflow(0x7fffffffffffff00L, 0x1000L, &r);
  print("add overflow %d %l\n", ovf, r);
  ovf = __builtin_mul_overflow(0x100000000L, 0x80000000L, &r);
  print("mul overflow %d %l\n", ovf, r);
  unsigned long ur;
  ovf = __builtin_sub_overflow(5UL, 7UL, &ur);
  print("sub overflow %d %u\n", ovf, ur);
  int small;
  ovf = __builtin_mul_overflow(46341, 46341, &small);
  print("int mul overflow %d %d\n", ovf, small);
  unsigned __int128 w = ((unsigned __int128)v << 64) | ~v;
  for (int s = 1; s < 128; s += 37) {
    unsigned __int128 l = w << s, rr = w >> s, rot = (w << s) | (w >> (128 - s));
    print("s=%d %x%x %x%x %x%x\n", s, (unsigned long)(l >> 64), (unsigned long)l, (unsigned long)(rr >> 64), (unsigned long)rr, (unsigned long)(rot >> 64), (unsigned long)rot);
  }
  print("sum_all %l\n", sum_all(6, 1L, -2L, 3L, 40000000000L, -5L, 6L));
  print("alloca %u %u\n", scratch_sum(10), scratch_sum(1000));
  static long counter;
  static int bits;
  for (int i = 0; i < 100; i++) {
    __atomic_fetch_add(&counter, i, __ATOMIC_SEQ_CST);
    __atomic_fetch_or(&bits, 1 << (i % 31), __ATOMIC_RELAXED);
    __atomic_fetch_xor(&bits, i, __ATOMIC_ACQ_REL);
    __atomic_fetch_and(&bits, ~(1 << (i % 7)), __ATOMIC_SEQ_CST);
  }
  long expected = 4950;
  int swapped = __atomic_compare_exchange_n(&counter, &expected, 7, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  int again = __atomic_compare_exchange_n(&counter, &expected, 9, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  print("atomics %l %d %d %d %l\n", counter, bits, swapped, again, expected);
  print("chars %c%c%c %s\n", 'o', 'k', '!', "done");
  return 0;
}
