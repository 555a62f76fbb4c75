/* Byte and element searches, compares and element-wise transforms that gcc's auto-vectoriser
 * turns into vector integer loops: first/last match, all-equal checks, clamping, absolute
 * differences, byte histograms by comparison, shifts and rotations by element. */
#include "../libc/tinylibc.h"

#define N 777

static uint8_t text[N];
static uint8_t other[N];
static int16_t h[N];
static int32_t w[N];
static uint32_t uw[N];
static int64_t d[N];

static __attribute__((noinline)) int find_byte(const uint8_t *a, int n, uint8_t c) {
  for (int i = 0; i < n; i++)
    if (a[i] == c) return i;
  return -1;
}

static __attribute__((noinline)) int count_less(const uint8_t *a, int n, uint8_t c) {
  int k = 0;
  for (int i = 0; i < n; i++) k += a[i] < c;
  return k;
}

static __attribute__((noinline)) int mismatches(const uint8_t *a, const uint8_t *b, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) k += a[i] != b[i];
  return k;
}

static __attribute__((noinline)) void clamp16(int16_t *a, int n, int16_t lo, int16_t hi) {
  for (int i = 0; i < n; i++) a[i] = a[i] < lo ? lo : a[i] > hi ? hi : a[i];
}

static __attribute__((noinline)) void absdiff32(int32_t *out, const int32_t *a, const int32_t *b, int n) {
  for (int i = 0; i < n; i++) out[i] = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
}

static __attribute__((noinline)) void shifts32(uint32_t *a, int n) {
  for (int i = 0; i < n; i++) a[i] = (a[i] >> (i & 31)) ^ (a[i] << ((i * 3) & 31)) ^ ((a[i] << 7) | (a[i] >> 25));
}

static __attribute__((noinline)) void shifts64(int64_t *a, int n) {
  for (int i = 0; i < n; i++) a[i] = (a[i] >> (i & 63)) + ((uint64_t)a[i] >> 3) - (a[i] << (i & 15));
}

static __attribute__((noinline)) void widen(int32_t *out, const int16_t *a, const uint8_t *b, int n) {
  for (int i = 0; i < n; i++) out[i] = a[i] * 3 + b[i] - (a[i] >> 2);
}

static __attribute__((noinline)) void to_upper(uint8_t *a, int n) {
  for (int i = 0; i < n; i++) a[i] = (a[i] >= 'a' && a[i] <= 'z') ? a[i] - 32 : a[i];
}

static uint64_t checksum(const void *p, int bytes) {
  const uint8_t *b = p;
  uint64_t s = 1469598103934665603ul;
  for (int i = 0; i < bytes; i++) s = (s ^ b[i]) * 1099511628211ul;
  return s;
}

int main(void) {
  uint32_t x = 99;
  for (int i = 0; i < N; i++) {
    x = x * 1664525u + 1013904223u;
    text[i] = (uint8_t)('a' + (x >> 24) % 30);
    other[i] = (i % 5 == 0) ? (uint8_t)(text[i] + 1) : text[i];
    h[i] = (int16_t)(x >> 9);
    w[i] = (int32_t)(x ^ (x << 13));
    uw[i] = x * 2246822519u;
    d[i] = ((int64_t)(int32_t)x << 17) ^ (int64_t)i;
  }
  putstr("find:");
  for (int c = 'a'; c < 'a' + 32; c += 3) {
    putch(' ');
    putdec(find_byte(text, N, (uint8_t)c));
  }
  putstr("\nless:");
  for (int c = 'a'; c < 'a' + 32; c += 5) {
    putch(' ');
    putdec(count_less(text, N - (c & 7), (uint8_t)c));
  }
  putstr("\nmismatches: ");
  putdec(mismatches(text, other, N));
  clamp16(h, N, -1000, 3000);
  static int32_t diff[N];
  absdiff32(diff, w, (const int32_t *)uw, N - 3);
  shifts32(uw, N);
  shifts64(d, N - 1);
  static int32_t wide[N];
  widen(wide, h, text, N);
  to_upper(text, N);
  putstr("\nclamp16 ");
  puthex(checksum(h, sizeof h), 16);
  putstr("\nabsdiff32 ");
  puthex(checksum(diff, sizeof diff), 16);
  putstr("\nshifts32 ");
  puthex(checksum(uw, sizeof uw), 16);
  putstr("\nshifts64 ");
  puthex(checksum(d, sizeof d), 16);
  putstr("\nwiden ");
  puthex(checksum(wide, sizeof wide), 16);
  putstr("\nupper ");
  for (int i = 0; i < 40; i++) putch((char)text[i]);
  putch('\n');
  flush();
  return 0;
}
