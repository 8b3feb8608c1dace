/* unit_*: the helpers every unit test shares (unit.h). */
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int unit_failures;

void unit_check(int ok, const char *fmt, ...)
{
    va_list ap;

    printf("%s: ", ok ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok)
        unit_failures++;
}

size_t unit_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    unsigned int v;

    if (strlen(hex) % 2 != 0 || n > cap)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (uint8_t)v;
    }
    return n;
}
