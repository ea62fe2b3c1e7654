"""RFC 9110 If-Match lists as the editor's accepted lock counters (no database): quoting, commas inside tags,
weak tags (strong comparison never matches them), foreign drafts, ``*``, and malformed lists (400)."""

from __future__ import annotations

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.ogc import preconditions


@pytest.mark.parametrize(
    ("header", "locks"),
    [
        ('"v7-3"', ["3"]),
        ('"v7-2", "v7-3"', ["2", "3"]),
        ('"a,b" ,"v7-4",,', ["4"]),  # a comma inside a tag is part of it; empty list elements are allowed
        ('W/"v7-3"', []),  # weak: never equal by strong comparison
        ('W/"v7-3", "v7-5"', ["5"]),
        ('"v8-3"', []),  # another draft's tag
        ('"v7-x"', []),
        (" * ", "*"),
    ],
)
def test_accepted_locks(header, locks):
    assert preconditions.accepted_locks(7, header) == locks


@pytest.mark.parametrize("header", ["v7-3", '"v7-3" "v7-4"', '"v7-3", *', "", " , ", 'w/"v7-3"', '"v7-3'])
def test_a_malformed_if_match_is_400_naming_it(header):
    with pytest.raises(InvalidInput, match="^If-Match:"):
        preconditions.accepted_locks(7, header)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", True),
        ("Sunday, 06-Nov-94 08:49:37 GMT", True),  # RFC 850 form: recipients must accept it
        ("Sun Nov  6 08:49:37 1994", True),  # asctime form
        ("Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT", False),  # a list: ignored
        ("yesterday", False),
        ("2026-01-01", False),
    ],
)
def test_only_one_valid_http_date_counts(value, valid):
    assert (preconditions._date(value) is not None) is valid
