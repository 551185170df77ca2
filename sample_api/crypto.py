"""Key pair helpers, as ``nova.crypto``: fingerprints and key generation.

A fingerprint is the MD5 of the key's decoded base64 blob, shown as colon-
separated hex (what ``ssh-keygen -l -E md5`` prints). Generation shells out to
``ssh-keygen`` (as early Nova did) so that no crypto library is needed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import subprocess
import tempfile

from sample_api import exception


def generate_fingerprint(public_key: str) -> str:
    """``ssh-rsa AAAA... comment`` → ``9e:8a:40:...``; raises InvalidKeypair for garbage."""
    try:
        key_type, blob_b64 = public_key.split()[:2]
        blob = base64.b64decode(blob_b64, validate=True)
    except (ValueError, binascii.Error):
        raise exception.InvalidKeypair(reason="failed to generate fingerprint") from None
    if not key_type.startswith(("ssh-", "ecdsa-")):
        raise exception.InvalidKeypair(reason="failed to generate fingerprint")
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def generate_key_pair(comment: str = "Generated-by-Nova", bits: int = 2048) -> tuple[str, str, str]:
    """A new RSA key pair: (private_key, public_key, fingerprint). The private key is never stored."""
    with tempfile.TemporaryDirectory() as tmpdir:
        keyfile = os.path.join(tmpdir, "key")
        try:
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "rsa", "-m", "PEM", "-b", str(bits), "-N", "", "-C", comment,
                 "-f", keyfile],
                check=True, capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError) as err:
            raise exception.KeypairGenerationFailed(reason=str(err)) from None
        with open(keyfile) as f:
            private_key = f.read()
        with open(keyfile + ".pub") as f:
            public_key = f.read().strip()
    return private_key, public_key, generate_fingerprint(public_key)
