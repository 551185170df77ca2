"""Key pair helpers, as ``nova.crypto``: fingerprints and key generation.

A fingerprint is the MD5 of the key's decoded base64 blob, shown as colon-
separated hex (what ``ssh-keygen -l -E md5`` prints); an x509 certificate's
(microversion 2.2) is the SHA-1 of its DER bytes. Generation shells out to
``ssh-keygen`` or ``openssl`` (as early Nova did) so that no crypto library is needed.
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


def generate_x509_fingerprint(pem: str) -> str:
    """A PEM certificate → the SHA-1 of its DER bytes, colon-separated; raises InvalidKeypair for garbage."""
    lines = [line.strip() for line in pem.strip().splitlines()]
    if len(lines) < 3 or lines[0] != "-----BEGIN CERTIFICATE-----" or lines[-1] != "-----END CERTIFICATE-----":
        raise exception.InvalidKeypair(reason="failed to generate X509 fingerprint")
    try:
        der = base64.b64decode("".join(lines[1:-1]), validate=True)
    except binascii.Error:
        raise exception.InvalidKeypair(reason="failed to generate X509 fingerprint") from None
    digest = hashlib.sha1(der, usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def generate_x509_key_pair(user_id: str, bits: int = 2048) -> tuple[str, str, str]:
    """A new self-signed certificate for WinRM logins: (private_key, certificate, fingerprint)."""
    with tempfile.TemporaryDirectory() as tmpdir:
        keyfile, certfile = os.path.join(tmpdir, "key"), os.path.join(tmpdir, "cert")
        try:
            subprocess.run(
                ["openssl", "req", "-x509", "-nodes", "-days", "3650", "-newkey", f"rsa:{bits}",
                 "-subj", f"/CN={user_id}", "-keyout", keyfile, "-out", certfile],
                check=True, capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError) as err:
            raise exception.KeypairGenerationFailed(reason=str(err)) from None
        with open(keyfile) as f:
            private_key = f.read()
        with open(certfile) as f:
            certificate = f.read().strip()
    return private_key, certificate, generate_x509_fingerprint(certificate)
