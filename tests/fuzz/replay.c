/* Replays fuzz inputs without libFuzzer: each file named is one input. make check runs
 * it over tests/fuzz/regress/NAME/ (crashes found by make fuzz) and the seed corpus. */
#include "fuzz.h"
#include <stdio.h>
#include <stdlib.h>


int main(int argc, char **argv)
{
	static uint8_t buf[1 << 22];
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("%d inputs replayed\n", argc - 1);
	return 0;
}
