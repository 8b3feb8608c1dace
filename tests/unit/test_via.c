/* The proxy exchange's wire format (tunnel/viawire.c) and the connect_via
 * URL and credentials file (tunnel/viaurl.c): requests byte for byte,
 * answers complete, partial, split and malformed, bytes behind an answer
 * kept, every SOCKS5 address type, and URLs and files refused with reasons
 * that never hold the credentials. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "tunnel/viaurl.h"
#include "tunnel/viawire.h"

#define U8(s) ((const uint8_t *)(s))

static void http_request(void)
{
	char out[VIAWIRE_REQUEST_MAX];
	size_t n;

	n = viawire_http_request(out, sizeof(out), "db.example.net", 6380, NULL, NULL);
	unit_check(n > 0 && strcmp(out, "CONNECT db.example.net:6380 HTTP/1.1\r\n"
				       "Host: db.example.net:6380\r\n\r\n") == 0,
		   "CONNECT without credentials");
	n = viawire_http_request(out, sizeof(out), "::1", 443, "Aladdin", "open sesame");
	/* RFC 7617 section 2's example. */
	unit_check(n > 0 && strcmp(out, "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n"
				       "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n") == 0,
		   "CONNECT to an IPv6 target with Basic credentials");
	unit_check(viawire_http_request(out, sizeof(out), "a b", 1, NULL, NULL) == 0,
		   "a host with a space is refused");
	unit_check(viawire_http_request(out, 20, "db.example.net", 1, NULL, NULL) == 0,
		   "a request longer than the buffer is refused");
}

static void http_answer(void)
{
	static const char ok[] = "HTTP/1.1 200 Connection established\r\nVia: p\r\n\r\nSC1";
	static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 407 Proxy Authentication Required\r\n"
				      "Proxy-Authenticate: Basic realm=\"x\"\r\n\r\n<html>";
	struct viawire_http a;
	char err[256], big[VIAWIRE_HTTP_MAX + 10];
	size_t used, i;
	int rc, split_ok = 1;

	rc = viawire_http_answer(U8(ok), strlen(ok), &used, &a, err, sizeof(err));
	unit_check(rc == 1 && a.status == 200 && used == strlen(ok) - 3 && strcmp(a.reason, "Connection established") == 0,
		   "200: complete, the bytes behind it are not consumed");
	for (i = 0; i < strlen(ok) - 3; i++)
		if (viawire_http_answer(U8(ok), i, &used, &a, err, sizeof(err)) != 0)
			split_ok = 0;
	unit_check(split_ok, "every cut of the head asks for more bytes");
	rc = viawire_http_answer(U8(interim), strlen(interim), &used, &a, err, sizeof(err));
	unit_check(rc == 1 && a.status == 407 && strcmp(a.challenge, "Basic realm=\"x\"") == 0 &&
			   used == strlen(interim) - 6,
		   "a 1xx head is skipped; 407 with its challenge");
	rc = viawire_http_answer(U8("HTTP/1.1 502 Bad Gateway\r\n\r\n"), 28, &used, &a, err, sizeof(err));
	unit_check(rc == 1 && a.status == 502, "502");
	rc = viawire_http_answer(U8("HTTP/1.1 2000 OK\r\n\r\n"), 20, &used, &a, err, sizeof(err));
	unit_check(rc == -1 && err[0] != '\0', "a four-digit status is malformed");
	rc = viawire_http_answer(U8("SSH-2.0-x\r\n\r\n"), 13, &used, &a, err, sizeof(err));
	unit_check(rc == -1, "not HTTP is malformed");
	rc = viawire_http_answer(U8("HTTP/1.1 200 OK\r\nX\x01: y\r\n\r\n"), 27, &used, &a, err, sizeof(err));
	unit_check(rc == -1, "a control byte in the head is malformed");
	memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
	memset(big + 17, 'a', sizeof(big) - 17);
	rc = viawire_http_answer(U8(big), sizeof(big), &used, &a, err, sizeof(err));
	unit_check(rc == -1 && strstr(err, "8192") != NULL, "a head over 8 KiB is refused: %s", err);
	rc = viawire_http_answer(U8(big), VIAWIRE_HTTP_MAX - 1, &used, &a, err, sizeof(err));
	unit_check(rc == 0, "under 8 KiB without an end: more bytes");
}

