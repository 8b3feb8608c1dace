/* Certificates (SC1.md section 9): loading credentials, trust anchors
 * and CRLs, path validation with section 9's alert table, and name
 * matching. The CA names of ClientCertRequest are in canames.c. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#define _DEFAULT_SOURCE 1  /* timegm */
#include <stdint.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "certname.h"
#include "sovchain.h"

#define CERT_RSA_MIN_BITS 2048

static int ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int ascii_ieqn(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i])
		    != ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* ---- Loading */

/* OSSL_STORE asks for a passphrase through a UI method; ours answers with
 * the configured one, or fails, so a library call never prompts. */
static int cert_pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return -1;
	n = strlen(pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

/* Every object of type `want` at `source`, in order, handed to `take`. */
static int cert_store_each(OSSL_LIB_CTX *libctx, const char *propq,
			   const char *source, const char *pass, int want,
			   int (*take)(OSSL_STORE_INFO *info, void *arg),
			   void *arg)
{
	UI_METHOD *ui = NULL;
	OSSL_STORE_CTX *sctx = NULL;
	int ret = SC_ERR_LOAD, got = 0;

	if ((ui = UI_UTIL_wrap_read_pem_callback(cert_pass_cb, 0)) == NULL)
		return SC_ERR_NOMEM;
	ERR_set_mark();
	sctx = OSSL_STORE_open_ex(source, libctx, propq, ui, (void *)pass,
				  NULL, NULL, NULL);
	if (sctx == NULL)
		goto out;
	if (OSSL_STORE_expect(sctx, want) != 1)
		goto out;
	/* Each load consumes an object; an object of another type (a key
	 * next to the certificates) comes back NULL with an error queued, and
	 * is skipped. The bound only guards against a loader that does not
	 * advance. */
	for (int tries = 0; !OSSL_STORE_eof(sctx) && tries < 4096; tries++) {
		OSSL_STORE_INFO *info = OSSL_STORE_load(sctx);
		int r;

		if (info == NULL)
			continue;
		if (OSSL_STORE_INFO_get_type(info) != want) {
			OSSL_STORE_INFO_free(info);
			continue;
		}
		r = take(info, arg);
		OSSL_STORE_INFO_free(info);
		if (r < 0) {
			ret = r;
			goto out;
		}
		got++;
		if (r == 0)
			break; /* the taker has what it needs */
	}
	if (got > 0)
		ret = SC_OK;
out:
	/* Skipped objects leave noise; a failure keeps its reasons. */
	if (ret == SC_OK)
		ERR_pop_to_mark();
	else
		ERR_clear_last_mark();
	OSSL_STORE_close(sctx);
	UI_destroy_method(ui);
	return ret;
}

static int take_cert(OSSL_STORE_INFO *info, void *arg)
{
	STACK_OF(X509) *chain = arg;
	X509 *x = OSSL_STORE_INFO_get1_CERT(info);

	if (x == NULL)
		return SC_ERR_LOAD;
	if (!sk_X509_push(chain, x)) {
		X509_free(x);
		return SC_ERR_NOMEM;
	}
	return 1;
}

int cert_load_chain(OSSL_LIB_CTX *libctx, const char *propq,
		    const char *source, STACK_OF(X509) **chain)
{
	STACK_OF(X509) *sk;
	int ret;

	if (source == NULL || chain == NULL)
		return SC_ERR_ARG;
	if ((sk = sk_X509_new_null()) == NULL)
		return SC_ERR_NOMEM;
	ret = cert_store_each(libctx, propq, source, NULL,
			      OSSL_STORE_INFO_CERT, take_cert, sk);
	if (ret != SC_OK) {
		sk_X509_pop_free(sk, X509_free);
		return ret;
	}
	*chain = sk;
	return SC_OK;
}

static int take_key(OSSL_STORE_INFO *info, void *arg)
{
	EVP_PKEY **key = arg;

	if ((*key = OSSL_STORE_INFO_get1_PKEY(info)) == NULL)
		return SC_ERR_LOAD;
	return 0;
}

int cert_load_key(OSSL_LIB_CTX *libctx, const char *propq,
		  const char *source, const char *pass, EVP_PKEY **key)
{
	EVP_PKEY *k = NULL;
	int ret;

	if (source == NULL || key == NULL)
		return SC_ERR_ARG;
	ret = cert_store_each(libctx, propq, source, pass,
			      OSSL_STORE_INFO_PKEY, take_key, &k);
	if (ret != SC_OK) {
		EVP_PKEY_free(k);
		return ret;
	}
	*key = k;
	return SC_OK;
}

/*
 * The next certificate of a PEM file (pem) or the one of a DER file, made
 * in libctx so that its public key is decoded there: NULL at the end.
 */
static X509 *read_x509(OSSL_LIB_CTX *libctx, const char *propq, BIO *bio,
		       int pem)
{
	X509 *x = X509_new_ex(libctx, propq);

	if (x == NULL)
		return NULL;
	if ((pem ? PEM_read_bio_X509(bio, &x, NULL, NULL)
		 : d2i_X509_bio(bio, &x)) == NULL) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Appends x to out; frees it if that fails. */
static int push_cert(STACK_OF(X509) *out, X509 *x)
{
	if (sk_X509_push(out, x))
		return SC_OK;
	X509_free(x);
	return SC_ERR_NOMEM;
}

/* The certificates of a PEM file (several) or of a DER file (one). */
static int cert_read_file(OSSL_LIB_CTX *libctx, const char *propq,
			  const char *path, STACK_OF(X509) *out)
{
	BIO *bio;
	X509 *x;
	int n = 0, ret = SC_OK;

	if ((bio = BIO_new_file(path, "rb")) == NULL)
		return SC_ERR_LOAD;
	ERR_set_mark();
	while (ret == SC_OK && (x = read_x509(libctx, propq, bio, 1)) != NULL) {
		ret = push_cert(out, x);
		n++;
	}
	if (n == 0 && BIO_reset(bio) == 0
	    && (x = read_x509(libctx, propq, bio, 0)) != NULL) {
		ret = push_cert(out, x);
		n++;
	}
	/* Reading stops at the end of the file with an error entry. */
	ERR_pop_to_mark();
	BIO_free(bio);
	if (ret != SC_OK)
		return ret;
	return n > 0 ? SC_OK : SC_ERR_LOAD;
}

int cert_load_trust(OSSL_LIB_CTX *libctx, const char *propq, X509_STORE *store,
		    STACK_OF(X509) *anchors, const char *cafile, const char *capath)
{
	STACK_OF(X509) *certs = NULL;
	int ret;

	if (store == NULL || (cafile == NULL && capath == NULL))
		return SC_ERR_ARG;
	if (cafile != NULL) {
		if ((certs = sk_X509_new_null()) == NULL)
			return SC_ERR_NOMEM;
		if ((ret = cert_read_file(libctx, propq, cafile, certs)) != SC_OK)
			goto out;
		for (int i = 0; i < sk_X509_num(certs); i++) {
			X509 *x = sk_X509_value(certs, i);

			if (!X509_STORE_add_cert(store, x)) {
				ret = SC_ERR_LOAD;
				goto out;
			}
			/* Section 4, message 4: the CA names, in file order. */
			if (anchors != NULL) {
				if (!X509_up_ref(x))
					goto fail;
				if (!sk_X509_push(anchors, x)) {
					X509_free(x);
					goto fail;
				}
			}
		}
	}
	if (capath != NULL && !X509_STORE_load_path(store, capath)) {
		ret = SC_ERR_LOAD;
		goto out;
	}
	ret = SC_OK;
	goto out;
fail:
	ret = SC_ERR_NOMEM;
out:
	sk_X509_pop_free(certs, X509_free);
	return ret;
}

/* The next CRL of a PEM file (pem) or the one of a DER file, made in
 * libctx: NULL at the end. */
static X509_CRL *read_crl(OSSL_LIB_CTX *libctx, const char *propq, BIO *bio,
			  int pem)
{
	X509_CRL *crl = X509_CRL_new_ex(libctx, propq);

	if (crl == NULL)
		return NULL;
	if ((pem ? PEM_read_bio_X509_CRL(bio, &crl, NULL, NULL)
		 : d2i_X509_CRL_bio(bio, &crl)) == NULL) {
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

int cert_load_crl(OSSL_LIB_CTX *libctx, const char *propq, X509_STORE *store,
		  const char *crlfile)
{
	BIO *bio;
	X509_CRL *crl;
	int n = 0, ret = SC_ERR_LOAD;

	if (store == NULL || crlfile == NULL)
		return SC_ERR_ARG;
	if ((bio = BIO_new_file(crlfile, "rb")) == NULL)
		return SC_ERR_LOAD;
	ERR_set_mark();
	while ((crl = read_crl(libctx, propq, bio, 1)) != NULL
	       || (n == 0 && BIO_reset(bio) == 0
		   && (crl = read_crl(libctx, propq, bio, 0)) != NULL)) {
		int ok = X509_STORE_add_crl(store, crl);

		X509_CRL_free(crl);
		if (!ok)
			goto out;
		n++;
	}
	if (n > 0)
		ret = SC_OK;
out:
	ERR_pop_to_mark();
	BIO_free(bio);
	return ret;
}

/* Section 8's key types: Ed25519, Ed448, ECDSA P-256/P-384, RSA >= 2048. */
static int cert_key_type_ok(EVP_PKEY *key)
{
	char group[64];
	size_t glen = 0;

	if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
		return 1;
	if (EVP_PKEY_is_a(key, "RSA"))
		return EVP_PKEY_get_bits(key) >= CERT_RSA_MIN_BITS;
	if (EVP_PKEY_is_a(key, "EC")) {
		if (!EVP_PKEY_get_group_name(key, group, sizeof(group), &glen))
			return 0;
		return ascii_ieqn(group, "prime256v1", sizeof("prime256v1"))
		    || ascii_ieqn(group, "P-256", sizeof("P-256"))
		    || ascii_ieqn(group, "secp384r1", sizeof("secp384r1"))
		    || ascii_ieqn(group, "P-384", sizeof("P-384"));
	}
	return 0;
}

int cert_key_matches(X509 *leaf, EVP_PKEY *key)
{
	EVP_PKEY *pub;

	if (leaf == NULL || key == NULL)
		return 0;
	if ((pub = X509_get0_pubkey(leaf)) == NULL)
		return 0;
	return EVP_PKEY_eq(pub, key) == 1 && cert_key_type_ok(key);
}

/* ---- Parsing a received chain (section 4, messages 3 and 5) */

static void set_detail(char *detail, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_detail(char *detail, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (detail == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, cap, fmt, ap);
	va_end(ap);
}

int cert_parse_chain(const uint8_t *const *der, const size_t *der_len,
		     size_t n, OSSL_LIB_CTX *libctx, const char *propq,
		     STACK_OF(X509) **chain, uint8_t *alert, char *detail,
		     size_t detail_cap)
{
	STACK_OF(X509) *sk;

	if ((n > 0 && (der == NULL || der_len == NULL)) || chain == NULL
	    || alert == NULL)
		return SC_ERR_ARG;
	if ((sk = sk_X509_new_null()) == NULL)
		return SC_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x;

		if ((x = X509_new_ex(libctx, propq)) == NULL) {
			sk_X509_pop_free(sk, X509_free);
			return SC_ERR_NOMEM;
		}
		ERR_set_mark();
		if (der[i] == NULL || der_len[i] == 0 || der_len[i] > LONG_MAX
		    || d2i_X509(&x, &p, (long)der_len[i]) == NULL
		    || p != der[i] + der_len[i]) {
			ERR_pop_to_mark();
			X509_free(x);
			sk_X509_pop_free(sk, X509_free);
			*alert = SC_ALERT_BAD_CERTIFICATE;
			set_detail(detail, detail_cap,
				   "certificate %zu of the chain is not a DER X.509 certificate",
				   i + 1);
			return SC_ERR_PROTOCOL;
		}
		ERR_pop_to_mark();
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			sk_X509_pop_free(sk, X509_free);
			return SC_ERR_NOMEM;
		}
	}
	*chain = sk;
	return SC_OK;
}

/* ---- Verification (section 9) */

/* A subject for a log line, RFC 2253 style: "CN=x,O=y". */
static void name_text(X509 *x, char *out, size_t cap)
{
	BIO *bio;
	long n;
	char *data;

	snprintf(out, cap, "(unknown)");
	if (x == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
			       XN_FLAG_RFC2253) >= 0
	    && (n = BIO_get_mem_data(bio, &data)) > 0)
		snprintf(out, cap, "%.*s", (int)(n > INT_MAX ? INT_MAX : n),
			 data);
	BIO_free(bio);
}

static void time_text(time_t t, char *out, size_t cap)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL
	    || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, cap, "%lld", (long long)t);
}

