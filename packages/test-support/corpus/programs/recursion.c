/* Recursion: Fibonacci, Ackermann, Towers of Hanoi, N-Queens, permutations and a recursive-descent
 * expression parser. */
#include "../libc/tinylibc.h"

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned long ack(unsigned long m, unsigned long n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static long hanoi_moves;
static void hanoi(int n, int from, int to, int via) {
  if (n == 0) return;
  hanoi(n - 1, from, via, to);
  hanoi_moves += from * 3 + to;
  hanoi(n - 1, via, to, from);
}

static int queens(int n, int row, unsigned cols, unsigned d1, unsigned d2) {
  if (row == n) return 1;
  int count = 0;
  for (int c = 0; c < n; c++) {
    if ((cols >> c) & 1 || (d1 >> (row + c)) & 1 || (d2 >> (row - c + n)) & 1) continue;
    count += queens(n, row + 1, cols | 1u << c, d1 | 1u << (row + c), d2 | 1u << (row - c + n));
  }
  return count;
}

static int perm_count;
static void permute(char *s, int k, int n) {
  if (k == n) {
    if (perm_count++ < 8) {
      putstr(s);
      putch(' ');
    }
    return;
  }
  for (int i = k; i < n; i++) {
    char t = s[k]; s[k] = s[i]; s[i] = t;
    permute(s, k + 1, n);
    t = s[k]; s[k] = s[i]; s[i] = t;
  }
}

static const char *src;
static long expr(void);
static long atom(void) {
  if (*src == '(') {
    src++;
    long v = expr();
    src++;
    return v;
  }
  if (*src == '-') {
    src++;
    return -atom();
  }
  long v = 0;
  while (*src >= '0' && *src <= '9') v = v * 10 + (*src++ - '0');
  return v;
}
static long term(void) {
  long v = atom();
  while (*src == '*' || *src == '/' || *src == '%') {
    char op = *src++;
    long r = atom();
    v = op == '*' ? v * r : op == '/' ? v / r : v % r;
  }
  return v;
}
static long expr(void) {
  long v = term();
  while (*src == '+' || *src == '-') {
    char op = *src++;
    long r = term();
    v = op == '+' ? v + r : v - r;
  }
  return v;
}

int main(void) {
  putstr("fib(24) = "); putdec(fib(24));
  putstr("\nack(2,3) = "); putudec(ack(2, 3));
  putstr("\nack(3,3) = "); putudec(ack(3, 3));
  hanoi(12, 1, 3, 2);
  putstr("\nhanoi(12) = "); putdec(hanoi_moves);
  for (int n = 4; n <= 8; n++) {
    putstr("\nqueens("); putdec(n); putstr(") = "); putdec(queens(n, 0, 0, 0, 0));
  }
  char s[] = "abcde";
  putstr("\npermutations: ");
  permute(s, 0, 5);
  putdec(perm_count);
  static const char *exprs[] = {"1+2*3", "(1+2)*3", "100/7%4-2*-3", "((((9))))*-(2+3)", "123456789*1000/3"};
  for (int i = 0; i < 5; i++) {
    src = exprs[i];
    putch('\n'); putstr(exprs[i]); putstr(" = "); putdec(expr());
  }
  putch('\n');
  return 0;
}
