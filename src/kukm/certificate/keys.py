"""Ed25519 key pairs of an issuing office (Dinas, Sudin or Kemenkop).

The private key signs certificate payloads and revocation lists; the public
key is handed out so anyone verifies a certificate offline. Files:

* ``<name>.key`` – private key, PEM PKCS#8, unencrypted unless a passphrase is
  given, file mode ``0600``. Never commit it (``.gitignore`` ignores ``*.key``).
* ``<name>.pub.pem`` – public key, PEM SubjectPublicKeyInfo.

The *key id* is the first 4 bytes of SHA-256 over the raw 32-byte public key;
every payload carries it so a verifier holding several office keys picks the
right one.

>>> private = generate_private_key()
>>> len(key_id(private.public_key()))
4
>>> pem = public_key_pem(private.public_key())
>>> key_id(load_public_key_pem(pem)) == key_id(private.public_key())
True
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from attrs import frozen
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from kukm.exceptions import ConfigurationError, register_code

__all__ = [
    "KeyPairPaths",
    "generate_private_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "load_public_key_pem",
    "public_key_pem",
    "write_keypair",
    "write_public_key",
]

KEY_FILE_INVALID = register_code(
    "KEY_FILE_INVALID",
    "Berkas kunci tidak dapat dibaca atau bukan kunci Ed25519.",
    "The key file cannot be read or is not an Ed25519 key.",
    module=__name__,
)
KEY_FILE_EXISTS = register_code(
    "KEY_FILE_EXISTS",
    "Berkas kunci sudah ada; kunci lama tidak ditimpa.",
    "The key file already exists; an existing key is never overwritten.",
    module=__name__,
)


@frozen
class KeyPairPaths:
    """Where :func:`write_keypair` put the two files."""

    private_key: Path
    public_key: Path
    key_id: str


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key.

    >>> isinstance(generate_private_key(), Ed25519PrivateKey)
    True
    """
    return Ed25519PrivateKey.generate()


def key_id(public_key: Ed25519PublicKey) -> bytes:
    """First 4 bytes of SHA-256 over the raw public key.

    >>> k = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    >>> key_id(k).hex()
    '139e3940'
    """
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:4]


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo).

    >>> public_key_pem(generate_private_key().public_key()).startswith(b"-----BEGIN PUBLIC KEY")
    True
    """
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key_pem(data: bytes) -> Ed25519PublicKey:
    """Parse a PEM public key; raises :class:`ConfigurationError` if it is not Ed25519.

    >>> load_public_key_pem(b"junk")
    Traceback (most recent call last):
    ...
    kukm.exceptions.ConfigurationError: [KEY_FILE_INVALID] ...
    """
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise ConfigurationError(code=KEY_FILE_INVALID, value=str(exc)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigurationError(code=KEY_FILE_INVALID, value=type(key).__name__)
    return key


def load_public_key(path: str | os.PathLike[str]) -> Ed25519PublicKey:
    """Read a ``.pub.pem`` file (see :func:`write_public_key`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigurationError(code=KEY_FILE_INVALID, value=str(exc)) from None
    return load_public_key_pem(data)


def load_private_key(
    path: str | os.PathLike[str], *, passphrase: bytes | None = None
) -> Ed25519PrivateKey:
    """Read a private key written by :func:`write_keypair`."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=passphrase)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigurationError(code=KEY_FILE_INVALID, value=str(exc)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(code=KEY_FILE_INVALID, value=type(key).__name__)
    return key


def write_public_key(path: str | os.PathLike[str], public_key: Ed25519PublicKey) -> Path:
    """Write the public key as PEM (mode 0644) and return the path.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> p = write_public_key(d / "dinas.pub.pem", generate_private_key().public_key())
    >>> load_public_key(p) is not None
    True
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(public_key_pem(public_key))
    return out


def write_keypair(
    out_dir: str | os.PathLike[str],
    *,
    name: str = "kukm-kantor",
    passphrase: bytes | None = None,
    private_key: Ed25519PrivateKey | None = None,
) -> KeyPairPaths:
    """Generate (or take) a key pair and write ``<name>.key`` (0600) and ``<name>.pub.pem``.

    Never overwrites an existing private key.

    >>> import tempfile, stat
    >>> paths = write_keypair(tempfile.mkdtemp(), name="dinas")
    >>> oct(stat.S_IMODE(paths.private_key.stat().st_mode))
    '0o600'
    >>> paths.public_key.name
    'dinas.pub.pem'
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    key = private_key if private_key is not None else generate_private_key()
    priv_path = directory / f"{name}.key"
    pub_path = directory / f"{name}.pub.pem"
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    try:
        fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigurationError(code=KEY_FILE_EXISTS, value=str(priv_path)) from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(priv_path, 0o600)
    write_public_key(pub_path, key.public_key())
    return KeyPairPaths(priv_path, pub_path, key_id(key.public_key()).hex())
