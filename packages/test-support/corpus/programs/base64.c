/* Base64 encode/decode round trips and hexadecimal dumps of binary data. */
#include "../libc/tinylibc.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t encode(const uint8_t *in, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[o++] = alphabet[v >> 18];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
  }
  out[o] = 0;
  return o;
}

static int value_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

static long decode(const char *in, uint8_t *out) {
  size_t n = strlen(in), o = 0;
  if (n % 4) return -1;
  for (size_t i = 0; i < n; i += 4) {
    int a = value_of(in[i]), b = value_of(in[i + 1]);
    int c = in[i + 2] == '=' ? 0 : value_of(in[i + 2]);
    int d = in[i + 3] == '=' ? 0 : value_of(in[i + 3]);
    if (a < 0 || b < 0 || c < 0 || d < 0) return -1;
    uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
    out[o++] = (uint8_t)(v >> 16);
    if (in[i + 2] != '=') out[o++] = (uint8_t)(v >> 8);
    if (in[i + 3] != '=') out[o++] = (uint8_t)v;
  }
  return (long)o;
}

int main(void) {
  static const char *texts[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar", "Secure Execution dump"};
  static char enc[400];
  static uint8_t dec[300];
  int failures = 0;
  for (int i = 0; i < 8; i++) {
    size_t n = strlen(texts[i]);
    encode((const uint8_t *)texts[i], n, enc);
    long m = decode(enc, dec);
    failures += m != (long)n || memcmp(dec, texts[i], n) != 0;
    putch('"');
    putstr(texts[i]);
    putstr("\" -> ");
    putstr(enc);
    putch('\n');
  }
  static uint8_t bin[256];
  for (int i = 0; i < 256; i++) bin[i] = (uint8_t)(255 - i);
  encode(bin, 256, enc);
  long m = decode(enc, dec);
  failures += m != 256 || memcmp(dec, bin, 256) != 0;
  putstr(enc);
  putch('\n');
  putstr("bad input: ");
  putdec(decode("ab$=", dec));
  putstr("\nfailures: ");
  putdec(failures);
  putch('\n');
  return failures;
}
