/* tinylibc: system calls, string functions written with the z/Architecture string instructions
 * (MVST, CLST, SRST, MVCLE, CLCLE, TR) so the corpus exercises them, a bump allocator on brk,
 * and buffered decimal/hex output. */
#include "tinylibc.h"

ssize_t sys_write(int fd, const void *buf, size_t len) {
  register long r2 __asm__("r2") = fd;
  register const void *r3 __asm__("r3") = buf;
  register size_t r4 __asm__("r4") = len;
  __asm__ volatile("svc 4" : "+d"(r2) : "d"(r3), "d"(r4) : "memory", "cc");
  return r2;
}

void sys_exit(int status) {
  flush();
  register long r2 __asm__("r2") = status;
  __asm__ volatile("svc 248" : : "d"(r2) : "memory");
  for (;;) {
  }
}

void *sys_brk(void *addr) {
  register void *r2 __asm__("r2") = addr;
  __asm__ volatile("svc 45" : "+d"(r2) : : "memory", "cc");
  return r2;
}

/* MVCLE moves in CPU-determined units and sets CC 3 until done. */
void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d > s && d < s + n) {
    while (n-- > 0) d[n] = s[n];
    return dst;
  }
  register unsigned long r0 __asm__("r0") = (unsigned long)d;
  register unsigned long r1 __asm__("r1") = n;
  register unsigned long r2 __asm__("r2") = (unsigned long)s;
  register unsigned long r3 __asm__("r3") = n;
  __asm__ volatile("0: mvcle %0,%2,0\n\tjo 0b" : "+d"(r0), "+d"(r1), "+d"(r2), "+d"(r3) : : "memory", "cc");
  return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (n <= 256) {
    if (n > 0) __asm__ volatile("exrl %2,1f\n\tj 2f\n1: mvc 0(1,%0),0(%1)\n2:" : : "a"(d), "a"(s), "d"(n - 1) : "memory");
    return dst;
  }
  return memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  /* MVCLE with a zero-length source pads the destination with the pad byte (bits 56-63 of the address). */
  register unsigned long r0 __asm__("r0") = (unsigned long)d;
  register unsigned long r1 __asm__("r1") = n;
  register unsigned long r2 __asm__("r2") = 0;
  register unsigned long r3 __asm__("r3") = 0;
  __asm__ volatile("0: mvcle %0,%2,0(%4)\n\tjo 0b" : "+d"(r0), "+d"(r1), "+d"(r2), "+d"(r3) : "a"((unsigned long)(c & 0xff)) : "memory", "cc");
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  register unsigned long r0 __asm__("r0") = (unsigned long)a;
  register unsigned long r1 __asm__("r1") = n;
  register unsigned long r2 __asm__("r2") = (unsigned long)b;
  register unsigned long r3 __asm__("r3") = n;
  int cc;
  __asm__ volatile("0: clcle %1,%3,0\n\tjo 0b\n\tipm %0\n\tsrl %0,28"
                   : "=d"(cc), "+d"(r0), "+d"(r1), "+d"(r2), "+d"(r3) : : "cc");
  if (cc == 0) return 0;
  return cc == 1 ? -1 : 1;
}

/* SRST searches for the byte in r0 between the two addresses; CC 3 means "try again". */
size_t strlen(const char *s) {
  register unsigned long r0 __asm__("r0") = 0;
  unsigned long end = 0;
  unsigned long start = (unsigned long)s;
  __asm__ volatile("0: srst %0,%1\n\tjo 0b" : "+d"(end), "+d"(start) : "d"(r0) : "cc");
  return end - (unsigned long)s;
}

char *strchr(const char *s, int c) {
  size_t n = strlen(s);
  register unsigned long r0 __asm__("r0") = (unsigned char)c;
  unsigned long end = (unsigned long)s + n;
  unsigned long start = (unsigned long)s;
  int cc;
  __asm__ volatile("0: srst %1,%2\n\tjo 0b\n\tipm %0\n\tsrl %0,28" : "=d"(cc), "+d"(end), "+d"(start) : "d"(r0) : "cc");
  if (cc == 1) return (char *)end;
  return (c & 0xff) == 0 ? (char *)s + n : NULL;
}

char *strcpy(char *dst, const char *src) {
  register unsigned long r0 __asm__("r0") = 0;
  unsigned long d = (unsigned long)dst;
  unsigned long s = (unsigned long)src;
  __asm__ volatile("0: mvst %0,%1\n\tjo 0b" : "+d"(d), "+d"(s) : "d"(r0) : "memory", "cc");
  return dst;
}

int strcmp(const char *a, const char *b) {
  register unsigned long r0 __asm__("r0") = 0;
  unsigned long x = (unsigned long)a;
  unsigned long y = (unsigned long)b;
  int cc;
  __asm__ volatile("0: clst %1,%2\n\tjo 0b\n\tipm %0\n\tsrl %0,28" : "=d"(cc), "+d"(x), "+d"(y) : "d"(r0) : "cc");
  if (cc == 0) return 0;
  return cc == 1 ? -1 : 1;
}

static const unsigned char upper_table[256] = {
#define R16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15
    R16(0x00), R16(0x10), R16(0x20), R16(0x30), R16(0x40), R16(0x50),
    0x60, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
    R16(0x80), R16(0x90), R16(0xa0), R16(0xb0), R16(0xc0), R16(0xd0), R16(0xe0), R16(0xf0),
};

/* TR translates up to 256 bytes in place through a 256-byte table. */
void translate_upper(char *s, size_t n) {
  while (n > 0) {
    size_t chunk = n > 256 ? 256 : n;
    __asm__ volatile("exrl %2,1f\n\tj 2f\n1: tr 0(1,%0),0(%1)\n2:" : : "a"(s), "a"(upper_table), "d"(chunk - 1) : "memory");
    s += chunk;
    n -= chunk;
  }
}

static unsigned char *heap_top;
static unsigned char *heap_end;

void *malloc(size_t n) {
  n = (n + 15) & ~15UL;
  if (heap_top == NULL) {
    heap_top = sys_brk(NULL);
    heap_end = heap_top;
  }
  if (heap_top + n > heap_end) {
    unsigned char *want = heap_top + n + 65536;
    unsigned char *got = sys_brk(want);
    if (got < want) return NULL;
    heap_end = got;
  }
  void *p = heap_top;
  heap_top += n;
  return p;
}

void free(void *p) { (void)p; }

static char out_buf[4096];
static size_t out_len;

void flush(void) {
  size_t done = 0;
  while (done < out_len) {
    ssize_t w = sys_write(1, out_buf + done, out_len - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  out_len = 0;
}

void putch(char c) {
  if (out_len == sizeof out_buf) flush();
  out_buf[out_len++] = c;
}

void putstr(const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n; i++) putch(s[i]);
}

void putudec(unsigned long v) {
  char tmp[24];
  int i = 0;
  do {
    tmp[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (i > 0) putch(tmp[--i]);
}

void putdec(long v) {
  if (v < 0) {
    putch('-');
    putudec(0UL - (unsigned long)v);
  } else {
    putudec((unsigned long)v);
  }
}

void puthex(unsigned long v, int digits) {
  static const char xd[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; i--) putch(xd[(v >> (4 * i)) & 15]);
}

int atoi_s(const char *s) {
  int neg = 0, v = 0;
  if (*s == '-') {
    neg = 1;
    s++;
  }
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return neg ? -v : v;
}
