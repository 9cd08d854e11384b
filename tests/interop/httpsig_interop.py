"""Interoperability of our RFC 9421 signatures with an independent implementation, the PyPI
package `http-message-signatures`. Called by tests/api/partner.rs; reads one JSON job on stdin.

  {"mode": "verify", "method", "url", "headers": [[name, value]...], "body", "public_key", "key_id"}
      verifies our signature (and the body's Content-Digest); prints {"ok": true, "covered": [...]}
  {"mode": "sign", "method", "url", "body", "content_type", "private_key", "key_id", "nonce"}
      signs a request as a partner would; prints {"headers": {name: value}}

Keys are base64 of the raw 32 bytes (our directory's form).
"""

import base64
import datetime
import json
import sys

from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, MappingKeyResolver, algorithms


class Headers(dict):
    """Field lines with case-insensitive names, as the package's message interface expects."""

    def __contains__(self, name):
        return any(k.lower() == name.lower() for k in self.keys())


class Message:
    def __init__(self, method, url, headers):
        self.method = method
        self.url = url
        self.headers = headers


def main():
    job = json.load(sys.stdin)
    body = job.get("body", "").encode()
    if job["mode"] == "verify":
        public = ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(job["public_key"]))
        resolver = MappingKeyResolver(public_keys={job["key_id"]: public}, private_keys={})
        verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
        msg = Message(job["method"], job["url"], Headers(job["headers"]))
        results = verifier.verify(msg, body=body, max_age=datetime.timedelta(minutes=10))
        covered = [str(c) for c in results[0].covered_components]
        print(json.dumps({"ok": True, "covered": covered}))
    else:
        private = ed25519.Ed25519PrivateKey.from_private_bytes(base64.b64decode(job["private_key"]))
        resolver = MappingKeyResolver(public_keys={}, private_keys={job["key_id"]: private})
        signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
        headers = Headers({"Content-Type": job["content_type"]})
        msg = Message(job["method"], job["url"], headers)
        now = datetime.datetime.now(datetime.timezone.utc)
        signer.sign(
            msg,
            key_id=job["key_id"],
            created=now,
            expires=now + datetime.timedelta(minutes=2),
            nonce=job["nonce"],
            label="py1",
            covered_component_ids=("@method", "@target-uri", "content-type"),
            body=body,
        )
        print(json.dumps({"headers": dict(msg.headers)}))


if __name__ == "__main__":
    main()