/* Section 9's table, from OpenSSL's verification error. */
static uint8_t alert_for(int err)
{
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		return SC_ALERT_UNKNOWN_CA;
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return SC_ALERT_CERTIFICATE_EXPIRED;
	case X509_V_ERR_CERT_REVOKED:
		return SC_ALERT_CERTIFICATE_REVOKED;
	default:
		/* Bad issuer signature, issuer not a CA or without
		 * keyCertSign, path too long, unhandled critical extension,
		 * CRL problems: "anything else". */
		return SC_ALERT_BAD_CERTIFICATE;
	}
}

static void detail_for(int err, X509 *x, time_t t, char *detail, size_t cap)
{
	char name[256], when[32];

	name_text(x, name, sizeof(name));
	switch (alert_for(err)) {
	case SC_ALERT_UNKNOWN_CA:
		set_detail(detail, cap, "no path from %s to a trust anchor",
			   name);
		break;
	case SC_ALERT_CERTIFICATE_EXPIRED:
		time_text(t, when, sizeof(when));
		set_detail(detail, cap, "certificate %s not valid at %s", name,
			   when);
		break;
	case SC_ALERT_CERTIFICATE_REVOKED:
		set_detail(detail, cap, "certificate %s is revoked", name);
		break;
	default:
		set_detail(detail, cap, "certificate %s rejected: %s", name,
			   X509_verify_cert_error_string(err));
		break;
	}
}

