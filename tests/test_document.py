"""Preparing a plain-ASCII text through the compiled tokeniser and splitter gives exactly the regex path's parts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.document import _plain_parts, _regex_parts
from dedupe.fingerprint import is_plain
from tests.test_profiles import ascii_texts, news_like


@settings(max_examples=400, deadline=None)
@given(st.one_of(news_like, ascii_texts))
def test_plain_text_is_prepared_as_the_regex_path_prepares_it(text):
    if not is_plain(text):
        return
    plain, regex = _plain_parts(text), _regex_parts(text)
    assert plain[0] == regex[0]
    for compiled, defined in zip(plain[1:], regex[1:], strict=True):
        assert compiled.dtype == defined.dtype
        assert np.array_equal(compiled, defined)
