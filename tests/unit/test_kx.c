/* Unit test of provider/kx.c: known answers from the shared vectors (cases
 * a to d), rejection of invalid peer shares (SC1.md section 5), and a
 * fresh round trip for every group the providers offer. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "kx.h"
#include "sovchain.h"

static int failures;

static void
check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

/* Hex to bytes; returns the length, or 0 on a malformed string. */
static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int v;

	if (strlen(hex) % 2 != 0 || n > cap)
		return 0;
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return 0;
		out[i] = (uint8_t)v;
	}
	return n;
}

static int
eq_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[2048];
	size_t n = unhex(hex, want, sizeof(want));

	return n != 0 && n == len && memcmp(got, want, n) == 0;
}

struct kat {
	const char *name;
	uint16_t group;
	const char *client_priv, *client_share;
	const char *server_priv, *server_share;
	const char *kx;
};

/* secrets.kx and the shares of handshake_bodies 6 and 7. */
static const struct kat kats[] = {
	{ "b X448", KX_GROUP_X448,
	  "a0a7a4cc46c1f74d2dfd3ca0b2396c9e1a649f24f6f49a84e6177c3dc526715f"
	  "a54b4d111cfb20a9e69e8797e516b82075a084e2744a5f4f",
	  "96bb90b736de75bd44255c1f0598947d3878e68c2fdacf0bf56f434076a5d8ea"
	  "9eebbd105a19ff835ddd1b6450c4332c83461a2ec3e91d5e",
	  "89142b80f4ff5706cdfff02cccab4adf75340b2cb6c2d3ac5160b107334ae3bf"
	  "42001ff7a8f81907dcfe5a7151ef5d70c8fb1752833f915b",
	  "80f9466c7bdcc6accc64acb6b4e0ef225354d189436d00445338aabb957e5d0c"
	  "817a30a96bebc61dfe557c0b88221f6f9cfb386e6fc7123f",
	  "838e21e9ab2c91ac6596b5a40a92e4b5ca953a0601a56f631647367c0de54ccc"
	  "5a2240f0b8ba0b8b3c6550eb0a9fa8b9789de04569833842" },
	{ "c P-256", KX_GROUP_P256,
	  "ceed3bf8a01a326f3decd8af82d757123b098ee13250d5c97c9de76e13f3e38c",
	  "040f5e0869e300c1c2e9efec1afb2573485e03cc52860fb61a5ef5a8ae62aab1ea"
	  "1f733dbf1fb9779e8e384e10c97e324424e64b082ecd0c47ef64cad86afb8c06",
	  "c969f5fbd2220b8c09b5b63a3031c65fbd0fcd5994e7ef2a2a4aa107c05c7a91",
	  "04d8a59d6de4ba13f7d8af2ed71fcab06cf7fc112ff86552a57511441192b7f670"
	  "474ce831a81283377b66cd4bae0cf48076e70e1e97ba6605c80c2bc6731de2d2",
	  "de27ffd1923b25c921012ecb2c8f0bbaa81a0e37584b428c0320a99e885e8eff" },
	{ "d P-384", KX_GROUP_P384,
	  "7f83d4bb3f31d09348256cde8abcd0abd317e7b37b2606f7360ec5b307f3fd1c"
	  "b77bee339cf1a89ea7f9cc5ecd30e128",
	  "046fd8390aa7a0f97ab7a81ae8d29b5accc5d347c1861a4acf46ef4b6ebda164f5"
	  "6d960de27680ccee0b61e10fa101a23c5d7e210957a2c5ec0b7268722aed0b55"
	  "17ddc8f7487e542bc5fd2c2c6ee717a405b5fa2ca4fbc51050c6e9a075ca03a8",
	  "762e73e468edd3ad349733e7c71083e0c7d6729e5bf2c69b55a4e89ac481a0c8"
	  "a98efa7d055a630c242e05e67b8e0d36",
	  "041b6f47aa6ffbf9070c8b91103d9e3e57f7e3b146ca08c4fe18ff65f8733c26e3"
	  "ed1ebc6be6fd20dbc62129b0281c4986301d361e638640105f7fb420957367d3"
	  "3b89a22b83802c8c8de2cade939d7236f616691ea50e14d98577310df56f5d1b",
	  /* leading zero byte: the x-coordinate keeps its full width */
	  "0023e13a4514d9b762cdb907c06b1a6cc7360c28759d0e23621b2bfb13c9cffb"
	  "688c4c586e111c91dbc42bc12257fb82" },
};

