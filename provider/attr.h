/* Attributes shared by the engine's internal headers. */
#ifndef SC_ATTR_H
#define SC_ATTR_H

/* On every internal function that returns a status (SC_OK or SC_ERR_*):
 * a caller that drops one is a compile error under -Werror. */
#define SC_WUR __attribute__((warn_unused_result))

#endif
