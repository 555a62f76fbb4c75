/* Heap data structures on a brk bump allocator: a linked list, a binary search tree and a hash map. */
#include "../libc/tinylibc.h"

struct node { long key; struct node *next; };
struct tree { long key; int count; struct tree *left, *right; };
struct entry { unsigned long key; long value; struct entry *next; };

static struct tree *insert(struct tree *t, long key) {
  if (t == NULL) {
    t = malloc(sizeof *t);
    t->key = key;
    t->count = 1;
    t->left = t->right = NULL;
    return t;
  }
  if (key < t->key) t->left = insert(t->left, key);
  else if (key > t->key) t->right = insert(t->right, key);
  else t->count++;
  return t;
}

static int depth(const struct tree *t) {
  if (t == NULL) return 0;
  int l = depth(t->left), r = depth(t->right);
  return 1 + (l > r ? l : r);
}

static long walk(const struct tree *t, long acc) {
  if (t == NULL) return acc;
  acc = walk(t->left, acc);
  acc = acc * 3 + t->key * t->count;
  return walk(t->right, acc);
}

int main(void) {
  struct node *head = NULL;
  for (long i = 0; i < 1000; i++) {
    struct node *n = malloc(sizeof *n);
    n->key = i * i % 1009;
    n->next = head;
    head = n;
  }
  long s = 0;
  int len = 0;
  for (struct node *p = head; p; p = p->next) s += p->key, len++;
  struct node *rev = NULL;
  while (head) {
    struct node *nx = head->next;
    head->next = rev;
    rev = head;
    head = nx;
  }
  putstr("list: ");
  putdec(len);
  putch(' ');
  putdec(s);
  putch(' ');
  putdec(rev->key);
  putch(' ');
  putdec(rev->next->next->key);
  struct tree *root = NULL;
  unsigned long x = 7;
  for (int i = 0; i < 3000; i++) {
    x = x * 6364136223846793005UL + 1442695040888963407UL;
    root = insert(root, (long)(x >> 40) % 5000 - 2500);
  }
  putstr("\ntree: depth ");
  putdec(depth(root));
  putstr(" walk ");
  putdec(walk(root, 0));
  enum { BUCKETS = 257 };
  struct entry **map = malloc(BUCKETS * sizeof *map);
  memset(map, 0, BUCKETS * sizeof *map);
  for (unsigned long k = 0; k < 20000; k += 3) {
    unsigned long h = (k * 0x9E3779B97F4A7C15UL) >> 55;
    h %= BUCKETS;
    struct entry *e = map[h];
    while (e && e->key != k % 4000) e = e->next;
    if (!e) {
      e = malloc(sizeof *e);
      e->key = k % 4000;
      e->value = 0;
      e->next = map[h];
      map[h] = e;
    }
    e->value += (long)k;
  }
  long total = 0;
  int longest = 0, used = 0;
  for (int b = 0; b < BUCKETS; b++) {
    int l = 0;
    for (struct entry *e = map[b]; e; e = e->next) total += e->value ^ (long)e->key, l++;
    if (l > longest) longest = l;
    used += l > 0;
  }
  putstr("\nmap: ");
  putdec(total);
  putch(' ');
  putdec(longest);
  putch(' ');
  putdec(used);
  putch('\n');
  return 0;
}
