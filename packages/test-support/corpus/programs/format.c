/* Integer formatting: a small printf-style formatter for signed/unsigned decimal, hex, octal, binary,
 * widths and padding, over every integer width. */
#include "../libc/tinylibc.h"

static int fmt_unsigned(char *out, unsigned long v, unsigned base, int width, char pad, int upper) {
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char tmp[70];
  int n = 0;
  do {
    tmp[n++] = digits[v % base];
    v /= base;
  } while (v);
  int len = 0;
  while (n + len < width) out[len++] = pad;
  while (n) out[len++] = tmp[--n];
  return len;
}

static int fmt_signed(char *out, long v, int width) {
  if (v < 0) {
    out[0] = '-';
    return 1 + fmt_unsigned(out + 1, 0UL - (unsigned long)v, 10, width - 1, '0', 0);
  }
  return fmt_unsigned(out, (unsigned long)v, 10, width, ' ', 0);
}

static void emit(const char *label, const char *buf, int n) {
  putstr(label);
  putch('[');
  for (int i = 0; i < n; i++) putch(buf[i]);
  putstr("]\n");
}

int main(void) {
  char buf[80];
  static const long values[] = {0, 1, -1, 9, 10, 99, -100, 32767, -32768, 2147483647L, -2147483647L - 1,
                                4294967295L, 9223372036854775807L, -9223372036854775807L - 1, 123456789012345L};
  for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
    long v = values[i];
    emit("d   ", buf, fmt_signed(buf, v, 0));
    emit("8d  ", buf, fmt_signed(buf, v, 8));
    emit("x   ", buf, fmt_unsigned(buf, (unsigned long)v, 16, 0, '0', 0));
    emit("X16 ", buf, fmt_unsigned(buf, (unsigned long)v, 16, 16, '0', 1));
    emit("o   ", buf, fmt_unsigned(buf, (unsigned long)v, 8, 0, '0', 0));
    emit("b32 ", buf, fmt_unsigned(buf, (unsigned int)v, 2, 32, '0', 0));
    emit("hh  ", buf, fmt_signed(buf, (signed char)v, 4));
    emit("h   ", buf, fmt_signed(buf, (short)v, 6));
    emit("u32 ", buf, fmt_unsigned(buf, (unsigned int)v, 10, 0, ' ', 0));
    emit("i32 ", buf, fmt_signed(buf, (int)v, 0));
  }
  return 0;
}
