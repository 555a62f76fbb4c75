/* Switch statements dense enough for jump tables, sparse ones, and a tiny bytecode interpreter. */
#include "../libc/tinylibc.h"

static int classify(int c) {
  switch (c) {
    case 0: return 10;
    case 1: return 21;
    case 2: return 32;
    case 3: return 43;
    case 4: return 54;
    case 5: return 65;
    case 6: return 76;
    case 7: return 87;
    case 8: return 98;
    case 9: return 109;
    case 10: return 7;
    case 11: return 3;
    default: return -1;
  }
}

static const char *sparse(long v) {
  switch (v) {
    case -1000000: return "minus-million";
    case 17: return "seventeen";
    case 4096: return "page";
    case 65535: return "max16";
    case 1L << 40: return "tera";
    default: return "other";
  }
}

enum op { SET, ADD, SUB, MUL, DEC, JNZ, PRINT, XOR, SHL, HALT };

/* A register machine: each instruction is an opcode and up to two operands. */
static void interp(const int *code) {
  long reg[4] = {0, 0, 0, 0};
  int pc = 0;
  for (;;) {
    int op = code[pc], a = code[pc + 1], b = code[pc + 2];
    pc += 3;
    switch ((enum op)op) {
      case SET: reg[a] = b; break;
      case ADD: reg[a] += reg[b]; break;
      case SUB: reg[a] -= reg[b]; break;
      case MUL: reg[a] *= reg[b]; break;
      case DEC: reg[a]--; break;
      case JNZ: if (reg[a] != 0) pc = b * 3; break;
      case PRINT: putdec(reg[a]); putch('\n'); break;
      case XOR: reg[a] ^= reg[b]; break;
      case SHL: reg[a] <<= b; break;
      case HALT: return;
    }
  }
}

int main(void) {
  int total = 0;
  for (int i = -3; i < 15; i++) {
    int c = classify(i);
    total += c;
    putdec(c);
    putch(' ');
  }
  putch('\n');
  static const long probes[] = {-1000000, 17, 4096, 65535, 1L << 40, 5, 0};
  for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
    putstr(sparse(probes[i]));
    putch('\n');
  }
  /* 20! by a loop: r0 = 1, r1 = 20; do { r0 *= r1; r1--; } while (r1) */
  static const int fact[] = {SET, 0, 1, SET, 1, 20, MUL, 0, 1, DEC, 1, 0, JNZ, 1, 2, PRINT, 0, 0, HALT, 0, 0};
  interp(fact);
  /* a xorshift walk printed five times */
  static const int walk[] = {SET, 0, 88172645, SET, 3, 5, SET, 2, 0, ADD, 2, 0, SHL, 2, 13, XOR, 0, 2,
                             PRINT, 0, 0, DEC, 3, 0, JNZ, 3, 2, HALT, 0, 0};
  interp(walk);
  putdec(total);
  putch('\n');
  return total & 0x7f;
}
