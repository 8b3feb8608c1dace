#define _GNU_SOURCE
/* The PROXY protocol codec (tunnel/proxyproto.c): headers built byte for
 * byte as HAProxy's proxy-protocol.txt lays them out, parsed back, and
 * every malformed or partial header told apart from a complete one. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "tunnel/proxyproto.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static void v4(struct proxyproto_addrs *a, const char *s, int sp, const char *d, int dp)
{
	struct sockaddr_in *src = (struct sockaddr_in *)&a->src, *dst = (struct sockaddr_in *)&a->dst;

	memset(a, 0, sizeof(*a));
	src->sin_family = dst->sin_family = AF_INET;
	inet_pton(AF_INET, s, &src->sin_addr);
	inet_pton(AF_INET, d, &dst->sin_addr);
	src->sin_port = htons((uint16_t)sp);
	dst->sin_port = htons((uint16_t)dp);
	a->srclen = a->dstlen = sizeof(struct sockaddr_in);
}

static void v6(struct proxyproto_addrs *a, const char *s, int sp, const char *d, int dp)
{
	struct sockaddr_in6 *src = (struct sockaddr_in6 *)&a->src, *dst = (struct sockaddr_in6 *)&a->dst;

	memset(a, 0, sizeof(*a));
	src->sin6_family = dst->sin6_family = AF_INET6;
	inet_pton(AF_INET6, s, &src->sin6_addr);
	inet_pton(AF_INET6, d, &dst->sin6_addr);
	src->sin6_port = htons((uint16_t)sp);
	dst->sin6_port = htons((uint16_t)dp);
	a->srclen = a->dstlen = sizeof(struct sockaddr_in6);
}

static int parse_str(const char *s, struct proxyproto_addrs *a, size_t *used, char *err)
{
	return proxyproto_parse((const uint8_t *)s, strlen(s), a, used, err, 256);
}

static int same_addrs(const struct proxyproto_addrs *x, const struct proxyproto_addrs *y)
{
	return x->local == y->local && x->srclen == y->srclen && x->dstlen == y->dstlen &&
	       memcmp(&x->src, &y->src, x->srclen) == 0 && memcmp(&x->dst, &y->dst, x->dstlen) == 0;
}

static void test_v1(void)
{
	struct proxyproto_addrs a, b;
	uint8_t out[PROXYPROTO_V1_MAX + 1];
	char err[256];
	size_t used;
	ssize_t n;

	v4(&a, "192.0.2.7", 51234, "127.0.0.1", 6000);
	n = proxyproto_build_v1(&a, out, sizeof(out));
	check(n > 0 && (size_t)n == strlen("PROXY TCP4 192.0.2.7 127.0.0.1 51234 6000\r\n") &&
	      memcmp(out, "PROXY TCP4 192.0.2.7 127.0.0.1 51234 6000\r\n", (size_t)n) == 0,
	      "v1 TCP4 line as the spec writes it");
	check(proxyproto_parse(out, (size_t)n, &b, &used, err, sizeof(err)) == 1 &&
	      used == (size_t)n && same_addrs(&a, &b), "v1 TCP4 parses back");
	v6(&a, "2001:db8::1", 1, "::1", 65535);
	n = proxyproto_build_v1(&a, out, sizeof(out));
	check(n > 0 && memcmp(out, "PROXY TCP6 2001:db8::1 ::1 1 65535\r\n", (size_t)n) == 0,
	      "v1 TCP6 line");
	check(proxyproto_parse(out, (size_t)n, &b, &used, err, sizeof(err)) == 1 && same_addrs(&a, &b),
	      "v1 TCP6 parses back");
	memset(&a, 0, sizeof(a));
	a.local = 1;
	n = proxyproto_build_v1(&a, out, sizeof(out));
	check(n == 15 && memcmp(out, "PROXY UNKNOWN\r\n", 15) == 0, "v1 UNKNOWN for a Unix-socket peer");
	check(parse_str("PROXY UNKNOWN ffff::1 ::1 1 2\r\nDATA", &b, &used, err) == 1 && b.local &&
	      used == strlen("PROXY UNKNOWN ffff::1 ::1 1 2\r\n"), "v1 UNKNOWN: the rest of the line ignored");
	check(proxyproto_build_v1(&a, out, 10) == -1, "v1 refuses a short buffer");

	/* Partial headers want more; bad ones are refused with a reason. */
	check(parse_str("PRO", &b, &used, err) == 0, "a prefix of PROXY wants more");
	check(parse_str("PROXY TCP4 1.2.3.4 5.6.7.8 1 2", &b, &used, err) == 0,
	      "a line without CRLF wants more");
	{
		char longline[200];

		memset(longline, 'A', sizeof(longline));
		memcpy(longline, "PROXY ", 6);
		check(proxyproto_parse((uint8_t *)longline, sizeof(longline), &b, &used, err, sizeof(err)) == -1 &&
		      strstr(err, "longer") != NULL, "a line past 107 bytes is refused");
	}
	const char *bad[] = {
		"GET / HTTP/1.1\r\n", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
		"PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.400 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
		"PROXY TCP4 ::1 ::1 1 2\r\n", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 -2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",
		"\x16\x03\x01\x00\x05hello",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[128];

		snprintf(what, sizeof(what), "malformed header %zu refused with a reason", i);
		err[0] = '\0';
		check(parse_str(bad[i], &b, &used, err) == -1 && err[0] != '\0', what);
	}
}

