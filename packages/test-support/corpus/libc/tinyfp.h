/* tinyfp: floating-point pieces for the corpus programs named fp-*: the FPC (BFP rounding mode in
 * bits 29-31, IEEE flags in bits 8-15), fesetround-style rounding changes, the square roots gcc
 * calls when errno might be set, and printing done with the FPU itself (decimal) or exactly
 * (bit patterns). */
#ifndef TINYFP_H
#define TINYFP_H

#include "tinylibc.h"

#define FP_NEAREST 0
#define FP_TOWARDZERO 1
#define FP_UPWARD 2
#define FP_DOWNWARD 3
/* FPC flag bits (after fpc_get() >> 16): invalid, divide by zero, overflow, underflow, inexact. */
#define FP_FLAG_INVALID 0x80
#define FP_FLAG_DIVBYZERO 0x40
#define FP_FLAG_OVERFLOW 0x20
#define FP_FLAG_UNDERFLOW 0x10
#define FP_FLAG_INEXACT 0x08

unsigned fpc_get(void);
void fpc_set(unsigned fpc);
void fp_setround(int mode);
unsigned fp_flags(void);
void fp_clearflags(void);
double sqrt(double x);
float sqrtf(float x);
long double sqrtl(long double x);
long lrint(double x);
void putdouble(double v, int digits);
void putbits64(double v);
void putbits32(float v);
void putbits128(long double v);

#endif
