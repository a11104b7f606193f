"""The bcrypt_hash filter: the OpenBSD test vector, stable salts, and refusals."""

import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.insightpulseai.workbench.plugins.filter.bcrypt_hash import (
    bcrypt64,
    bcrypt_hash,
    hash_with_salt,
)

# n8n's own check of N8N_INSTANCE_OWNER_PASSWORD_HASH (2.41.1, owner.instance-settings-loader.js)
N8N_BCRYPT = re.compile(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$")


def test_known_vector():
    # from the OpenBSD / John the Ripper bcrypt test vectors
    assert (
        hash_with_salt(b"U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.")
        == "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
    )


def test_salt_encoding():
    assert bcrypt64(b"\x00" * 16) == "." * 22
    assert len(bcrypt64(b"\xff" * 16)) == 22


def test_the_same_password_and_key_give_the_same_hash():
    first = bcrypt_hash("Passw0rd-it", "encryption-key-1")
    assert N8N_BCRYPT.match(first) and first.startswith("$2b$10$")
    assert bcrypt_hash("Passw0rd-it", "encryption-key-1") == first
    assert bcrypt_hash("Passw0rd-it", "encryption-key-2") != first
    assert bcrypt_hash("Passw0rd-it2", "encryption-key-1")[:29] != first[:29]  # another password: another salt
    assert bcrypt_hash("Passw0rd-it") != bcrypt_hash("Passw0rd-it")  # no key: a random salt
    assert hash_with_salt(b"Passw0rd-it", first[:29]) == first  # it verifies


@pytest.mark.parametrize(
    "password, kwargs, message",
    [
        ("", {}, "non-empty password"),
        ("x" * 73, {}, "73 bytes long, bcrypt uses at most 72"),
        ("pw", {"rounds": 3}, "rounds=3 must be 4 to 31"),
        ("pw", {"rounds": "many"}, "is not a whole number"),
    ],
)
def test_refusals(password, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        bcrypt_hash(password, "k", **kwargs)