static void test_crc32c(void)
{
	check(proxyproto_crc32c((const uint8_t *)"123456789", 9) == 0xe3069283u,
	      "CRC32C check value of \"123456789\"");
}

static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

static void test_v2(void)
{
	struct proxyproto_addrs a, b;
	struct proxyproto_session s = { 0 };
	uint8_t out[PROXYPROTO_V2_MAX], id[32], der[3] = { 0x30, 0x01, 0x00 };
	char err[256];
	size_t used;
	ssize_t n;

	v4(&a, "192.0.2.7", 0x1234, "127.0.0.1", 0x5678);
	n = proxyproto_build_v2(&a, NULL, out, sizeof(out));
	{
		const uint8_t want[] = { 0x21, 0x11, 0x00, 12, 192, 0, 2, 7, 127, 0, 0, 1, 0x12, 0x34, 0x56, 0x78 };

		check(n == 28 && memcmp(out, sig, 12) == 0 && memcmp(out + 12, want, sizeof(want)) == 0,
		      "v2 TCP4 without TLVs, byte for byte");
	}
	check(proxyproto_parse(out, (size_t)n, &b, &used, err, sizeof(err)) == 1 && used == 28 && same_addrs(&a, &b),
	      "v2 TCP4 parses back");
	for (size_t k = 0; k < (size_t)n; k++)
		if (proxyproto_parse(out, k, &b, &used, err, sizeof(err)) != 0) {
			check(0, "every prefix of a v2 header wants more");
			break;
		}

	memset(id, 0xab, sizeof(id));
	s.authority = "server.test";
	s.unique_id = id;
	s.unique_id_len = sizeof(id);
	s.client_cert = 1;
	s.version = "SC1";
	s.cn = "app1";
	s.cipher = "CHACHA20-POLY1305";
	s.sig_alg = "ED25519";
	s.key_alg = "X25519";
	s.cert_der = der;
	s.cert_der_len = sizeof(der);
	s.crc32c = 1;
	v6(&a, "2001:db8::7", 443, "::1", 8443);
	n = proxyproto_build_v2(&a, &s, out, sizeof(out));
	check(n > 0 && (size_t)n <= proxyproto_v2_size(&s), "v2 with every TLV fits its size bound");
	check(out[12] == 0x21 && out[13] == 0x21 && (size_t)(out[14] << 8 | out[15]) == (size_t)n - 16,
	      "v2 TCP6 header and length");
	{
		/* Walk the TLVs after the 36 address bytes. */
		size_t off = 16 + 36;
		int seen_auth = 0, seen_id = 0, seen_ssl = 0, seen_crc = 0, subs = 0;

		while (off + 3 <= (size_t)n) {
			uint8_t t = out[off];
			size_t l = (size_t)out[off + 1] << 8 | out[off + 2];
			const uint8_t *v = out + off + 3;

			if (t == 0x02)
				seen_auth = l == 11 && memcmp(v, "server.test", 11) == 0;
			if (t == 0x05)
				seen_id = l == 32 && v[0] == 0xab;
			if (t == 0x03)
				seen_crc = l == 4;
			if (t == 0x20) {
				seen_ssl = l >= 5 && v[0] == 0x07 && v[1] == 0 && v[2] == 0 && v[3] == 0 && v[4] == 0;
				for (size_t so = 5; so + 3 <= l; so += 3 + ((size_t)v[so + 1] << 8 | v[so + 2])) {
					uint8_t st = v[so];
					size_t sl = (size_t)v[so + 1] << 8 | v[so + 2];

					subs += (st == 0x21 && sl == 3 && memcmp(v + so + 3, "SC1", 3) == 0) +
						(st == 0x22 && sl == 4 && memcmp(v + so + 3, "app1", 4) == 0) +
						(st == 0x23 && sl == 17) + (st == 0x24 && sl == 7) +
						(st == 0x25 && sl == 6) + (st == 0x28 && sl == 3 && v[so + 3] == 0x30);
				}
			}
			off += 3 + l;
		}
		check(off == (size_t)n, "the TLVs fill the header exactly");
		check(seen_auth && seen_id && seen_crc, "AUTHORITY, UNIQUE_ID and CRC32C TLVs");
		check(seen_ssl && subs == 6, "SSL TLV: client SSL|CERT_CONN|CERT_SESS, verify 0, six sub-TLVs");
	}
	check(proxyproto_parse(out, (size_t)n, &b, &used, err, sizeof(err)) == 1 && used == (size_t)n &&
	      same_addrs(&a, &b), "v2 TCP6 with TLVs and CRC32C parses back");
	out[16 + 36 + 5] ^= 1;   /* a byte of the AUTHORITY value */
	check(proxyproto_parse(out, (size_t)n, &b, &used, err, sizeof(err)) == -1 && strstr(err, "CRC32C"),
	      "a changed byte fails the CRC32C");
	out[16 + 36 + 5] ^= 1;

	/* A session without a client certificate: no CN, flags SSL only. */
	s.client_cert = 0;
	s.cert_der = NULL;
	s.crc32c = 0;
	n = proxyproto_build_v2(&a, &s, out, sizeof(out));
	check(n > 0 && memmem(out, (size_t)n, "app1", 4) == NULL, "no CN TLV without a client certificate");
	s.unique_id_len = 129;
	check(proxyproto_build_v2(&a, &s, out, sizeof(out)) == -1, "UNIQUE_ID over 128 bytes refused");
	s.unique_id_len = 32;
	check(proxyproto_build_v2(&a, &s, out, 40) == -1, "v2 refuses a short buffer");

	memset(&a, 0, sizeof(a));
	a.local = 1;
	n = proxyproto_build_v2(&a, NULL, out, sizeof(out));
	check(n == 16 && out[12] == 0x20 && out[13] == 0x00 && out[14] == 0 && out[15] == 0,
	      "v2 LOCAL for a Unix-socket peer");
	check(proxyproto_parse(out, (size_t)n, &b, &used, err, sizeof(err)) == 1 && b.local, "v2 LOCAL parses");

	/* Malformed v2. */
	{
		uint8_t h[64];

		memcpy(h, sig, 12);
		h[12] = 0x31; h[13] = 0x11; h[14] = 0; h[15] = 12;
		check(proxyproto_parse(h, 28, &b, &used, err, sizeof(err)) == -1, "v2 version 3 refused");
		h[12] = 0x22;
		check(proxyproto_parse(h, 28, &b, &used, err, sizeof(err)) == -1, "v2 command 2 refused");
		h[12] = 0x21; h[13] = 0x12;
		check(proxyproto_parse(h, 28, &b, &used, err, sizeof(err)) == -1, "v2 UDP refused");
		h[13] = 0x11; h[15] = 8;
		check(proxyproto_parse(h, 24, &b, &used, err, sizeof(err)) == -1, "v2 too short for IPv4 addresses");
		h[15] = 16;
		memset(h + 16, 0, 12);
		h[28] = 0x02; h[29] = 0; h[30] = 9;   /* TLV longer than what is left */
		check(proxyproto_parse(h, 32, &b, &used, err, sizeof(err)) == -1, "v2 TLV past the header refused");
		h[14] = 0xff; h[15] = 0xff;
		check(proxyproto_parse(h, 32, &b, &used, err, sizeof(err)) == -1, "v2 over the size limit refused at once");
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_v1();
	test_crc32c();
	test_v2();
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
