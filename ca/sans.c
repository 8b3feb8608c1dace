#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <ctype.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "report.h"
#include "sans.h"
#include "scca.h"

/*
 * A DNS name as SC1 compares it (SC1.md section 9): labels of letters,
 * digits and hyphens, not starting or ending with a hyphen, at most 63 bytes,
 * 253 in all; a wildcard only as the whole left-most label with at least two
 * labels after it.
 */
static int
sans_dns_ok(const char *s, size_t len)
{
	size_t i, label = 0, labels = 1;
	int wildcard = 0;

	if (len == 0 || len > 253)
		return 0;
	if (len > 2 && s[0] == '*' && s[1] == '.') {
		wildcard = 1;
		s += 2;
		len -= 2;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			labels++;
			continue;
		}
		if (!(isalnum(c) && c < 0x80) && c != '-')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	if (label == 0 || s[len - 1] == '-')
		return 0;
	return !wildcard || labels >= 2;
}

/* An absolute URI: a scheme (RFC 3986 section 3.1), ':', printable rest. */
static int
sans_uri_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len && s[i] != ':'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	if (i + 1 >= len)
		return 0;
	for (; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static GENERAL_NAME *
sans_ia5(int type, const char *s, size_t len)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

	if (gn == NULL || ia5 == NULL || !ASN1_STRING_set(ia5, s, (int)len)) {
		GENERAL_NAME_free(gn);
		ASN1_IA5STRING_free(ia5);
		return NULL;
	}
	GENERAL_NAME_set0_value(gn, type, ia5);
	return gn;
}

/* One "TYPE:value" entry; NULL with *bad set when malformed. */
static GENERAL_NAME *
sans_one(const char *e, size_t len, int *bad)
{
	char ip[64];
	ASN1_OCTET_STRING *os;
	GENERAL_NAME *gn;

	*bad = 1;
	if (len > 4 && strncmp(e, "DNS:", 4) == 0) {
		if (!sans_dns_ok(e + 4, len - 4))
			return NULL;
		*bad = 0;
		return sans_ia5(GEN_DNS, e + 4, len - 4);
	}
	if (len > 4 && strncmp(e, "URI:", 4) == 0) {
		if (!sans_uri_ok(e + 4, len - 4))
			return NULL;
		*bad = 0;
		return sans_ia5(GEN_URI, e + 4, len - 4);
	}
	if (len > 3 && strncmp(e, "IP:", 3) == 0 && len - 3 < sizeof(ip)) {
		memcpy(ip, e + 3, len - 3);
		ip[len - 3] = '\0';
		if ((os = a2i_IPADDRESS(ip)) == NULL)
			return NULL;
		*bad = 0;
		if ((gn = GENERAL_NAME_new()) == NULL) {
			ASN1_OCTET_STRING_free(os);
			return NULL;
		}
		GENERAL_NAME_set0_value(gn, GEN_IPADD, os);
		return gn;
	}
	return NULL;
}

int
sans_parse(const char *const *lists, size_t n, GENERAL_NAMES **out)
{
	size_t i, len;
	const char *p, *comma;
	GENERAL_NAME *gn;
	int bad;

	if (*out == NULL && (*out = GENERAL_NAMES_new()) == NULL)
		return report_msg(SCCA_EFAIL, "out of memory");
	for (i = 0; i < n; i++) {
		for (p = lists[i];; p = comma + 1) {
			comma = strchr(p, ',');
			len = comma != NULL ? (size_t)(comma - p) : strlen(p);
			gn = sans_one(p, len, &bad);
			if (gn == NULL && bad)
				return report_msg(SCCA_EUSAGE, "bad SAN '%.*s': "
				    "want DNS:host, IP:address or URI:uri",
				    (int)len, p);
			if (gn == NULL || !sk_GENERAL_NAME_push(*out, gn)) {
				GENERAL_NAME_free(gn);
				return report_msg(SCCA_EFAIL, "out of memory");
			}
			if (comma == NULL)
				break;
		}
	}
	return SCCA_OK;
}

