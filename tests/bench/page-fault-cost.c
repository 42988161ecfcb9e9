/* What first-touching memory costs on this machine: touches N fresh 4 KB pages one by one (one page fault each),
 * then maps N more with MAP_POPULATE (populated in bulk by the kernel) and writes them, then N more advised for 2 MB
 * transparent huge pages, and prints microseconds per page for each.
 * Prints numbers; asserts nothing. Build and run: bash tests/bench/page-fault-cost.sh [PAGES] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
    long pages = argc > 1 ? atol(argv[1]) : 4096;
    size_t size = (size_t)pages * 4096;
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    double t0 = now_us();
    for (long i = 0; i < pages; i++) p[i * 4096] = 1;
    double faulted = now_us() - t0;
    t0 = now_us();
    char *q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    double populated = now_us() - t0;
    if (q == MAP_FAILED) { perror("mmap"); return 1; }
    t0 = now_us();
    for (long i = 0; i < pages; i++) q[i * 4096] = 1;
    double written = now_us() - t0;
    /* The same number of 4 KB pages in 2 MB transparent huge pages (madvise mode): one fault per 2 MB. */
    size_t huge = 2UL << 20;
    char *h = mmap(NULL, size + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h == MAP_FAILED) { perror("mmap"); return 1; }
    h = (char *)(((unsigned long)h + huge - 1) & ~(huge - 1));
    int advised = madvise(h, size, MADV_HUGEPAGE);
    t0 = now_us();
    for (long i = 0; i < pages; i++) h[i * 4096] = 1;
    double hugepaged = now_us() - t0;
    printf("%ld pages (%ld MB)\n", pages, pages / 256);
    printf("  first touch, one page fault each: %8.2f us per page\n", faulted / pages);
    printf("  populated in bulk (MAP_POPULATE): %8.2f us per page\n", populated / pages);
    printf("  first write after populating:     %8.2f us per page\n", written / pages);
    if (advised == 0)
        printf("  first touch in 2 MB huge pages:   %8.2f us per 4 KB (%.0f us per huge page; the first time the host backs one: ms)\n",
               hugepaged / pages, hugepaged / pages * 512);
    else
        printf("  huge pages: madvise(MADV_HUGEPAGE) refused here\n");
    return 0;
}