/* Section 9: "the validity times of every certificate in the path (the
 * trust anchor included)". OpenSSL checks them too; this keeps the rule
 * independent of its flags. */
static X509 *first_out_of_time(STACK_OF(X509) *path, time_t t)
{
	for (int i = 0; i < sk_X509_num(path); i++) {
		X509 *x = sk_X509_value(path, i);

		if (X509_cmp_time(X509_get0_notBefore(x), &t) >= 0
		    || X509_cmp_time(X509_get0_notAfter(x), &t) <= 0)
			return x;
	}
	return NULL;
}

/* The leaf's keyUsage, extended key usage and key type (section 9). */
static int leaf_fit(X509 *leaf, int peer_is_server, char *detail, size_t cap)
{
	uint32_t flags = X509_get_extension_flags(leaf);
	EVP_PKEY *pub = X509_get0_pubkey(leaf);

	if ((flags & EXFLAG_KUSAGE)
	    && !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
		set_detail(detail, cap,
			   "leaf key usage lacks digitalSignature");
		return 0;
	}
	/* anyExtendedKeyUsage alone does not count: only the role's bit. */
	if (flags & EXFLAG_XKUSAGE) {
		uint32_t need = peer_is_server ? XKU_SSL_SERVER : XKU_SSL_CLIENT;

		if (!(X509_get_extended_key_usage(leaf) & need)) {
			set_detail(detail, cap,
				   "leaf extended key usage lacks %s",
				   peer_is_server ? "serverAuth"
						  : "clientAuth");
			return 0;
		}
	}
	if (pub == NULL || !cert_key_type_ok(pub)) {
		set_detail(detail, cap, "leaf key type not supported");
		return 0;
	}
	return 1;
}