/* Case a: the X25519 ephemerals of steps 1-2 and secrets.dh. */
static void
test_x25519_case_a(void)
{
	static const char *c_priv =
	    "83226a79f3b7bfdc4130a28b3188914b149708c0c889410b79c28074832b4876";
	static const char *c_pub =
	    "c348bb7d57887adf88a988cb17dd9be83eb875d875194219c10ce804b889e265";
	static const char *s_priv =
	    "5e5c00140a35c4d7d309252e6a2b0e5e2d94557467f8e14c351534c22b85855c";
	static const char *s_pub =
	    "39445661eb0c1d11c9dd576491026838cb938b949b14646dd13c6c8c6dd66f02";
	static const char *dh =
	    "7f454f9660268ae0440732974570626d2451324ff0c1a0a9de7f7b42c607072d";
	uint8_t cp[32], sp[32], cs[32], ss[32], sec[KX_MAX_SECRET];
	uint8_t zero[32] = { 0 };
	size_t cs_len = 0, ss_len = 0, sec_len = 0;
	EVP_PKEY *ck = NULL, *sk = NULL;
	kx_alg *alg;

	alg = kx_alg_fetch(NULL, NULL, KX_X25519_EPH);
	check(alg != NULL, "a: X25519 fetch");
	if (alg == NULL)
		return;
	unhex(c_priv, cp, sizeof(cp));
	unhex(s_priv, sp, sizeof(sp));
	check(kx_keygen(alg, cp, 32, &ck, cs, sizeof(cs), &cs_len) == SC_OK &&
	    eq_hex(cs, cs_len, c_pub), "a: X25519 client public key");
	check(kx_keygen(alg, sp, 32, &sk, ss, sizeof(ss), &ss_len) == SC_OK &&
	    eq_hex(ss, ss_len, s_pub), "a: X25519 server public key");
	check(ck != NULL && kx_derive(alg, ck, ss, ss_len, sec, sizeof(sec),
	    &sec_len) == SC_OK && eq_hex(sec, sec_len, dh),
	    "a: X25519 dh (client side)");
	check(sk != NULL && kx_derive(alg, sk, cs, cs_len, sec, sizeof(sec),
	    &sec_len) == SC_OK && eq_hex(sec, sec_len, dh),
	    "a: X25519 dh (server side)");
	/* Section 4, step 2: an all-zero dh is illegal_parameter. */
	check(ck != NULL && kx_derive(alg, ck, zero, 32, sec, sizeof(sec),
	    &sec_len) == SC_ERR_PROTOCOL, "a: X25519 all-zero peer key rejected");
	check(ck != NULL && kx_derive(alg, ck, cs, 31, sec, sizeof(sec),
	    &sec_len) == SC_ERR_PROTOCOL, "a: X25519 31-byte peer key rejected");
	EVP_PKEY_free(ck);
	EVP_PKEY_free(sk);
	kx_alg_free(alg);
}

/* An all-zero X25519 key from the peer (steps 1-2, no credentials needed)
 * fails kx_derive, which wipes the caller's 32-byte dh buffer and nothing
 * after it. The canary sits right behind the buffer, as in a struct. */
