/*
 * Loading the SC1 known-answer vectors (vectors/README.md in the shared
 * directory): positive cases, the exporter case and the negative cases,
 * with every hex string decoded to bytes.
 */
#ifndef VEC_JSON_H
#define VEC_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define VEC_MAX_CODES 32

typedef struct {
    uint8_t *p;
    size_t n;
} vec_bytes;

/* One record of `records`: wire bytes and what the vector says about them. */
typedef struct {
    size_t index;
    int c2s;            /* 1: client to server */
    int type;
    char *type_name;
    char *key;          /* "clear", "s_hs", "c_ap+1", ... */
    long seq;           /* -1 when null (clear records) */
    vec_bytes wire;
} vec_record;

typedef enum {
    VEC_ACT_DATA,
    VEC_ACT_KEY_UPDATE,
    VEC_ACT_CLOSE,
    VEC_ACT_OPEN        /* deferred_open: the client's empty opening record */
} vec_action_kind;

/* One step of `application_script`. */
typedef struct {
    int c2s;
    vec_action_kind kind;
    int request;        /* key update: the request byte */
    char *action;       /* the vector's own description */
    vec_bytes data;     /* VEC_ACT_DATA */
} vec_action;

/* `inputs.client` or `inputs.server`. */
typedef struct {
    uint16_t suites[VEC_MAX_CODES];
    size_t n_suites;
    uint16_t groups[VEC_MAX_CODES];
    size_t n_groups;
    vec_bytes nonce;
    vec_bytes x25519_priv;
    vec_bytes kx_priv;
    char *server_name;      /* client: expected name; NULL for a server */
    char *server_name_sent; /* client: "" = not disclosed */
    char *certificate;      /* relative to the vectors directory; NULL = none */
    char *private_key;
    char *trust_anchor;
    int client_cert_mode;   /* server only; -1 when absent */
    vec_bytes extensions;   /* raw ext block: u16 type, u16 len, data ... */
} vec_side;

/* A named expected value: "TH3", "c_hs", "c_hs.key", ... */
typedef struct {
    char *name;
    vec_bytes value;
} vec_named;

typedef struct {
    char *name;
    char *dir;              /* the vectors directory, for pki/ paths */
    time_t verify_time;
    vec_side client;
    vec_side server;
    uint16_t chosen_suite;
    uint16_t chosen_group;
    vec_record *records;
    size_t n_records;
    vec_action *script;
    size_t n_script;
    vec_named *expect;      /* transcript, secrets, then traffic keys */
    size_t n_expect;
    vec_bytes withdrawn;    /* deferred: the server's withdrawn alert record
                               right after 12 (n = 0 when absent) */
} vec_case;

/* e_exporter.json: one row per Export(label, context, L). */
typedef struct {
    char *label;
    vec_bytes context;
    size_t length;
    vec_bytes output;
} vec_export;

typedef struct {
    char *name;
    char *base_case;
    vec_export *rows;
    size_t n_rows;
} vec_exporter;

/* One entry of negative.json `cases`. */
typedef struct {
    char *id;
    char *description;
    size_t record_index;
    int c2s;                /* direction of the replaced record */
    int receiver_is_server;
    int has_mutated;        /* 0: mutated_wire is null, feed the original */
    vec_bytes mutated;
    int then_eof;
    char *receiver_error;
    int expected_alert;     /* -1 when null */
    vec_bytes expected_alert_record;
    int received_alert;     /* -1 when absent */
    char *base_case;        /* its own base case; NULL: the set's */
} vec_negative;

typedef struct {
    char *base_case;        /* NULL when every case names its own */
    vec_negative *cases;
    size_t n_cases;
} vec_negative_set;

/* Each loader returns 0, or -1 with a message in err. */
int vec_case_load(const char *dir, const char *file, vec_case *vc,
                  char *err, size_t errlen);
void vec_case_free(vec_case *vc);

int vec_exporter_load(const char *dir, const char *file, vec_exporter *ve,
                      char *err, size_t errlen);
void vec_exporter_free(vec_exporter *ve);

int vec_negative_load(const char *dir, const char *file,
                      vec_negative_set *vn,
                      char *err, size_t errlen);
void vec_negative_free(vec_negative_set *vn);

/* 1 if the file is a positive case (it has `records`), 0 if not,
 * -1 on error. */
int vec_file_has_records(const char *dir, const char *file);

/* Name of a suite or group code as the engine's list setters spell it;
 * NULL for a code the API cannot name. */
const char *vec_suite_name(uint16_t code);
const char *vec_group_name(uint16_t code);

/* Hex of `n` bytes into a fresh string (caller frees). */
char *vec_hex(const uint8_t *p, size_t n);

/* The sorted *.json file names of `dir` (caller frees each and the array). */
int vec_list_json(const char *dir, char ***names, size_t *n);

#endif