static int asn1_to_time(const ASN1_TIME *a, time_t *t)
{
	struct tm tm;

	if (a == NULL || !ASN1_TIME_to_tm(a, &tm))
		return 0;
	*t = timegm(&tm);
	return 1;
}

/* With CRL checking the verdict at `t` also rests on the CRLs OpenSSL
 * consulted: those of each certificate's issuer (its default lookup). It
 * holds from the latest lastUpdate of those current at t until the
 * earliest nextUpdate (past it the CRL has expired and a fresh check
 * fails), and only until a newer CRL that is not yet current becomes so. */
static int crl_window(X509_STORE_CTX *sctx, STACK_OF(X509) *path, time_t t,
		      time_t *from, time_t *until)
{
	for (int i = 0; i < sk_X509_num(path); i++) {
		STACK_OF(X509_CRL) *crls;
		int ok = 1;

		ERR_set_mark();
		crls = X509_STORE_CTX_get1_crls(sctx,
			X509_get_issuer_name(sk_X509_value(path, i)));
		ERR_pop_to_mark();
		/* The leaf passed its CRL check, so its issuer has one. */
		if (crls == NULL && i == 0)
			return 0;
		for (int j = 0; ok && j < sk_X509_CRL_num(crls); j++) {
			X509_CRL *crl = sk_X509_CRL_value(crls, j);
			const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
			time_t lu, nu = (time_t)INT64_MAX;

			ok = asn1_to_time(X509_CRL_get0_lastUpdate(crl), &lu)
			     && (next == NULL || asn1_to_time(next, &nu));
			if (!ok || nu <= t)
				continue;       /* expired: not the one used */
			if (lu > t) {
				if (lu < *until)
					*until = lu;
				continue;
			}
			if (lu > *from)
				*from = lu;
			if (nu < *until)
				*until = nu;
		}
		sk_X509_CRL_pop_free(crls, X509_CRL_free);
		if (!ok)
			return 0;
	}
	return 1;
}