static void
test_x25519_zero_canary(void)
{
	struct {
		uint8_t dh[32];
		uint8_t canary[32];
	} out;
	uint8_t zero[32] = { 0 }, share[32], want[32];
	size_t share_len = 0, dh_len = 1;
	EVP_PKEY *k = NULL;
	kx_alg *alg = kx_alg_fetch(NULL, NULL, KX_X25519_EPH);

	check(alg != NULL, "X25519 fetch");
	if (alg == NULL)
		return;
	memset(out.dh, 0x5a, sizeof(out.dh));
	memset(out.canary, 0xa5, sizeof(out.canary));
	memset(want, 0xa5, sizeof(want));
	check(kx_keygen(alg, NULL, 0, &k, share, sizeof(share), &share_len) ==
	    SC_OK, "X25519 key pair");
	check(k != NULL && kx_derive(alg, k, zero, sizeof(zero), out.dh,
	    sizeof(out.dh), &dh_len) == SC_ERR_PROTOCOL && dh_len == 0,
	    "all-zero peer key rejected into a 32-byte buffer");
	check(memcmp(out.dh, zero, sizeof(zero)) == 0,
	    "the 32-byte buffer is wiped");
	check(memcmp(out.canary, want, sizeof(want)) == 0,
	    "the bytes after the buffer are intact");
	check(k != NULL && kx_derive(alg, k, share, share_len, out.dh,
	    sizeof(out.dh) - 1, &dh_len) == SC_ERR_ARG,
	    "a buffer shorter than the secret is refused");
	EVP_PKEY_free(k);
	kx_alg_free(alg);
}

/* Case a: group none, empty shares and kx = zero. */
static void
test_none(void)
{
	uint8_t sec[KX_MAX_SECRET], zero[32] = { 0 };
	uint8_t share[1];
	size_t share_len = 1, sec_len = 0;
	EVP_PKEY *k = (EVP_PKEY *)&share;
	kx_alg *alg = kx_alg_fetch(NULL, NULL, KX_GROUP_NONE);

	check(alg != NULL, "a: none fetch");
	if (alg == NULL)
		return;
	check(kx_keygen(alg, NULL, 0, &k, share, sizeof(share), &share_len) ==
	    SC_OK && k == NULL && share_len == 0, "a: none keygen, empty share");
	memset(sec, 0xaa, sizeof(sec));
	check(kx_respond(alg, NULL, 0, NULL, 0, share, sizeof(share),
	    &share_len, sec, sizeof(sec), &sec_len) == SC_OK && share_len == 0 &&
	    sec_len == 32 && memcmp(sec, zero, 32) == 0,
	    "a: none respond, kx = zero");
	memset(sec, 0xaa, sizeof(sec));
	check(kx_derive(alg, NULL, NULL, 0, sec, sizeof(sec), &sec_len) == SC_OK &&
	    sec_len == 32 && memcmp(sec, zero, 32) == 0,
	    "a: none derive, kx = zero");
	check(kx_derive(alg, NULL, share, 1, sec, sizeof(sec), &sec_len) ==
	    SC_ERR_PROTOCOL, "a: none with a non-empty share rejected");
	kx_alg_free(alg);
}

