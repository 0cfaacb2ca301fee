// SPDX-License-Identifier: GPL-2.0
/*
 * observe_load [PAGES]: a small scripted workload for test_observe.sh's
 * perf check. The origin writes PAGES pages, the thread migrates to node 1
 * and writes each one (write faults there), comes back and reads each one
 * (PAGES read faults at the origin, each recalling node 1's copy).
 * Exit status 0 when every page reads back what node 1 wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "popcorn.h"

#define PAGE	4096

int main(int argc, char **argv)
{
	int pages = argc > 1 ? atoi(argv[1]) : 32;
	volatile char *p;
	int i, bad = 0;

	if (pages <= 0) {
		fprintf(stderr, "usage: observe_load [PAGES]\n");
		return 2;
	}
	p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset((void *)p, 1, (size_t)pages * PAGE);
	if (popcorn_migrate(1)) {
		perror("popcorn_migrate(1)");
		return 1;
	}
	for (i = 0; i < pages; i++)
		p[(size_t)i * PAGE] = 2;
	if (popcorn_migrate(0)) {
		perror("popcorn_migrate(0)");
		return 1;
	}
	for (i = 0; i < pages; i++)
		bad += p[(size_t)i * PAGE] != 2;
	printf("observe_load: %d pages, %d wrong\n", pages, bad);
	return bad ? 1 : 0;
}
