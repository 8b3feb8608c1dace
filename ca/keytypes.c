#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "keytypes.h"
#include "report.h"

/*
 * SC1.md section 8 lists the signature keys SC1 knows: Ed25519, Ed448,
 * ECDSA P-256 / P-384, RSA of 2048 bits or more.
 */
static const struct keytypes_row {
	const char *name;	/* --key-type */
	const char *alg;	/* EVP_PKEY algorithm */
	const char *group;	/* EC group, or NULL */
	size_t bits;		/* RSA size for generation, or 0 */
	const char *words;	/* description */
	const char *digest;	/* for certificate and CRL signatures */
} keytypes_table[] = {
	{ "ed25519", "ED25519", NULL, 0, "Ed25519", NULL },
	{ "ed448", "ED448", NULL, 0, "Ed448", NULL },
	{ "p256", "EC", "P-256", 0, "ECDSA P-256", "SHA256" },
	{ "p384", "EC", "P-384", 0, "ECDSA P-384", "SHA384" },
	{ "rsa3072", "RSA", NULL, 3072, "RSA", "SHA256" },
};
#define KEYTYPES_N (sizeof(keytypes_table) / sizeof(keytypes_table[0]))

/* RSA keys below this size are refused (SC1.md section 8). */
#define KEYTYPES_RSA_MIN_BITS 2048

static const struct keytypes_row *
keytypes_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < KEYTYPES_N; i++)
		if (strcmp(keytypes_table[i].name, name) == 0)
			return &keytypes_table[i];
	return NULL;
}

int
keytypes_known(const char *name)
{
	return keytypes_by_name(name) != NULL;
}

EVP_PKEY *
keytypes_generate(const struct scca_env *env, const char *name)
{
	const struct keytypes_row *r = keytypes_by_name(name);
	EVP_PKEY *pkey;

	if (r == NULL) {
		report_msg(SCCA_EUSAGE, "unknown key type '%s'", name);
		return NULL;
	}
	if (r->group != NULL)
		pkey = EVP_PKEY_Q_keygen(env->libctx, env->propq, r->alg,
		    r->group);
	else if (r->bits != 0)
		pkey = EVP_PKEY_Q_keygen(env->libctx, env->propq, r->alg,
		    r->bits);
	else
		pkey = EVP_PKEY_Q_keygen(env->libctx, env->propq, r->alg);
	if (pkey == NULL)
		report_ssl(SCCA_EFAIL, "cannot generate a %s key", r->words);
	return pkey;
}

/* The row pkey belongs to, or NULL when scca does not support it. */
static const struct keytypes_row *
keytypes_of(const EVP_PKEY *pkey)
{
	char group[64];
	size_t i;

	for (i = 0; i < KEYTYPES_N; i++) {
		const struct keytypes_row *r = &keytypes_table[i];

		if (!EVP_PKEY_is_a(pkey, r->alg))
			continue;
		if (r->bits != 0)
			return EVP_PKEY_get_bits(pkey) >= KEYTYPES_RSA_MIN_BITS
			    ? r : NULL;
		if (r->group == NULL)
			return r;
		if (!EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL))
			return NULL;
		/* OpenSSL may give the SECG / X9.62 name instead of NIST's. */
		if (strcmp(group, r->group) == 0 ||
		    (strcmp(r->group, "P-256") == 0 &&
		    strcmp(group, "prime256v1") == 0) ||
		    (strcmp(r->group, "P-384") == 0 &&
		    strcmp(group, "secp384r1") == 0))
			return r;
	}
	return NULL;
}

int
keytypes_describe(const EVP_PKEY *pkey, char *buf, size_t len)
{
	const struct keytypes_row *r = keytypes_of(pkey);
	const char *name;

	if (r != NULL && r->bits != 0) {
		snprintf(buf, len, "%s %d bits", r->words,
		    EVP_PKEY_get_bits(pkey));
		return 1;
	}
	if (r != NULL) {
		snprintf(buf, len, "%s", r->words);
		return 1;
	}
	name = EVP_PKEY_get0_type_name(pkey);
	snprintf(buf, len, "%s %d bits", name != NULL ? name : "unknown",
	    EVP_PKEY_get_bits(pkey));
	return 0;
}

const char *
keytypes_digest(const EVP_PKEY *pkey)
{
	const struct keytypes_row *r = keytypes_of(pkey);

	return r != NULL ? r->digest : NULL;
}
