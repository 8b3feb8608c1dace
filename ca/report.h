/*
 * Error reporting for scca: one line "scca: <message>" on stderr, printed
 * once where the fault is first understood.  Each function returns the exit
 * status it was given so callers can write "return report_msg(...)".
 */
#ifndef REPORT_H
#define REPORT_H

#define REPORT_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* The message alone. */
int report_msg(int status, const char *fmt, ...) REPORT_PRINTF(2, 3);
/* The message, then ": " and strerror(errno). */
int report_sys(int status, const char *fmt, ...) REPORT_PRINTF(2, 3);
/* The message, then ": " and the oldest OpenSSL error; clears the queue. */
int report_ssl(int status, const char *fmt, ...) REPORT_PRINTF(2, 3);

#endif
