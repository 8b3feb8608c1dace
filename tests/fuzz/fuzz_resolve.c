/* Numeric-only name resolution for the sctunnel fuzz targets: an address
 * parser fed arbitrary text would otherwise send DNS queries for every host
 * name it makes up. This getaddrinfo, linked into the target, replaces the
 * C library's for the whole program and forwards to it with
 * AI_NUMERICHOST, so literal addresses still parse for real and names
 * fail at once, as a name that does not resolve would. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stddef.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
                      struct addrinfo **);

int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res)
{
	static gai_fn real;
	struct addrinfo h = { 0 };

	if (real == NULL && (real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo")) == NULL)
		return EAI_FAIL;
	if (hints != NULL)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST;
	return real(node, service, &h, res);
}
