/* Struct copies and assignments of many sizes (MVC, memcpy), arrays of structs, by-value passing and returns. */
#include "../libc/tinylibc.h"

struct small { char c; short s; int i; };
struct point { long x, y, z; };
struct big { int id; char name[37]; struct point pts[9]; unsigned char tail[300]; };

static struct point add(struct point a, struct point b) {
  struct point r = {a.x + b.x, a.y + b.y, a.z + b.z};
  return r;
}

static struct big make_big(int id) {
  struct big b;
  memset(&b, 0, sizeof b);
  b.id = id;
  for (int i = 0; i < 36; i++) b.name[i] = (char)('a' + (i + id) % 26);
  for (int i = 0; i < 9; i++) b.pts[i] = (struct point){i * id, -i, i ^ id};
  for (int i = 0; i < 300; i++) b.tail[i] = (unsigned char)(i * id);
  return b;
}

static unsigned long sum_big(const struct big *b) {
  unsigned long s = (unsigned long)b->id;
  for (int i = 0; i < 37; i++) s = s * 33 + (unsigned char)b->name[i];
  for (int i = 0; i < 9; i++) s = s * 7 + (unsigned long)(b->pts[i].x + b->pts[i].y * 3 + b->pts[i].z * 5);
  for (int i = 0; i < 300; i++) s += b->tail[i] * (unsigned long)i;
  return s;
}

int main(void) {
  static struct big arr[6];
  for (int i = 0; i < 6; i++) arr[i] = make_big(i + 1);
  struct big copy = arr[3];
  copy.name[0] = 'Z';
  arr[5] = copy;
  struct small sm[10];
  for (int i = 0; i < 10; i++) sm[i] = (struct small){(char)i, (short)(i * 1000), i * 100000};
  struct small t = sm[2];
  sm[2] = sm[7];
  sm[7] = t;
  struct point acc = {0, 0, 0};
  for (int i = 0; i < 9; i++) acc = add(acc, arr[i % 6].pts[i]);
  for (int i = 0; i < 6; i++) {
    putstr("big ");
    putdec(i);
    putstr(": ");
    puthex(sum_big(&arr[i]), 16);
    putch(' ');
    for (int k = 0; k < 5; k++) putch(arr[i].name[k]);
    putch('\n');
  }
  for (int i = 0; i < 10; i++) {
    putdec(sm[i].c);
    putch('/');
    putdec(sm[i].s);
    putch('/');
    putdec(sm[i].i);
    putch(' ');
  }
  putstr("\nacc: ");
  putdec(acc.x);
  putch(' ');
  putdec(acc.y);
  putch(' ');
  putdec(acc.z);
  putstr("\nequal: ");
  putdec(memcmp(&arr[5], &arr[3], sizeof arr[3]));
  putch(' ');
  putdec(memcmp(&arr[1], &arr[1], sizeof arr[1]));
  putch('\n');
  return 0;
}
