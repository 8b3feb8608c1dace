#include <string.h>

#include "revocation.h"

/*
 * certificateHold (6) and removeFromCRL (8) are left out: scca revocation
 * is final.  aACompromise (10) concerns attribute certificates.
 */
static const struct revocation_row {
	const char *name;
	int code;
} revocation_table[] = {
	{ "unspecified", 0 },
	{ "keyCompromise", 1 },
	{ "cACompromise", 2 },
	{ "affiliationChanged", 3 },
	{ "superseded", 4 },
	{ "cessationOfOperation", 5 },
	{ "privilegeWithdrawn", 9 },
};

int
revocation_code(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(revocation_table) / sizeof(revocation_table[0]);
	    i++)
		if (strcmp(revocation_table[i].name, name) == 0)
			return revocation_table[i].code;
	return -1;
}
