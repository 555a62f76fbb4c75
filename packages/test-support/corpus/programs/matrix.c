/* Integer matrix arithmetic: multiplication, transpose, determinant by fraction-free elimination (Bareiss). */
#include "../libc/tinylibc.h"

#define N 12

static long det_bareiss(long m[N][N], int n) {
  long prev = 1;
  int sign = 1;
  for (int k = 0; k < n - 1; k++) {
    if (m[k][k] == 0) {
      int p = k + 1;
      while (p < n && m[p][k] == 0) p++;
      if (p == n) return 0;
      for (int j = 0; j < n; j++) {
        long t = m[k][j];
        m[k][j] = m[p][j];
        m[p][j] = t;
      }
      sign = -sign;
    }
    for (int i = k + 1; i < n; i++)
      for (int j = k + 1; j < n; j++) m[i][j] = (m[i][j] * m[k][k] - m[i][k] * m[k][j]) / prev;
    prev = m[k][k];
  }
  return sign * m[n - 1][n - 1];
}

int main(void) {
  static int a[N][N], b[N][N];
  static long c[N][N], d[6][6];
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      a[i][j] = (i * 7 + j * 3) % 11 - 5;
      b[i][j] = (i ^ j) - (i + j) / 2;
    }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      long s = 0;
      for (int k = 0; k < N; k++) s += (long)a[i][k] * b[k][j];
      c[i][j] = s;
    }
  long trace = 0;
  for (int i = 0; i < N; i++) trace += c[i][i];
  putstr("trace: ");
  putdec(trace);
  putstr("\nrow 5:");
  for (int j = 0; j < N; j++) {
    putch(' ');
    putdec(c[5][j]);
  }
  long sq[N][N];
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++) d[i][j] = (i == j ? 10 : 0) + (i * 5 + j * 3) % 7 - 3;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) sq[i][j] = i < 6 && j < 6 ? d[i][j] : (i == j);
  putstr("\ndet: ");
  putdec(det_bareiss(sq, N));
  putch('\n');
  return 0;
}