static void
test_kat(const struct kat *t)
{
	uint8_t cp[64], spv[64], cs[128], ss[128], peer[128], out[128];
	uint8_t sec[KX_MAX_SECRET], sec2[KX_MAX_SECRET];
	size_t cp_len, sp_len, cs_len = 0, ss_len = 0, sec_len = 0, sec2_len = 0;
	size_t out_len = 0;
	EVP_PKEY *ck = NULL;
	kx_alg *alg = kx_alg_fetch(NULL, NULL, t->group);
	char what[128];

	snprintf(what, sizeof(what), "%s: fetch", t->name);
	check(alg != NULL, what);
	if (alg == NULL)
		return;
	cp_len = unhex(t->client_priv, cp, sizeof(cp));
	sp_len = unhex(t->server_priv, spv, sizeof(spv));

	snprintf(what, sizeof(what), "%s: client share (message 6)", t->name);
	check(kx_keygen(alg, cp, cp_len, &ck, cs, sizeof(cs), &cs_len) ==
	    SC_OK && cs_len == kx_alg_client_share_len(alg) &&
	    eq_hex(cs, cs_len, t->client_share), what);

	snprintf(what, sizeof(what), "%s: server share (message 7) and kx",
	    t->name);
	check(kx_respond(alg, cs, cs_len, spv, sp_len, ss, sizeof(ss), &ss_len,
	    sec, sizeof(sec), &sec_len) == SC_OK &&
	    ss_len == kx_alg_server_share_len(alg) &&
	    eq_hex(ss, ss_len, t->server_share) &&
	    eq_hex(sec, sec_len, t->kx), what);

	snprintf(what, sizeof(what), "%s: client kx", t->name);
	check(ck != NULL && kx_derive(alg, ck, ss, ss_len, sec2, sizeof(sec2),
	    &sec2_len) == SC_OK && eq_hex(sec2, sec2_len, t->kx), what);

	/* Section 5: a share of the wrong length is illegal_parameter. */
	snprintf(what, sizeof(what), "%s: short share rejected", t->name);
	check(ck != NULL && kx_derive(alg, ck, ss, ss_len - 1, sec2,
	    sizeof(sec2), &sec2_len) == SC_ERR_PROTOCOL &&
	    kx_respond(alg, cs, cs_len - 1, NULL, 0, out, sizeof(out),
	    &out_len, sec, sizeof(sec), &sec_len) == SC_ERR_PROTOCOL, what);
	memcpy(peer, ss, ss_len);
	peer[ss_len] = 0;
	snprintf(what, sizeof(what), "%s: long share rejected", t->name);
	check(ck != NULL && kx_derive(alg, ck, peer, ss_len + 1, sec2,
	    sizeof(sec2), &sec2_len) == SC_ERR_PROTOCOL, what);

	if (t->group == KX_GROUP_P256 || t->group == KX_GROUP_P384) {
		size_t n = ss_len;
		size_t coord = (n - 1) / 2;

		/* y + 1: the point leaves the curve. */
		memcpy(peer, ss, n);
		peer[n - 1] ^= 0x01;
		snprintf(what, sizeof(what), "%s: point not on the curve "
		    "rejected", t->name);
		check(kx_derive(alg, ck, peer, n, sec2, sizeof(sec2), &sec2_len) ==
		    SC_ERR_PROTOCOL && kx_respond(alg, peer, n, NULL, 0, out,
		    sizeof(out), &out_len, sec, sizeof(sec), &sec_len) == SC_ERR_PROTOCOL,
		    what);

		/* The same point compressed (0x02/0x03 || x), and padded to
		 * the uncompressed length so only the prefix is wrong. */
		memset(peer, 0, sizeof(peer));
		peer[0] = (uint8_t)(0x02 | (cs[n - 1] & 1));
		memcpy(peer + 1, cs + 1, coord);
		snprintf(what, sizeof(what), "%s: compressed point rejected",
		    t->name);
		check(kx_respond(alg, peer, 1 + coord, NULL, 0, out,
		    sizeof(out), &out_len, sec, sizeof(sec), &sec_len) == SC_ERR_PROTOCOL &&
		    kx_respond(alg, peer, n, NULL, 0, out, sizeof(out),
		    &out_len, sec, sizeof(sec), &sec_len) == SC_ERR_PROTOCOL, what);

		/* The same point in the hybrid form (0x06/0x07 || x || y),
		 * which has the uncompressed length and which the decoder
		 * accepts: only the prefix check refuses it. */
		memcpy(peer, cs, n);
		peer[0] = (uint8_t)(0x06 | (cs[n - 1] & 1));
		snprintf(what, sizeof(what), "%s: hybrid point rejected",
		    t->name);
		check(kx_respond(alg, peer, n, NULL, 0, out, sizeof(out),
		    &out_len, sec, sizeof(sec), &sec_len) == SC_ERR_PROTOCOL, what);

		/* The identity, padded to length, and (0, 0). */
		memset(peer, 0, sizeof(peer));
		snprintf(what, sizeof(what), "%s: identity rejected", t->name);
		check(kx_derive(alg, ck, peer, 1, sec2, sizeof(sec2), &sec2_len) ==
		    SC_ERR_PROTOCOL && kx_derive(alg, ck, peer, n, sec2,
		    sizeof(sec2), &sec2_len) == SC_ERR_PROTOCOL, what);
		peer[0] = 0x04;
		snprintf(what, sizeof(what), "%s: point (0, 0) rejected",
		    t->name);
		check(kx_derive(alg, ck, peer, n, sec2, sizeof(sec2), &sec2_len) ==
		    SC_ERR_PROTOCOL, what);
	}
	if (t->group == KX_GROUP_X448) {
		memset(peer, 0, 56);
		snprintf(what, sizeof(what), "%s: all-zero result rejected",
		    t->name);
		check(ck != NULL && kx_derive(alg, ck, peer, 56, sec2,
		    sizeof(sec2), &sec2_len) == SC_ERR_PROTOCOL, what);
	}
	EVP_PKEY_free(ck);
	kx_alg_free(alg);
}

