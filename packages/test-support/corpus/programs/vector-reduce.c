/* Loops gcc's auto-vectoriser turns into vector integer code at -O2/-O3: sums, minima, maxima,
 * counts and dot products over int8/16/32/64 arrays (signed and unsigned), with lengths that
 * leave remainders for the scalar epilogue. */
#include "../libc/tinylibc.h"

#define N 1003

static int8_t s8[N];
static uint8_t u8[N];
static int16_t s16[N];
static uint16_t u16[N];
static int32_t s32[N];
static uint32_t u32[N];
static int64_t s64[N];
static uint64_t u64[N];

static uint32_t seed = 12345;
static uint32_t next(void) {
  seed = seed * 1103515245u + 12345u;
  return seed >> 7;
}

#define REDUCERS(T, NAME)                                                   \
  static __attribute__((noinline)) long sum_##NAME(const T *a, int n) {     \
    long s = 0;                                                             \
    for (int i = 0; i < n; i++) s += a[i];                                  \
    return s;                                                               \
  }                                                                         \
  static __attribute__((noinline)) T min_##NAME(const T *a, int n) {        \
    T m = a[0];                                                             \
    for (int i = 1; i < n; i++) m = a[i] < m ? a[i] : m;                    \
    return m;                                                               \
  }                                                                         \
  static __attribute__((noinline)) T max_##NAME(const T *a, int n) {        \
    T m = a[0];                                                             \
    for (int i = 1; i < n; i++) m = a[i] > m ? a[i] : m;                    \
    return m;                                                               \
  }                                                                         \
  static __attribute__((noinline)) int count_##NAME(const T *a, int n, T v) { \
    int c = 0;                                                              \
    for (int i = 0; i < n; i++) c += a[i] == v;                             \
    return c;                                                               \
  }                                                                         \
  static __attribute__((noinline)) T xor_##NAME(const T *a, int n) {        \
    T x = 0;                                                                \
    for (int i = 0; i < n; i++) x ^= a[i];                                  \
    return x;                                                               \
  }

REDUCERS(int8_t, s8)
REDUCERS(uint8_t, u8)
REDUCERS(int16_t, s16)
REDUCERS(uint16_t, u16)
REDUCERS(int32_t, s32)
REDUCERS(uint32_t, u32)
REDUCERS(int64_t, s64)
REDUCERS(uint64_t, u64)

static __attribute__((noinline)) long dot16(const int16_t *a, const int16_t *b, int n) {
  long s = 0;
  for (int i = 0; i < n; i++) s += (int)a[i] * b[i];
  return s;
}

static __attribute__((noinline)) long long dot32(const int32_t *a, const int32_t *b, int n) {
  long long s = 0;
  for (int i = 0; i < n; i++) s += (long long)a[i] * b[i];
  return s;
}

static void line(const char *name, long sum, long min, long max, int count, unsigned long x) {
  putstr(name);
  putstr(": sum ");
  putdec(sum);
  putstr(" min ");
  putdec(min);
  putstr(" max ");
  putdec(max);
  putstr(" count ");
  putdec(count);
  putstr(" xor ");
  puthex(x, 16);
  putch('\n');
}

#define REPORT(NAME, n, v) line(#NAME, sum_##NAME(NAME, n), (long)min_##NAME(NAME, n), (long)max_##NAME(NAME, n), count_##NAME(NAME, n, v), (unsigned long)xor_##NAME(NAME, n))

int main(void) {
  for (int i = 0; i < N; i++) {
    uint32_t r = next();
    s8[i] = (int8_t)r;
    u8[i] = (uint8_t)(r >> 3);
    s16[i] = (int16_t)(r * 7);
    u16[i] = (uint16_t)(r >> 2);
    s32[i] = (int32_t)(next() ^ (r << 9));
    u32[i] = next() * 2654435761u;
    s64[i] = ((int64_t)(int32_t)next() << 21) ^ r;
    u64[i] = ((uint64_t)next() << 32) | next();
  }
  for (int n = N; n >= N - 7; n -= 7) {
    putstr("n = ");
    putdec(n);
    putch('\n');
    REPORT(s8, n, s8[5]);
    REPORT(u8, n, u8[7]);
    REPORT(s16, n, s16[9]);
    REPORT(u16, n, u16[11]);
    REPORT(s32, n, s32[13]);
    REPORT(u32, n, u32[17]);
    REPORT(s64, n, s64[19]);
    REPORT(u64, n, u64[23]);
    putstr("dot16 ");
    putdec(dot16(s16, (const int16_t *)u16, n));
    putstr(" dot32 ");
    putdec(dot32(s32, (const int32_t *)u32, n));
    putch('\n');
  }
  flush();
  return 0;
}
