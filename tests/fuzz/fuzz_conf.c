/* libFuzzer target for sctunnel's configuration file parser
 * (sctunnel.conf(5)): INI lines, the option table, every value parser and
 * the validation of the whole. Input: the file's bytes. A file that loads
 * is validated (the files it names are only checked with access()) and
 * freed; one that does not must say where and why. Host names are never
 * looked up (fuzz_resolve.c). */
#define _GNU_SOURCE   /* fmemopen */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel/conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct cfg_err err;
	FILE *f;
	int rc;

	if (size == 0)
		return 0;
	if ((f = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	memset(&err, 0, sizeof(err));
	if (conf_init(&c, "fuzz.conf") != 0) {
		fclose(f);
		conf_free(&c);
		return 0;
	}
	rc = conf_load_stream(&c, f, &err);
	if (rc == 0) {
		memset(&err, 0, sizeof(err));
		rc = conf_validate(&c, &err);
	}
	/* Every refusal names the file. */
	if (rc != 0 && strncmp(err.msg, "fuzz.conf:", 10) != 0)
		abort();
	fclose(f);
	conf_free(&c);
	return 0;
}
