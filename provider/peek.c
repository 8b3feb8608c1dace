/*
 * What a transport may learn from record headers without the engine
 * (SC1.md section 2): where the next record ends, whether it is
 * application data, and whether a peer's first bytes can start SC1 at all.
 * Only headers are read; nothing here checks a record.
 */
#include "sovchain.h"
#include "record.h"

#define MSG_CLIENT_HELLO 0x01 /* step 1, the client's first record */
#define MSG_SERVER_HELLO 0x02 /* step 2, the server's first record */

_Static_assert(SC_RECORD_HEADER_LEN == REC_HDR_LEN, "record header length");
_Static_assert(SC_RECORD_MAX_PLAINTEXT == REC_MAX_PLAIN, "record plaintext");

size_t sc_record_next_len(const uint8_t *p, size_t len)
{
    if (p == NULL || len < REC_HDR_LEN)
        return REC_HDR_LEN;
    return REC_HDR_LEN + ((size_t)p[1] << 8 | p[2]);
}

int sc_record_is_appdata(const uint8_t *p, size_t len)
{
    return p != NULL && len > 0 && p[0] == REC_TYPE_APPDATA;
}

/*
 * Section 1: the client speaks first, with ClientHello; the server answers
 * with ServerHello. Either may instead refuse with an alert, in the clear.
 * Nothing else can be a peer's first record.
 */
int sc_record_looks_sc1(const uint8_t *p, size_t len, sc_role role)
{
    uint8_t first = role == SC_ROLE_SERVER ? MSG_CLIENT_HELLO : MSG_SERVER_HELLO;

    if (p == NULL || len == 0)
        return 1;
    return p[0] == first || p[0] == REC_TYPE_ALERT;
}
