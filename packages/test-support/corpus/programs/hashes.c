/* Non-cryptographic hashes: FNV-1a 32/64, djb2, MurmurHash3 x86_32 finaliser, SipHash-like mixing, xxhash-style rounds. */
#include "../libc/tinylibc.h"

static uint32_t fnv1a32(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  while (n--) h = (h ^ *p++) * 16777619u;
  return h;
}

static uint64_t fnv1a64(const uint8_t *p, size_t n) {
  uint64_t h = 14695981039346656037UL;
  while (n--) h = (h ^ *p++) * 1099511628211UL;
  return h;
}

static uint32_t djb2(const char *s) {
  uint32_t h = 5381;
  while (*s) h = h * 33 + (uint8_t)*s++;
  return h;
}

static uint32_t murmur3_32(const uint8_t *key, size_t len, uint32_t seed) {
  uint32_t h = seed;
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    uint32_t k = (uint32_t)key[i] | (uint32_t)key[i + 1] << 8 | (uint32_t)key[i + 2] << 16 | (uint32_t)key[i + 3] << 24;
    k *= 0xcc9e2d51u;
    k = (k << 15) | (k >> 17);
    k *= 0x1b873593u;
    h ^= k;
    h = (h << 13) | (h >> 19);
    h = h * 5 + 0xe6546b64u;
  }
  uint32_t k = 0;
  switch (len & 3) {
    case 3: k ^= (uint32_t)key[i + 2] << 16; /* fall through */
    case 2: k ^= (uint32_t)key[i + 1] << 8; /* fall through */
    case 1:
      k ^= key[i];
      k *= 0xcc9e2d51u;
      k = (k << 15) | (k >> 17);
      k *= 0x1b873593u;
      h ^= k;
  }
  h ^= (uint32_t)len;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9UL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebUL;
  return x ^ (x >> 31);
}

int main(void) {
  static const char *inputs[] = {"", "a", "foobar", "The quick brown fox jumps over the lazy dog", "s390x z/Architecture"};
  for (int i = 0; i < 5; i++) {
    const uint8_t *p = (const uint8_t *)inputs[i];
    size_t n = strlen(inputs[i]);
    puthex(fnv1a32(p, n), 8);
    putch(' ');
    puthex(fnv1a64(p, n), 16);
    putch(' ');
    puthex(djb2(inputs[i]), 8);
    putch(' ');
    puthex(murmur3_32(p, n, 0), 8);
    putch(' ');
    puthex(murmur3_32(p, n, 0x9747b28c), 8);
    putch('\n');
  }
  uint64_t s = 0;
  for (uint64_t i = 0; i < 1000; i++) s += mix64(i) >> (i & 7);
  putstr("mix: ");
  puthex(s, 16);
  putch('\n');
  return 0;
}
