/* Error strings and alert names (SC1.md section 4, Alert). */
#include "sovchain.h"

#include <stddef.h>

const char *sc_strerror(int err)
{
    switch (err) {
    case SC_OK:
        return "success";
    case SC_ERR_NOMEM:
        return "out of memory";
    case SC_ERR_ARG:
        return "invalid argument";
    case SC_ERR_CRYPTO:
        return "cryptographic provider operation failed";
    case SC_ERR_CONFIG:
        return "context not usable as configured";
    case SC_ERR_STATE:
        return "operation not allowed in this state";
    case SC_ERR_PROTOCOL:
        return "protocol error (alert sent)";
    case SC_ERR_PEER_ALERT:
        return "peer sent a fatal alert";
    case SC_ERR_TRUNCATED:
        return "truncated: end of stream without close_notify";
    case SC_ERR_CLOSED:
        return "closed by close_notify";
    case SC_ERR_LOAD:
        return "could not load certificate, key, CA or CRL";
    case SC_ERR_UNSUPPORTED:
        return "algorithm unknown or not offered by the providers";
    case SC_ERR_LIMIT:
        return "sequence or size limit reached";
    case SC_ERR_WITHDRAWN:
        return "the server withdrew the unopened session";
    default:
        return "unknown error";
    }
}

static const struct {
    int code;
    const char *name;
} alert_names[] = {
    { SC_ALERT_CLOSE_NOTIFY, "close_notify" },
    { SC_ALERT_UNEXPECTED_MESSAGE, "unexpected_message" },
    { SC_ALERT_BAD_RECORD_MAC, "bad_record_mac" },
    { SC_ALERT_RECORD_OVERFLOW, "record_overflow" },
    { SC_ALERT_HANDSHAKE_FAILURE, "handshake_failure" },
    { SC_ALERT_BAD_CERTIFICATE, "bad_certificate" },
    { SC_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate" },
    { SC_ALERT_CERTIFICATE_REVOKED, "certificate_revoked" },
    { SC_ALERT_CERTIFICATE_EXPIRED, "certificate_expired" },
    { SC_ALERT_ILLEGAL_PARAMETER, "illegal_parameter" },
    { SC_ALERT_UNKNOWN_CA, "unknown_ca" },
    { SC_ALERT_ACCESS_DENIED, "access_denied" },
    { SC_ALERT_DECODE_ERROR, "decode_error" },
    { SC_ALERT_DECRYPT_ERROR, "decrypt_error" },
    { SC_ALERT_PROTOCOL_VERSION, "protocol_version" },
    { SC_ALERT_INTERNAL_ERROR, "internal_error" },
    { SC_ALERT_WITHDRAWN, "withdrawn" },
    { SC_ALERT_UNRECOGNIZED_NAME, "unrecognized_name" },
    { SC_ALERT_CERTIFICATE_REQUIRED, "certificate_required" },
};

const char *sc_alert_name(int code)
{
    for (size_t i = 0; i < sizeof(alert_names) / sizeof(alert_names[0]); i++)
        if (alert_names[i].code == code)
            return alert_names[i].name;
    return "unknown";
}
