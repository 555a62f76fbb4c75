/* Sorting: insertion sort, quicksort, merge sort and heap sort of pseudo-random arrays, checked and summed. */
#include "../libc/tinylibc.h"

static uint32_t rng = 12345;
static uint32_t next_rand(void) {
  rng = rng * 1103515245u + 12345u;
  return rng >> 1;
}

static void insertion(int *a, int n) {
  for (int i = 1; i < n; i++) {
    int v = a[i], j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quick(long *a, int lo, int hi) {
  while (lo < hi) {
    long p = a[(lo + hi) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quick(a, lo, j);
      lo = i;
    } else {
      quick(a, i, hi);
      hi = j;
    }
  }
}

static void merge_sort(short *a, short *tmp, int n) {
  if (n < 2) return;
  int h = n / 2;
  merge_sort(a, tmp, h);
  merge_sort(a + h, tmp, n - h);
  int i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
  while (i < h) tmp[k++] = a[i++];
  while (j < n) tmp[k++] = a[j++];
  memcpy(a, tmp, (size_t)n * sizeof(short));
}

static void sift(unsigned char *a, int start, int end) {
  int root = start;
  while (2 * root + 1 <= end) {
    int child = 2 * root + 1, sw = root;
    if (a[sw] < a[child]) sw = child;
    if (child + 1 <= end && a[sw] < a[child + 1]) sw = child + 1;
    if (sw == root) return;
    unsigned char t = a[root];
    a[root] = a[sw];
    a[sw] = t;
    root = sw;
  }
}

static void heap_sort(unsigned char *a, int n) {
  for (int s = (n - 2) / 2; s >= 0; s--) sift(a, s, n - 1);
  for (int e = n - 1; e > 0; e--) {
    unsigned char t = a[e];
    a[e] = a[0];
    a[0] = t;
    sift(a, 0, e - 1);
  }
}

int main(void) {
  static int ai[300];
  static long al[1000];
  static short as[777], tmp[777];
  static unsigned char ab[513];
  for (int i = 0; i < 300; i++) ai[i] = (int)(next_rand() % 2001) - 1000;
  for (int i = 0; i < 1000; i++) al[i] = (long)next_rand() * (long)next_rand() - (1L << 60);
  for (int i = 0; i < 777; i++) as[i] = (short)next_rand();
  for (int i = 0; i < 513; i++) ab[i] = (unsigned char)next_rand();
  insertion(ai, 300);
  quick(al, 0, 999);
  merge_sort(as, tmp, 777);
  heap_sort(ab, 513);
  int bad = 0;
  long sum = 0;
  for (int i = 1; i < 300; i++) bad += ai[i - 1] > ai[i];
  for (int i = 1; i < 1000; i++) bad += al[i - 1] > al[i];
  for (int i = 1; i < 777; i++) bad += as[i - 1] > as[i];
  for (int i = 1; i < 513; i++) bad += ab[i - 1] > ab[i];
  for (int i = 0; i < 300; i++) sum += ai[i] * (i + 1);
  for (int i = 0; i < 777; i += 7) sum ^= as[i];
  putstr("unsorted pairs: ");
  putdec(bad);
  putstr("\nmin/max int: ");
  putdec(ai[0]);
  putch(' ');
  putdec(ai[299]);
  putstr("\nmin/max long: ");
  putdec(al[0]);
  putch(' ');
  putdec(al[999]);
  putstr("\nmedian short: ");
  putdec(as[388]);
  putstr("\nbytes: ");
  for (int i = 0; i < 513; i += 64) {
    puthex(ab[i], 2);
    putch(' ');
  }
  putstr("\nchecksum: ");
  putdec(sum);
  putch('\n');
  return bad;
}
