/* Command-line arguments and exit status: prints argc/argv, sums numeric arguments and exits
 * with a status computed from them (the Linux start-up contract). */
#include "../libc/tinylibc.h"

int main(int argc, char **argv) {
  putstr("argc=");
  putdec(argc);
  putch('\n');
  long sum = 0;
  for (int i = 0; i < argc; i++) {
    putstr("argv[");
    putdec(i);
    putstr("] len ");
    putudec(strlen(argv[i]));
    if (i > 0) {
      putstr(" = ");
      putstr(argv[i]);
      sum += atoi_s(argv[i]);
    }
    putch('\n');
  }
  putstr("argv[argc] is null: ");
  putdec(argv[argc] == NULL);
  putstr("\nsum=");
  putdec(sum);
  putch('\n');
  return (int)(sum & 0xff) ^ 42;
}
