/* Special values and the floating-point environment: infinities, quiet and signalling NaNs,
 * signed zeros and denormals through arithmetic, comparisons and the rounding built-ins, in each
 * of the four C rounding modes set fesetround-style in the FPC, with the IEEE flags each
 * operation raises. Operands and results pass through volatile variables so every operation
 * runs on the FPU in the mode in effect. */
#include "../libc/tinyfp.h"

static volatile double vd;
static volatile float vf;
static volatile long double vl;

static double d_of(unsigned long bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

/* The flags of the operation just done, captured before printing does arithmetic of its own. */
static unsigned captured;

static void capture(void) {
  captured = fp_flags();
  fp_clearflags();
}

static void flags(void) {
  unsigned f = captured;
  putstr(" [");
  putch(f & FP_FLAG_INVALID ? 'i' : '-');
  putch(f & FP_FLAG_DIVBYZERO ? 'z' : '-');
  putch(f & FP_FLAG_OVERFLOW ? 'o' : '-');
  putch(f & FP_FLAG_UNDERFLOW ? 'u' : '-');
  putch(f & FP_FLAG_INEXACT ? 'x' : '-');
  putstr("]\n");
  fp_clearflags();
}

static void show_d(const char *what, double r) {
  vd = r;
  capture();
  putstr(what);
  putstr(" = ");
  putbits64(vd);
  putch(' ');
  putdouble(vd, 6);
  flags();
}

static void show_f(const char *what, float r) {
  vf = r;
  capture();
  putstr(what);
  putstr(" = ");
  putbits32(vf);
  flags();
}

static void show_l(const char *what, long double r) {
  vl = r;
  capture();
  putstr(what);
  putstr(" = ");
  putbits128(vl);
  flags();
}

static void show_i(const char *what, long r) {
  capture();
  putstr(what);
  putstr(" = ");
  putdec(r);
  flags();
}

static volatile double one = 1.0, three = 3.0, zero = 0.0, tenth = 0.1, fifth = 0.2, big = 1e308, tiny = 2.2250738585072014e-308;
static volatile double half = 0.5, twohalf = 2.5, mtwohalf = -2.5, onehalfplus = 1.5000000000000002;
static volatile float onef = 1.0f, threef = 3.0f, bigf = 3.0e38f;
static volatile long double onel = 1.0L, threel = 3.0L;

static void arithmetic(void) {
  show_d("1/3", one / three);
  show_d("-1/3", -one / three);
  show_d("0.1+0.2", tenth + fifth);
  show_d("1e308*10", big * 10);
  show_d("-1e308*10", -big * 10);
  show_d("min/3", tiny / three);
  show_d("min*min", tiny * tiny);
  show_d("sqrt(2)", sqrt(one + one));
  show_d("fma(0.1,10,-1)", __builtin_fma(tenth, 10.0, -one));
  show_f("1f/3f", onef / threef);
  show_f("3e38f*2", bigf * 2.0f);
  show_f("(float)0.1", (float)tenth);
  show_l("1L/3L", onel / threel);
  show_l("sqrtl(3)", sqrtl(threel));
  show_d("rint(2.5)", __builtin_rint(twohalf));
  show_d("rint(-2.5)", __builtin_rint(mtwohalf));
  show_d("nearbyint(0.5)", __builtin_nearbyint(half));
  show_d("floor(-2.5)", __builtin_floor(mtwohalf));
  show_d("ceil(-2.5)", __builtin_ceil(mtwohalf));
  show_d("trunc(-2.5)", __builtin_trunc(mtwohalf));
  show_d("round(2.5)", __builtin_round(twohalf));
  show_d("round(1.5000000000000002)", __builtin_round(onehalfplus));
  show_i("lrint(2.5)", __builtin_lrint(twohalf));
  show_i("lrint(-2.5)", __builtin_lrint(mtwohalf));
  show_i("(int)-2.5", (int)mtwohalf);
}

static void specials(void) {
  double inf = one / zero;
  capture();
  show_d("inf", inf);
  show_d("-1/0", -one / zero);
  show_d("inf-inf", inf - inf);
  show_d("0/0", zero / zero);
  show_d("inf*0", inf * zero);
  show_d("sqrt(-1)", sqrt(-one));
  show_d("1/-0", one / -zero);
  show_d("-0+0", -zero + zero);
  show_d("-0-0", -zero - zero);
  show_d("-0*3", -zero * three);
  show_d("copysign(3,-0)", __builtin_copysign(three, -zero));
  double snan = d_of(0x7ff0000000000001UL), qnan = d_of(0x7ff8000000000002UL);
  show_d("snan+1", snan + one);
  show_d("qnan+1", qnan + one);
  show_d("1+snan", one + snan);
  show_d("qnan*snan", qnan * snan);
  show_f("(float)snan", (float)snan);
  show_l("(long double)qnan", (long double)qnan);
  show_i("qnan==qnan", qnan == qnan);
  show_i("qnan<1", qnan < one);
  show_i("isless(qnan,1)", __builtin_isless(qnan, one));
  show_i("isunordered(snan,1)", __builtin_isunordered(snan, one));
  show_i("-0==0", -zero == zero);
  show_i("isinf", __builtin_isinf(inf));
  show_i("isnan", __builtin_isnan(snan));
  double den = d_of(1);
  show_d("den", den);
  show_d("den*0.5", den * half);
  show_d("den*1.5", den * 1.5);
  show_d("den+den", den + den);
  show_d("min-den", tiny - den);
  show_d("den/min", den / tiny);
  show_f("(float)den", (float)den);
  show_i("isnormal(den)", __builtin_isnormal(den));
  show_i("fpclassify(den)", __builtin_fpclassify(0, 1, 2, 3, 4, den));
}

int main(void) {
  static const char *names[] = {"to nearest", "toward zero", "upward", "downward"};
  fp_clearflags();
  for (int mode = 0; mode < 4; mode++) {
    fp_setround(mode);
    putstr("== rounding ");
    putstr(names[mode]);
    putch('\n');
    arithmetic();
  }
  fp_setround(FP_NEAREST);
  putstr("== special values\n");
  specials();
  putstr("fpc ");
  puthex(fpc_get(), 8);
  putch('\n');
  flush();
  return 0;
}