/* The span in which every certificate of a verified path is valid, and
 * the CRLs it was checked against current: what a cached verdict may be
 * reused for (notBefore <= now < notAfter, as first_out_of_time). */
static int path_window(X509_STORE_CTX *sctx, int check_crl, time_t t,
		       time_t *from, time_t *until)
{
	STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(sctx);

	*from = 0;
	*until = (time_t)INT64_MAX;
	for (int i = 0; i < sk_X509_num(path); i++) {
		X509 *x = sk_X509_value(path, i);
		time_t nb, na;

		if (!asn1_to_time(X509_get0_notBefore(x), &nb)
		    || !asn1_to_time(X509_get0_notAfter(x), &na))
			return 0;
		if (nb > *from)
			*from = nb;
		if (na < *until)
			*until = na;
	}
	return !check_crl || crl_window(sctx, path, t, from, until);
}

int cert_verify_chain(const cert_verify_params *p, STACK_OF(X509) *chain,
		      uint8_t *alert, char *detail, size_t detail_cap)
{
	X509_STORE_CTX *sctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	X509_VERIFY_PARAM *vp;
	X509 *leaf, *bad;
	time_t t;
	int ret = SC_ERR_CRYPTO, ok;

	if (p == NULL || p->store == NULL || chain == NULL || alert == NULL
	    || sk_X509_num(chain) < 1)
		return SC_ERR_ARG;
	leaf = sk_X509_value(chain, 0);
	t = p->verify_time != 0 ? p->verify_time : time(NULL);

	/* Intermediates may come from the chain (section 9). */
	if ((untrusted = sk_X509_dup(chain)) == NULL)
		return SC_ERR_NOMEM;
	(void)sk_X509_shift(untrusted);
	if ((sctx = X509_STORE_CTX_new_ex(p->libctx, p->propq)) == NULL) {
		ret = SC_ERR_NOMEM;
		goto out;
	}
	if (!X509_STORE_CTX_init(sctx, p->store, leaf, untrusted))
		goto out;
	vp = X509_STORE_CTX_get0_param(sctx);
	X509_VERIFY_PARAM_set_time(vp, t);
	/* No purpose: the leaf's usages are checked below, so that the alert
	 * follows section 9's table rather than OpenSSL's purpose rules. */
	if (p->check_crl)
		X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_CRL_CHECK
						| X509_V_FLAG_CRL_CHECK_ALL);
	else
		X509_VERIFY_PARAM_clear_flags(vp, X509_V_FLAG_CRL_CHECK
						  | X509_V_FLAG_CRL_CHECK_ALL);

	ERR_set_mark();
	ok = X509_verify_cert(sctx);
	ERR_pop_to_mark();
	if (ok <= 0) {
		int err = X509_STORE_CTX_get_error(sctx);
		X509 *cur = X509_STORE_CTX_get_current_cert(sctx);

		if (err == X509_V_OK) /* an internal failure, not a verdict */
			goto out;
		*alert = alert_for(err);
		detail_for(err, cur != NULL ? cur : leaf, t, detail,
			   detail_cap);
		ret = SC_ERR_PROTOCOL;
		goto out;
	}
	if ((bad = first_out_of_time(X509_STORE_CTX_get0_chain(sctx), t))
	    != NULL) {
		*alert = SC_ALERT_CERTIFICATE_EXPIRED;
		detail_for(X509_V_ERR_CERT_HAS_EXPIRED, bad, t, detail,
			   detail_cap);
		ret = SC_ERR_PROTOCOL;
		goto out;
	}
	if (!leaf_fit(leaf, p->peer_is_server, detail, detail_cap)) {
		*alert = SC_ALERT_UNSUPPORTED_CERTIFICATE;
		ret = SC_ERR_PROTOCOL;
		goto out;
	}
	if (p->expected_name != NULL
	    && !cert_name_matches(leaf, p->expected_name)) {
		*alert = SC_ALERT_BAD_CERTIFICATE;
		set_detail(detail, detail_cap,
			   "%s certificate does not match name '%s'",
			   p->peer_is_server ? "server" : "client",
			   p->expected_name);
		ret = SC_ERR_PROTOCOL;
		goto out;
	}
	if (p->valid_from != NULL && p->valid_until != NULL
	    && !path_window(sctx, p->check_crl, t, p->valid_from,
			    p->valid_until))
		goto out;
	ret = SC_OK;