static void socks(void)
{
	uint8_t out[VIAWIRE_REQUEST_MAX];
	struct viawire_bound b;
	char err[256];
	size_t n, used;
	int m, rc;

	unit_check(viawire_socks_hello(out, 0) == 3 && memcmp(out, "\x05\x01\x00", 3) == 0, "hello: no auth");
	unit_check(viawire_socks_hello(out, 1) == 4 && memcmp(out, "\x05\x02\x00\x02", 4) == 0,
		   "hello: no auth and username/password");
	unit_check(viawire_socks_choice(U8("\x05"), 1, 0, &m, err, sizeof(err)) == 0, "choice: partial");
	unit_check(viawire_socks_choice(U8("\x05\x00"), 2, 0, &m, err, sizeof(err)) == 1 && m == 0, "choice: none");
	unit_check(viawire_socks_choice(U8("\x05\x02"), 2, 0, &m, err, sizeof(err)) == -1,
		   "choice: a method not offered is refused");
	unit_check(viawire_socks_choice(U8("\x05\xff"), 2, 1, &m, err, sizeof(err)) == 1 && m == 0xff,
		   "choice: no acceptable method");
	unit_check(viawire_socks_choice(U8("\x04\x00"), 2, 0, &m, err, sizeof(err)) == -1, "choice: version 4 refused");
	n = viawire_socks_auth(out, sizeof(out), "bob", "pw");
	unit_check(n == 8 && memcmp(out, "\x01\x03" "bob" "\x02" "pw", 8) == 0, "RFC 1929 request");
	unit_check(viawire_socks_auth(out, sizeof(out), "bob", "") == 0, "RFC 1929: empty password refused");
	unit_check(viawire_socks_auth_answer(U8("\x01\x00"), 2, &m, err, sizeof(err)) == 1 && m == 0, "auth accepted");
	unit_check(viawire_socks_auth_answer(U8("\x01\x01"), 2, &m, err, sizeof(err)) == 1 && m == 1, "auth refused");
	unit_check(viawire_socks_auth_answer(U8("\x05\x00"), 2, &m, err, sizeof(err)) == -1, "auth answer version 5 refused");
	n = viawire_socks_request(out, sizeof(out), "10.1.2.3", 443);
	unit_check(n == 10 && memcmp(out, "\x05\x01\x00\x01\x0a\x01\x02\x03\x01\xbb", 10) == 0, "request: IPv4 as ATYP 1");
	n = viawire_socks_request(out, sizeof(out), "::1", 80);
	unit_check(n == 22 && out[3] == 4 && out[19] == 1, "request: IPv6 as ATYP 4");
	n = viawire_socks_request(out, sizeof(out), "db.example.net", 80);
	unit_check(n == 21 && out[3] == 3 && out[4] == 14 && memcmp(out + 5, "db.example.net", 14) == 0,
		   "request: a name, unresolved, as ATYP 3");
	rc = viawire_socks_answer(U8("\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90SC1"), 13, &used, &m, &b, err, sizeof(err));
	unit_check(rc == 1 && m == 0 && used == 10 && strcmp(b.host, "127.0.0.1") == 0 && b.port == 8080,
		   "answer: IPv4 bound address, bytes behind kept");
	rc = viawire_socks_answer(U8("\x05\x00\x00\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x00\x50"), 22, &used, &m, &b, err, sizeof(err));
	unit_check(rc == 1 && used == 22 && strcmp(b.host, "[::1]") == 0 && b.port == 80, "answer: IPv6 bound address");
	rc = viawire_socks_answer(U8("\x05\x00\x00\x03\x04host\x00\x50"), 11, &used, &m, &b, err, sizeof(err));
	unit_check(rc == 1 && used == 11 && strcmp(b.host, "host") == 0 && b.atyp == 3, "answer: a name as bound address");
	rc = viawire_socks_answer(U8("\x05\x00\x00\x03\x04ho"), 7, &used, &m, &b, err, sizeof(err));
	unit_check(rc == 0, "answer: partial");
	rc = viawire_socks_answer(U8("\x05\x05"), 2, &used, &m, &b, err, sizeof(err));
	unit_check(rc == 1 && m == 5 && strcmp(viawire_socks_reply_name(m), "connection refused") == 0,
		   "answer: a refusal is complete with its code");
	rc = viawire_socks_answer(U8("\x05\x00\x00\x05"), 4, &used, &m, &b, err, sizeof(err));
	unit_check(rc == -1 && err[0] != '\0', "answer: address type 5 refused");
	rc = viawire_socks_answer(U8("\x04\x5a"), 2, &used, &m, &b, err, sizeof(err));
	unit_check(rc == -1, "answer: version 4 refused");
	unit_check(strcmp(viawire_socks_reply_name(2), "connection not allowed by ruleset") == 0 &&
			   strcmp(viawire_socks_reply_name(9), "unassigned reply code") == 0,
		   "reply names");
}

