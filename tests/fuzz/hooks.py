"""Schemathesis hooks for tests/fuzz/run: a strategy for the `Decimal` scalar (money amounts),
which schemathesis does not know. It sends what a client could: numbers and strings, sane and
not (huge, many decimals, exponents, garbage)."""

import graphql
import schemathesis
from hypothesis import strategies as st

_decimal_text = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["1e30", "-0", "0.000000000000000000001", "99999999999999999999999999999", "NaN", "Infinity", "1,5", ""]),
    st.text(max_size=20),
)

schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        _decimal_text.map(lambda s: graphql.StringValueNode(value=s)),
        st.integers().map(lambda i: graphql.IntValueNode(value=str(i))),
        st.floats(allow_nan=False, allow_infinity=False).map(lambda f: graphql.FloatValueNode(value=repr(f))),
    ),
)
