#!/usr/bin/env python3
"""Writes the hostile envelope fixtures of Fixtures/envelopes/ and expected.json.

Each is an age v1 file (c2sp.org/age) around Fixtures/bundles/valid.puente, sealed to the
X25519 identity of the age specification's example (AGE-SECRET-KEY-1GFPYYSJZ…, public, for
tests only), then damaged one way. Needs python3-cryptography (a developer's tool: the test
suite reads the committed files). Randomness is fixed, so the files are the same each run.
"""
import base64, hashlib, hmac, json, os
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes, serialization

HERE = os.path.dirname(os.path.abspath(__file__))
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

def bech32_decode(text):
    text = text.lower()
    data = [CHARSET.index(c) for c in text[text.rindex("1") + 1:]][:-6]
    acc, bits, out = 0, 0, bytearray()
    for v in data:
        acc = acc << 5 | v; bits += 5
        while bits >= 8:
            bits -= 8; out.append(acc >> bits & 0xff)
    return bytes(out)

IDENTITY = bech32_decode("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
def public(scalar):
    return X25519PrivateKey.from_private_bytes(scalar).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
RECIPIENT = public(IDENTITY)
OTHER = public(hashlib.sha256(b"a key nobody holds").digest())
def b64(data): return base64.b64encode(data).decode().rstrip("=")
def hkdf(ikm, salt, info): return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)

seed = [0]
def rand(n):
    seed[0] += 1
    return hashlib.sha256(b"puente envelope fixtures %d" % seed[0]).digest()[:n]

def stanza(recipient, file_key):
    ephemeral = rand(32)
    share = public(ephemeral)
    shared = X25519PrivateKey.from_private_bytes(ephemeral).exchange(X25519PublicKey.from_public_bytes(recipient))
    body = ChaCha20Poly1305(hkdf(shared, share + recipient, b"age-encryption.org/v1/X25519")).encrypt(b"\0" * 12, file_key, None)
    return "-> X25519 %s\n%s\n" % (b64(share), b64(body))

def header(stanzas, file_key):
    text = ("age-encryption.org/v1\n" + "".join(stanzas) + "---").encode()
    return text + b" " + b64(hmac.new(hkdf(file_key, b"", b"header"), text, hashlib.sha256).digest()).encode() + b"\n"

def chunks(file_key, nonce, plaintext):
    key = hkdf(file_key, nonce, b"payload")
    pieces = [plaintext[i:i + 65536] for i in range(0, len(plaintext), 65536)] or [b""]
    return [ChaCha20Poly1305(key).encrypt(i.to_bytes(11, "big") + (b"\1" if i == len(pieces) - 1 else b"\0"), p, None)
            for i, p in enumerate(pieces)]

bundle = open(os.path.join(HERE, "..", "bundles", "valid.puente"), "rb").read()
# Padded to three chunks, so chunks can be reordered: a bundle and bytes after it are still an
# envelope's payload (the reader of envelopes is what these test).
payload = bundle + b"\0" * (2 * 65536 + 100 - len(bundle))
file_key = rand(16)
nonce = rand(16)
stanzas = [stanza(RECIPIENT, file_key), stanza(OTHER, file_key)]
good_header = header(stanzas, file_key)
sealed = chunks(file_key, nonce, payload)
files, expected = {}, {}
def add(name, data, outcome):
    files[name] = data; expected[name] = outcome

add("valid.age", good_header + nonce + b"".join(sealed), {"expect": "success", "payload": hashlib.sha256(payload).hexdigest()})
mac_at = good_header.rindex(b"--- ") + 4
flipped = bytearray(good_header); flipped[mac_at] = ord("B") if flipped[mac_at] == ord("A") else ord("A")
add("flipped-mac.age", bytes(flipped) + nonce + b"".join(sealed), {"expect": "HMAC failure"})
swapped = header(stanzas[::-1], file_key)[:mac_at] + good_header[mac_at:]
add("swapped-stanzas.age", swapped + nonce + b"".join(sealed), {"expect": "HMAC failure"})
add("truncated-last-chunk.age", good_header + nonce + b"".join(sealed)[:-7], {"expect": "payload failure"})
add("reordered-chunks.age", good_header + nonce + sealed[1] + sealed[0] + sealed[2], {"expect": "payload failure"})
add("extended-stream.age", good_header + nonce + b"".join(sealed) + b"\0" * 40, {"expect": "payload failure"})
add("unknown-key-stanza.age", header([stanza(OTHER, file_key)], file_key) + nonce + b"".join(sealed), {"expect": "no match"})
add("no-recipient.age", header([], file_key) + nonce + b"".join(sealed), {"expect": "header failure"})

for name, data in files.items():
    open(os.path.join(HERE, name), "wb").write(data)
with open(os.path.join(HERE, "expected.json"), "w") as out:
    json.dump(expected, out, indent=1, sort_keys=True)
    out.write("\n")
