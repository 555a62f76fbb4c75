/* tinylibc: the few libc pieces the corpus programs need, over raw Linux s390x system calls
 * (svc with the number in the instruction for numbers below 256; arguments r2..r6; result r2). */
#ifndef TINYLIBC_H
#define TINYLIBC_H

typedef unsigned long size_t;
typedef long ssize_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long int64_t;
typedef unsigned long uintptr_t;

#define NULL ((void *)0)

ssize_t sys_write(int fd, const void *buf, size_t len);
void sys_exit(int status) __attribute__((noreturn));
void *sys_brk(void *addr);

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
char *strcpy(char *dst, const char *src);
int strcmp(const char *a, const char *b);
char *strchr(const char *s, int c);
void *malloc(size_t n);
void free(void *p);
void translate_upper(char *s, size_t n);

void putstr(const char *s);
void putch(char c);
void putdec(long v);
void putudec(unsigned long v);
void puthex(unsigned long v, int digits);
void flush(void);
int atoi_s(const char *s);

#endif
