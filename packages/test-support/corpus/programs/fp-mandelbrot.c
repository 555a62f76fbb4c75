/* The Mandelbrot set in double and float: an ASCII picture (iteration counts as characters) and
 * per-row checksums; the float run differs from the double one where rounding does. */
#include "../libc/tinyfp.h"

#define W 56
#define H 20
#define MAX_ITER 64

static int iterate(double cr, double ci) {
  double zr = 0, zi = 0;
  int n = 0;
  while (n < MAX_ITER && zr * zr + zi * zi <= 4.0) {
    double t = zr * zr - zi * zi + cr;
    zi = 2 * zr * zi + ci;
    zr = t;
    n++;
  }
  return n;
}

static int iterate_float(float cr, float ci) {
  float zr = 0, zi = 0;
  int n = 0;
  while (n < MAX_ITER && zr * zr + zi * zi <= 4.0f) {
    float t = zr * zr - zi * zi + cr;
    zi = 2 * zr * zi + ci;
    zr = t;
    n++;
  }
  return n;
}

int main(void) {
  static const char shades[] = " .:-=+*#%@";
  unsigned long total = 0, total_float = 0, differ = 0;
  for (int y = 0; y < H; y++) {
    double ci = -1.2 + 2.4 * y / (H - 1);
    unsigned long row = 0;
    for (int x = 0; x < W; x++) {
      double cr = -2.1 + 2.8 * x / (W - 1);
      int n = iterate(cr, ci);
      int nf = iterate_float((float)cr, (float)ci);
      row = row * 31 + (unsigned long)n;
      total += (unsigned long)n;
      total_float += (unsigned long)nf;
      if (n != nf) differ++;
      putch(n == MAX_ITER ? '@' : shades[n % 9]);
    }
    putstr("  ");
    puthex(row, 16);
    putch('\n');
  }
  putstr("iterations (double): ");
  putudec(total);
  putstr("\niterations (float):  ");
  putudec(total_float);
  putstr("\npoints that differ:  ");
  putudec(differ);
  putch('\n');
  flush();
  return 0;
}