int
sans_for_name(const char *name, GENERAL_NAMES **out)
{
	char entry[300];
	const char *list = entry;
	ASN1_OCTET_STRING *ip;

	if ((ip = a2i_IPADDRESS(name)) != NULL) {
		ASN1_OCTET_STRING_free(ip);
		snprintf(entry, sizeof(entry), "IP:%s", name);
	} else if (sans_dns_ok(name, strlen(name))) {
		snprintf(entry, sizeof(entry), "DNS:%s", name);
	} else {
		return report_msg(SCCA_EUSAGE, "server name '%s' is neither a "
		    "DNS name nor an IP address: give --san", name);
	}
	return sans_parse(&list, 1, out);
}

int
sans_check(const GENERAL_NAMES *names)
{
	int i;
	const GENERAL_NAME *gn;
	const ASN1_STRING *s;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		switch (gn->type) {
		case GEN_DNS:
		case GEN_URI:
			s = gn->d.ia5;
			if ((gn->type == GEN_DNS &&
			    !sans_dns_ok((const char *)ASN1_STRING_get0_data(s),
			    (size_t)ASN1_STRING_length(s))) ||
			    (gn->type == GEN_URI &&
			    !sans_uri_ok((const char *)ASN1_STRING_get0_data(s),
			    (size_t)ASN1_STRING_length(s))))
				return report_msg(SCCA_EUSAGE,
				    "the request holds a malformed SAN");
			break;
		case GEN_IPADD:
			if (ASN1_STRING_length(gn->d.ip) != 4 &&
			    ASN1_STRING_length(gn->d.ip) != 16)
				return report_msg(SCCA_EUSAGE,
				    "the request holds a malformed IP SAN");
			break;
		default:
			return report_msg(SCCA_EUSAGE, "the request holds a SAN "
			    "of a type other than DNS, IP or URI");
		}
	}
	return SCCA_OK;
}

static int
sans_putc(char *buf, size_t len, size_t *used, unsigned char c)
{
	if (*used + 1 >= len)
		return 0;
	/* Names come from a certificate being shown: bytes, not controls. */
	buf[(*used)++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	buf[*used] = '\0';
	return 1;
}

/* What does not fit is not dropped in silence: the text ends in "...". */
static void
sans_append(char *buf, size_t len, const char *prefix, const char *s, int n)
{
	size_t used;
	const char *sep;
	int i, ok = 1;

	if (len == 0)
		return;
	used = strlen(buf);
	for (sep = used > 0 ? ", " : ""; ok && *sep != '\0'; sep++)
		ok = sans_putc(buf, len, &used, (unsigned char)*sep);
	for (; ok && *prefix != '\0'; prefix++)
		ok = sans_putc(buf, len, &used, (unsigned char)*prefix);
	for (i = 0; ok && i < n; i++)
		ok = sans_putc(buf, len, &used, (unsigned char)s[i]);
	if (!ok && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

void
sans_format_one(const GENERAL_NAME *gn, char *buf, size_t len)
{
	const unsigned char *ip;
	int iplen;
	char text[INET6_ADDRSTRLEN];

	switch (gn->type) {
	case GEN_DNS:
	case GEN_URI:
		sans_append(buf, len, gn->type == GEN_DNS ? "DNS:" : "URI:",
		    (const char *)ASN1_STRING_get0_data(gn->d.ia5),
		    ASN1_STRING_length(gn->d.ia5));
		break;
	case GEN_IPADD:
		ip = ASN1_STRING_get0_data(gn->d.ip);
		iplen = ASN1_STRING_length(gn->d.ip);
		if ((iplen != 4 && iplen != 16) || inet_ntop(iplen == 4 ?
		    AF_INET : AF_INET6, ip, text, sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "(malformed)");
		sans_append(buf, len, "IP:", text, (int)strlen(text));
		break;
	default:
		sans_append(buf, len, "", "(other name)", 12);
		break;
	}
}

void
sans_format(const GENERAL_NAMES *names, char *buf, size_t len)
{
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++)
		sans_format_one(sk_GENERAL_NAME_value(names, i), buf, len);
}
