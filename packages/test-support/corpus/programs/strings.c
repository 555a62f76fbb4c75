/* String handling through the tinylibc string routines (MVST, CLST, SRST, TR, MVCLE, CLCLE):
 * copy, compare, search, reverse, upper-case and word counting. */
#include "../libc/tinylibc.h"

static void reverse(char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}

static int words(const char *s) {
  int n = 0, in = 0;
  for (; *s; s++) {
    int sp = *s == ' ' || *s == '\n' || *s == '\t';
    if (!sp && !in) n++;
    in = !sp;
  }
  return n;
}

int main(void) {
  static char buf[2048];
  static char other[2048];
  const char *text = "the quick brown fox jumps over the lazy dog\tand keeps running\nthrough the night";
  strcpy(buf, text);
  putstr(buf);
  putstr("\nlength: ");
  putudec(strlen(buf));
  putstr("\nwords: ");
  putdec(words(buf));
  char *fox = strchr(buf, 'f');
  putstr("\nfrom f: ");
  putstr(fox != NULL ? fox : "(none)");
  putstr("\nstrchr z: ");
  putdec(strchr(buf, 'z') - buf);
  putstr(" q: ");
  putdec(strchr(buf, '#') == NULL);
  putstr(" nul: ");
  putdec(strchr(buf, 0) - buf);
  translate_upper(buf, strlen(buf));
  putstr("\nupper: ");
  putstr(buf);
  reverse(buf);
  putstr("\nreversed: ");
  putstr(buf);
  static const char *names[] = {"delta", "alpha", "charlie", "bravo", "alphabet", "", "echo", "alp"};
  const char *sorted[8];
  for (int i = 0; i < 8; i++) sorted[i] = names[i];
  for (int i = 1; i < 8; i++)
    for (int j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
      const char *t = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = t;
    }
  putstr("\nsorted:");
  for (int i = 0; i < 8; i++) {
    putch(' ');
    putstr(sorted[i]);
  }
  for (int i = 0; i < 2000; i++) buf[i] = (char)('A' + i % 23);
  memmove(other, buf, 2000);
  memmove(buf + 10, buf, 1500);
  memset(other + 100, '-', 700);
  putstr("\ncmp: ");
  putdec(memcmp(buf, other, 2000));
  putch(' ');
  putdec(memcmp(other, buf, 5));
  putch(' ');
  putdec(memcmp(other + 1999, buf + 5, 1));
  buf[1999] = 0;
  other[1999] = 0;
  putstr("\nslices: ");
  for (int i = 0; i < 2000; i += 250) putch(buf[i]), putch(other[i]);
  putch('\n');
  return 0;
}
