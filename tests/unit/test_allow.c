/* sctunnel's `allow` patterns (tunnel/allow.c) against client certificates
 * that carry the names: CN:, DNS: (case-insensitive glob), URI: (glob) and
 * IP: (exact address or prefix, IPv4 and IPv6), each matching and not
 * matching, a certificate without the SAN a pattern needs, and a pattern
 * kind never matching another kind's name. allow_match only reads the
 * certificate, so the certificates are built unsigned in memory.
 * One line per check; exit 0 when all pass, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "tunnel/allow.h"
#include "unit.h"

/* A certificate with the subject CN (none when NULL) and the SANs `san`
 * in openssl's notation (none when NULL). Aborts on failure. */
static X509 *make_cert(const char *cn, const char *san)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	if (x == NULL || name == NULL)
		abort();
	if (cn != NULL
	    && !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					   -1, -1, 0))
		abort();
	if (!X509_set_subject_name(x, name))
		abort();
	X509_NAME_free(name);
	if (san != NULL) {
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);

		if (ext == NULL || !X509_add_ext(x, ext, -1))
			abort();
		X509_EXTENSION_free(ext);
	}
	return x;
}

/* Whether `leaf` is admitted by the one pattern `pattern`. */
static int admits(X509 *leaf, const char *pattern)
{
	char *v[1] = { (char *)pattern };
	struct strv patterns = { v, 1 };
	const char *why;

	return allow_match(&patterns, leaf, &why);
}

static void expect(X509 *leaf, const char *what, const char *pattern, int want)
{
	unit_check(admits(leaf, pattern) == want, "%s %s %s", what, want ? "matches" : "does not match",
	      pattern);
}

int main(void)
{
	X509 *plain = make_cert("client.test", NULL);
	X509 *names = make_cert("app.client.test",
				"DNS:App.Example,DNS:db.internal.example.org,"
				"URI:spiffe://corp.example/svc/api,IP:10.1.2.3,IP:fd12:3456::1");
	X509 *v6only = make_cert(NULL, "IP:2001:db8::7");
	struct strv none = { NULL, 0 };
	const char *why;

	/* No patterns: anyone the CA vouches for. */
	unit_check(allow_match(&none, plain, &why) == 1, "an empty allow list admits any client");
	{
		char *v[1] = { "CN:client.test" };
		struct strv one = { v, 1 };

		unit_check(allow_match(&one, NULL, &why) == 0, "a list with patterns refuses no certificate");
	}

	/* CN: a glob over the subject's only CN. */
	expect(plain, "CN client.test", "CN:client.test", 1);
	expect(plain, "CN client.test", "CN:client.*", 1);
	expect(plain, "CN client.test", "CN:Client.test", 0);
	expect(plain, "CN client.test", "CN:other.test", 0);
	expect(names, "CN app.client.test", "CN:client.test", 0);

	/* DNS: a case-insensitive glob over each dNSName. */
	expect(names, "DNS App.Example", "DNS:app.example", 1);
	expect(names, "DNS App.Example", "DNS:*.example", 1);
	expect(names, "DNS db.internal.example.org", "DNS:db.*.example.org", 1);
	expect(names, "the DNS names", "DNS:*.example.com", 0);
	expect(names, "the DNS names", "DNS:example", 0);
	expect(plain, "a certificate without SANs", "DNS:*", 0);
	expect(plain, "a certificate without SANs (CN client.test)", "DNS:client.test", 0);

	/* URI: a case-sensitive glob over each URI. */
	expect(names, "URI spiffe://corp.example/svc/api", "URI:spiffe://corp.example/svc/api", 1);
	expect(names, "URI spiffe://corp.example/svc/api", "URI:spiffe://corp.example/svc/*", 1);
	expect(names, "URI spiffe://corp.example/svc/api", "URI:spiffe://corp.example/db/*", 0);
	expect(names, "URI spiffe://corp.example/svc/api", "URI:SPIFFE://corp.example/svc/api", 0);
	expect(plain, "a certificate without SANs", "URI:*", 0);

	/* IP: an exact address or a prefix, bit by bit. */
	expect(names, "IP 10.1.2.3", "IP:10.1.2.3", 1);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.4", 0);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.3/32", 1);
	expect(names, "IP 10.1.2.3", "IP:10.1.0.0/16", 1);
	expect(names, "IP 10.1.2.3", "IP:10.2.0.0/16", 0);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.0/30", 1);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.4/30", 0);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.2/31", 1);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.0/31", 0);
	expect(names, "IP 10.1.2.3", "IP:11.0.0.0/8", 0);
	expect(names, "IP 10.1.2.3", "IP:11.0.0.0/7", 1);
	expect(names, "IP 10.1.2.3", "IP:0.0.0.0/0", 1);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.3/33", 0);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.3/", 0);
	expect(names, "IP 10.1.2.3", "IP:10.1.2.3/-1", 0);
	expect(names, "IP 10.1.2.3", "IP:10.1.2", 0);
	expect(names, "IP fd12:3456::1", "IP:fd12:3456::1", 1);
	expect(names, "IP fd12:3456::1", "IP:fd00::/8", 1);
	expect(names, "IP fd12:3456::1", "IP:fd12:3456::/32", 1);
	expect(names, "IP fd12:3456::1", "IP:fd12:3457::/32", 0);
	expect(names, "IP fd12:3456::1", "IP:fd12:3456::/129", 0);
	expect(v6only, "IP 2001:db8::7 only", "IP:0.0.0.0/0", 0);
	expect(v6only, "IP 2001:db8::7 only", "IP:::/0", 1);
	expect(names, "IP 10.1.2.3 (IPv4 SAN)", "IP:::ffff:10.1.2.3", 0);
	expect(plain, "a certificate without SANs", "IP:0.0.0.0/0", 0);

	/* A kind matches only names of its own kind. */
	expect(names, "the names (DNS App.Example)", "URI:App.Example", 0);
	expect(names, "the names (URI spiffe://...)", "DNS:spiffe://corp.example/svc/api", 0);
	expect(names, "the names (CN app.client.test)", "DNS:app.client.test", 0);
	expect(names, "the names (IP 10.1.2.3)", "DNS:10.1.2.3", 0);
	expect(names, "the names", "EMAIL:*", 0);

	/* Several patterns: any one admits. */
	{
		char *v[3] = { "CN:nobody", "DNS:*.nowhere", "URI:spiffe://corp.example/svc/*" };
		struct strv three = { v, 3 };

		unit_check(allow_match(&three, names, &why) == 1, "the third of three patterns admits");
		unit_check(allow_match(&three, plain, &why) == 0 && why == NULL,
		      "none of three patterns admits a certificate without the names");
	}

	X509_free(plain);
	X509_free(names);
	X509_free(v6only);
	printf("%d failure(s)\n", unit_failures);
	return unit_failures ? 1 : 0;
}
