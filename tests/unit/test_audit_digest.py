"""The audit chain's hash functions against the published test vectors (no database)."""

from __future__ import annotations

import hashlib

import pytest

from gisgrid.audit.chain import GENESIS, digest, sm3
from gisgrid.config import audit_hash


def test_sm3_and_sha256_match_their_standards_example():
    # GB/T 32905-2016 appendix A.1 and FIPS 180-2: the message "abc"
    assert digest("sm3", "", "abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert digest("sha256", "", "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_the_previous_hash_is_part_of_the_input():
    assert digest("sha256", GENESIS, "abc") != digest("sha256", "1" * 64, "abc")
    assert digest("sm3", GENESIS, "审计") == digest("sm3", GENESIS, "审计")  # UTF-8, deterministic
    with pytest.raises(ValueError, match="md5"):
        digest("md5", GENESIS, "abc")


def test_the_setting_accepts_only_the_two_hashes(monkeypatch):
    monkeypatch.setenv("GISGRID_AUDIT_HASH", "SM3")
    assert audit_hash() == "sm3"
    monkeypatch.delenv("GISGRID_AUDIT_HASH")
    assert audit_hash() == "sha256"
    monkeypatch.setenv("GISGRID_AUDIT_HASH", "md5")
    with pytest.raises(ValueError, match="GISGRID_AUDIT_HASH"):
        audit_hash()


@pytest.mark.skipif("sm3" not in hashlib.algorithms_available, reason="this OpenSSL has no SM3: gmssl alone is used")
def test_gmssl_and_openssl_give_the_same_sm3():
    data = ("0" * 64 + '[1, "2026-12-05T10:00:00.000000", "审计", {"result": "success"}]').encode()
    assert sm3(data, engine="gmssl") == sm3(data, engine="openssl")
    assert sm3(b"abc", engine="gmssl") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
