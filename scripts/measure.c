/* The measuring helper of scripts/bench and scripts/bench-vs-cdk (compiled by them):
 *   measure RUNS COMMAND...
 * runs COMMAND RUNS times (stdout to /dev/null) and prints
 *   "<wall median ms> <wall min ms> <wall max ms> <peak RSS median MiB> <peak RSS max MiB> <CPU median ms>"
 * Wall time from spawn to exit (posix_spawnp + wait4); peak RSS as the kernel reports it for
 * the child; CPU time (user + system) of the child, which a busy machine inflates less than wall
 * time. A failing run is an error (exit 1). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
    qsort(v, n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: measure RUNS COMMAND...\n"); return 2; }
    int runs = atoi(argv[1]);
    if (runs < 1) runs = 1;
    double *wall = calloc(runs, sizeof *wall), *rss = calloc(runs, sizeof *rss), *cpu = calloc(runs, sizeof *cpu);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    for (int i = 0; i < runs; i++) {
        struct timespec a, b;
        struct rusage ru;
        pid_t pid;
        int status;
        clock_gettime(CLOCK_MONOTONIC, &a);
        int rc = posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ);
        if (rc) { fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], strerror(rc)); return 2; }
        if (wait4(pid, &status, 0, &ru) < 0) { perror("measure: wait4"); return 2; }
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "measure: %s failed (status %d)\n", argv[2], status);
            return 1;
        }
        wall[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
        rss[i] = ru.ru_maxrss / 1024.0;
        cpu[i] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    }
    double wmed = median(wall, runs), rmed = median(rss, runs), cmed = median(cpu, runs);
    printf("%.2f %.2f %.2f %.1f %.1f %.2f\n", wmed, wall[0], wall[runs - 1], rmed, rss[runs - 1], cmed);
    return 0;
}