static void url(void)
{
	struct viaurl u;
	char err[300];

	unit_check(viaurl_parse(&u, "http://127.0.0.1:3128", err, sizeof(err)) == 0 && u.scheme == VIAURL_HTTP &&
			   u.cred.user == NULL && strcmp(u.label, "http://127.0.0.1:3128") == 0,
		   "http URL");
	viaurl_free(&u);
	unit_check(viaurl_parse(&u, "SOCKS5://a%40b:p%3Aw%25@[::1]:1080/", err, sizeof(err)) == 0 &&
			   u.scheme == VIAURL_SOCKS5 && strcmp(u.cred.user, "a@b") == 0 &&
			   strcmp(u.cred.pass, "p:w%") == 0 && strcmp(u.label, "socks5://[::1]:1080") == 0,
		   "socks5 URL: percent-decoded credentials, IPv6 host");
	viaurl_free(&u);
	unit_check(viaurl_parse(&u, "ftp://h:1", err, sizeof(err)) == -1 && strstr(err, "unknown scheme") != NULL,
		   "unknown scheme");
	unit_check(viaurl_parse(&u, "http://u:secret@127.0.0.1", err, sizeof(err)) == -1 &&
			   strstr(err, "missing port") != NULL && strstr(err, "secret") == NULL,
		   "missing port, said without the password");
	unit_check(viaurl_parse(&u, "http://127.0.0.1:70000", err, sizeof(err)) == -1, "bad port");
	unit_check(viaurl_parse(&u, "http://127.0.0.1:0", err, sizeof(err)) == -1, "port 0");
	unit_check(viaurl_parse(&u, "http://127.0.0.1:3128/path", err, sizeof(err)) == -1, "a path");
	unit_check(viaurl_parse(&u, "http://u%zz:p@127.0.0.1:1", err, sizeof(err)) == -1, "bad percent-encoding");
	unit_check(viaurl_parse(&u, "http://a%3Ab:p@127.0.0.1:1", err, sizeof(err)) == -1,
		   "a colon in an HTTP user name");
	unit_check(viaurl_parse(&u, "socks5://u@127.0.0.1:1", err, sizeof(err)) == -1,
		   "SOCKS5 without a password");
	unit_check(viaurl_parse(&u, "127.0.0.1:3128", err, sizeof(err)) == -1, "no scheme");
	unit_check(viaurl_target_ok("db.example.net") && viaurl_target_ok("::1") && !viaurl_target_ok("a\r\nb"),
		   "targets");
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

static void auth_file(void)
{
	char dir[] = "/tmp/test_via.XXXXXX", path[64], err[400];
	struct viacred cr;

	if (mkdtemp(dir) == NULL) {
		unit_check(0, "temporary directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/auth", dir);
	write_file(path, "alice:pa:ss\r\n", 0600);
	unit_check(viaurl_read_auth(&cr, path, VIAURL_HTTP, err, sizeof(err)) == 0 && strcmp(cr.user, "alice") == 0 &&
			   strcmp(cr.pass, "pa:ss") == 0,
		   "auth file: split at the first colon, line end dropped");
	viaurl_cred_free(&cr);
	write_file(path, "alice:secret\n", 0644);
	unit_check(viaurl_read_auth(&cr, path, VIAURL_HTTP, err, sizeof(err)) == -1 && strstr(err, "0644") != NULL &&
			   strstr(err, "secret") == NULL,
		   "auth file: mode 0644 refused: %s", err);
	write_file(path, "alice:secret\nbob:x\n", 0600);
	unit_check(viaurl_read_auth(&cr, path, VIAURL_HTTP, err, sizeof(err)) == -1 && strstr(err, "secret") == NULL,
		   "auth file: two lines refused");
	write_file(path, "alice\n", 0400);
	unit_check(viaurl_read_auth(&cr, path, VIAURL_HTTP, err, sizeof(err)) == -1, "auth file: no colon refused");
	unit_check(viaurl_read_auth(&cr, dir, VIAURL_HTTP, err, sizeof(err)) == -1, "auth file: a directory refused");
	unlink(path);
	unit_check(viaurl_read_auth(&cr, path, VIAURL_HTTP, err, sizeof(err)) == -1, "auth file: missing");
	rmdir(dir);
}

int main(void)
{
	http_request();
	http_answer();
	socks();
	url();
	auth_file();
	if (unit_failures > 0)
		printf("%d failure(s)\n", unit_failures);
	return unit_failures > 0;
}
