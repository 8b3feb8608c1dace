#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "report.h"

/*
 * Print "scca: " + text + suffix as exactly one line: user-supplied names can
 * end up in a message, so control characters are shown as '?'.
 */
static void report_line(const char *suffix, const char *fmt, va_list ap)
    REPORT_PRINTF(2, 0);

static void
report_line(const char *suffix, const char *fmt, va_list ap)
{
	char text[1024];
	size_t i;

	vsnprintf(text, sizeof(text), fmt, ap);
	for (i = 0; text[i] != '\0'; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			text[i] = '?';
	if (suffix != NULL)
		fprintf(stderr, "scca: %s: %s\n", text, suffix);
	else
		fprintf(stderr, "scca: %s\n", text);
}

int
report_msg(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(NULL, fmt, ap);
	va_end(ap);
	return status;
}

int
report_sys(int status, const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	report_line(why, fmt, ap);
	va_end(ap);
	return status;
}

int
report_ssl(int status, const char *fmt, ...)
{
	unsigned long e = ERR_peek_error();
	const char *why = ERR_reason_error_string(e);
	va_list ap;

	if (why == NULL)
		why = e != 0 ? "OpenSSL error" : "unknown error";
	va_start(ap, fmt);
	report_line(why, fmt, ap);
	va_end(ap);
	ERR_clear_error();
	return status;
}
