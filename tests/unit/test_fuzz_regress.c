/* Replays a fuzz target's committed inputs without libFuzzer, so every
 * build exercises the parser entry points and every crash ever found stays
 * fixed: the seed corpus tests/fuzz/corpus/<target>/ and the reproducers in
 * tests/fuzz/regress/<target>/ go through the target's own
 * LLVMFuzzerTestOneInput. A regression shows as an abort or, in a
 * sanitizer build, as the sanitizer's report; either fails the test.
 * Built once per target, with FUZZ_TARGET_NAME naming it.
 *   test_fuzz_<target> [file-or-dir ...]   (default: the two directories) */
#define _POSIX_C_SOURCE 200809L  /* scandir, alphasort */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_TARGET_NAME
#error "FUZZ_TARGET_NAME must name the fuzz target"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs one file through the target; -1 if it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long len;
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0
	    /* Exactly sized, so that a sanitizer sees any read past the end. */
	    && (data = malloc(len > 0 ? (size_t)len : 1)) != NULL
	    && fread(data, 1, (size_t)len, f) == (size_t)len) {
		LLVMFuzzerTestOneInput(data, (size_t)len);
		rc = 0;
	}
	free(data);
	fclose(f);
	return rc;
}

/* Every regular file of a directory (or the file itself), in name order.
 * Returns how many were replayed, -1 on a read error. */
static int replay_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n, count = 0;

	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) == 0 ? 1 : -1;
	if ((n = scandir(path, &names, NULL, alphasort)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char file[4096];

		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(file) != 0) {
				fprintf(stderr, "fuzz_%s: cannot read %s\n", FUZZ_TARGET_NAME, file);
				count = -1;
			} else if (count >= 0) {
				count++;
			}
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	const char *src = getenv("SC_SRCDIR");
	char corpus[4096], regress[4096];
	int seeds, crashes;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay_path(argv[i]) <= 0) {
				fprintf(stderr, "fuzz_%s: nothing replayed from %s\n", FUZZ_TARGET_NAME, argv[i]);
				return 1;
			}
		return 0;
	}
	if (src == NULL)
		src = ".";
	snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus/%s", src, FUZZ_TARGET_NAME);
	snprintf(regress, sizeof(regress), "%s/tests/fuzz/regress/%s", src, FUZZ_TARGET_NAME);
	seeds = replay_path(corpus);
	crashes = replay_path(regress);
	printf("fuzz_%s: %d seeds, %d regression inputs replayed\n", FUZZ_TARGET_NAME, seeds, crashes);
	/* The seed corpus is committed: finding none means the test tests nothing. */
	if (seeds == 0)
		fprintf(stderr, "fuzz_%s: no seeds under %s\n", FUZZ_TARGET_NAME, corpus);
	return seeds <= 0 || crashes < 0;
}