out:
	X509_STORE_CTX_free(sctx);
	sk_X509_free(untrusted);
	return ret;
}

/* ---- Names (section 9) */

/* A DNS label sequence "a.b.c": non-empty labels, no '*'. */
static int dns_labels(const char *s, size_t n, int *labels)
{
	size_t start = 0;

	*labels = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (i == start)
				return 0;
			(*labels)++;
			start = i + 1;
		} else if (s[i] == '*' || s[i] == '\0') {
			return 0;
		}
	}
	return 1;
}

/* One SAN dNSName against a host name. A wildcard is the whole left-most
 * label, with at least two labels after it, and stands for one label. */
static int dns_match(const char *pat, size_t plen, const char *host)
{
	size_t hlen = strlen(host);
	int labels;

	if (!dns_labels(host, hlen, &labels))
		return 0;
	if (plen >= 2 && pat[0] == '*' && pat[1] == '.') {
		const char *dot = memchr(host, '.', hlen);
		size_t rest;

		if (!dns_labels(pat + 2, plen - 2, &labels) || labels < 2)
			return 0;
		if (dot == NULL || dot == host)
			return 0;
		rest = hlen - (size_t)(dot + 1 - host);
		return rest == plen - 2 && ascii_ieqn(dot + 1, pat + 2, rest);
	}
	if (!dns_labels(pat, plen, &labels))
		return 0;
	return plen == hlen && ascii_ieqn(pat, host, hlen);
}