/* Client keygen -> server respond -> client derive with fresh keys. */
static void
test_round_trip(uint16_t group, const char *name)
{
	static uint8_t cs[2048], ss[2048];
	uint8_t sec_s[KX_MAX_SECRET], sec_c[KX_MAX_SECRET];
	size_t cs_len = 0, ss_len = 0, s_len = 0, c_len = 0;
	EVP_PKEY *ck = NULL;
	kx_alg *alg = kx_alg_fetch(NULL, NULL, group);
	char what[128];

	if (alg == NULL) {
		printf("skipped: %s round trip (the providers lack it)\n",
		    name);
		return;
	}
	snprintf(what, sizeof(what), "%s: fresh round trip, equal secrets",
	    name);
	check(kx_keygen(alg, NULL, 0, &ck, cs, sizeof(cs), &cs_len) == SC_OK &&
	    cs_len == kx_alg_client_share_len(alg) &&
	    kx_respond(alg, cs, cs_len, NULL, 0, ss, sizeof(ss), &ss_len,
	    sec_s, sizeof(sec_s), &s_len) == SC_OK &&
	    ss_len == kx_alg_server_share_len(alg) &&
	    kx_derive(alg, ck, ss, ss_len, sec_c, sizeof(sec_c), &c_len) == SC_OK &&
	    s_len == c_len && s_len > 0 && memcmp(sec_s, sec_c, s_len) == 0,
	    what);
	if (group == KX_GROUP_MLKEM768) {
		/* FIPS 203 modulus check: a coefficient of 0xfff >= q. */
		memcpy(ss, cs, cs_len);
		ss[0] = 0xff;
		ss[1] |= 0x0f;
		check(kx_respond(alg, ss, cs_len, NULL, 0, cs, sizeof(cs),
		    &ss_len, sec_s, sizeof(sec_s), &s_len) == SC_ERR_PROTOCOL,
		    "ML-KEM-768: key failing the modulus check rejected");
		check(kx_derive(alg, ck, ss, 1087, sec_c, sizeof(sec_c), &c_len) ==
		    SC_ERR_PROTOCOL,
		    "ML-KEM-768: short ciphertext rejected");
	}
	EVP_PKEY_free(ck);
	kx_alg_free(alg);
}

int
main(void)
{
	size_t i;

	check(kx_alg_fetch(NULL, NULL, 0x1234) == NULL,
	    "unknown group code not fetched");
	test_x25519_case_a();
	test_x25519_zero_canary();
	test_none();
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
		test_kat(&kats[i]);
	test_round_trip(KX_X25519_EPH, "X25519");
	test_round_trip(KX_GROUP_NONE, "none");
	test_round_trip(KX_GROUP_X448, "X448");
	test_round_trip(KX_GROUP_P256, "P-256");
	test_round_trip(KX_GROUP_P384, "P-384");
	test_round_trip(KX_GROUP_MLKEM768, "ML-KEM-768");
	printf("%s\n", failures == 0 ? "PASS" : "FAILED");
	return failures == 0 ? 0 : 1;
}