int cert_name_matches(X509 *leaf, const char *name)
{
	GENERAL_NAMES *sans;
	unsigned char ip[16];
	size_t iplen = 0;
	int match = 0;

	if (leaf == NULL || name == NULL || name[0] == '\0')
		return 0;
	if (inet_pton(AF_INET, name, ip) == 1)
		iplen = 4;
	else if (inet_pton(AF_INET6, name, ip) == 1)
		iplen = 16;

	/* subjectAltName only: no fallback to the subject CN. */
	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; !match && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);

		if (iplen > 0 && gn->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *o = gn->d.iPAddress;

			match = (size_t)ASN1_STRING_length(o) == iplen
			     && memcmp(ASN1_STRING_get0_data(o), ip, iplen) == 0;
		} else if (iplen == 0 && gn->type == GEN_DNS) {
			const ASN1_IA5STRING *s = gn->d.dNSName;
			int l = ASN1_STRING_length(s);

			match = l > 0
			     && dns_match((const char *)ASN1_STRING_get0_data(s),
					  (size_t)l, name);
		}
	}
	GENERAL_NAMES_free(sans);
	return match;
}

/* Printable ASCII for a log line and a policy string; anything else
 * becomes '?'. */
static int put_identity(char *out, size_t cap, const char *tag,
			const unsigned char *v, size_t n)
{
	size_t tl = strlen(tag);

	if (tl + n + 1 > cap)
		return SC_ERR_ARG;
	memcpy(out, tag, tl);
	for (size_t i = 0; i < n; i++)
		out[tl + i] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
	out[tl + n] = '\0';
	return SC_OK;
}

static int san_identity(X509 *leaf, char *out, size_t cap)
{
	GENERAL_NAMES *sans;
	int ret = SC_ERR_ARG;

	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		const ASN1_STRING *s;
		char txt[INET6_ADDRSTRLEN];

		switch (gn->type) {
		case GEN_DNS:
		case GEN_URI:
			s = gn->type == GEN_DNS ? gn->d.dNSName
						: gn->d.uniformResourceIdentifier;
			ret = put_identity(out, cap,
					   gn->type == GEN_DNS ? "DNS:" : "URI:",
					   ASN1_STRING_get0_data(s),
					   (size_t)ASN1_STRING_length(s));
			break;
		case GEN_IPADD:
			s = gn->d.iPAddress;
			/* The length first: inet_ntop reads 4 or 16 bytes. */
			if ((ASN1_STRING_length(s) != 4
			     && ASN1_STRING_length(s) != 16)
			    || inet_ntop(ASN1_STRING_length(s) == 4 ? AF_INET
								    : AF_INET6,
					 ASN1_STRING_get0_data(s), txt,
					 sizeof(txt)) == NULL)
				continue;
			ret = put_identity(out, cap, "IP:",
					   (const unsigned char *)txt,
					   strlen(txt));
			break;
		default:
			continue;
		}
		break;
	}
	GENERAL_NAMES_free(sans);
	return ret;
}

/* SC_OK, SC_ERR_ARG (does not fit or does not convert), or 1: no CN to
 * name the client by, either none or more than one (certname.h). */
static int cn_identity(X509 *leaf, char *out, size_t cap)
{
	unsigned char *utf8 = NULL;
	int n = certname_cn(leaf, &utf8), ret;

	if (n == CERTNAME_NO_CN || n == CERTNAME_MANY_CN)
		return 1; /* the caller falls back to the SAN */
	if (n <= 0) {
		OPENSSL_free(utf8);
		return SC_ERR_ARG;
	}
	ret = put_identity(out, cap, "CN:", utf8, (size_t)n);
	OPENSSL_free(utf8);
	return ret;
}

int cert_identity(X509 *leaf, int is_server, char *out, size_t cap)
{
	if (leaf == NULL || out == NULL || cap == 0)
		return SC_ERR_ARG;
	out[0] = '\0';
	if (!is_server) {
		int r = cn_identity(leaf, out, cap);

		if (r != 1) {
			if (r != SC_OK)
				out[0] = '\0';
			return r;
		}
	}
	if (san_identity(leaf, out, cap) == SC_OK)
		return SC_OK;
	out[0] = '\0';
	return SC_ERR_ARG;
}
