"""The frozen transformer layer: spacy-transformers' Tok2VecTransformer.v3 outputs,
computed once per doc, with the same layer tree (its weights load into either)."""

import numpy as np
import pytest
from spacy.util import registry
from thinc.api import reduce_mean

pytest.importorskip("spacy_transformers")

from spacy_dynclean.layers.frozen_transformer import (  # noqa: E402
    build_frozen_transformer,
)


def build(tiny_bert, **kwargs):
    spans = registry.span_getters.get("spacy-transformers.strided_spans.v1")(16, 12)
    return build_frozen_transformer(
        str(tiny_bert), spans, {"use_fast": True}, reduce_mean(), **kwargs
    )


def plain(tiny_bert):
    spans = registry.span_getters.get("spacy-transformers.strided_spans.v1")(16, 12)
    make = registry.architectures.get("spacy-transformers.Tok2VecTransformer.v3")
    return make(str(tiny_bert), spans, {"use_fast": True}, reduce_mean(), 0.0)


def test_outputs_are_computed_once_and_match_the_plain_layer(tiny_bert, tiny_docs):
    frozen = build(tiny_bert)
    frozen.initialize(X=tiny_docs[:2])
    calls = []
    encoder = frozen.layers[0]
    original = encoder._func

    def counted(model, docs, is_train):
        calls.append(len(docs))
        return original(model, docs, is_train)

    encoder._func = counted
    first, backprop = frozen(tiny_docs, is_train=True)
    again = frozen.predict(tiny_docs)
    assert calls == [4]  # 12 docs, 4 distinct: computed once, in one batch
    assert backprop([np.zeros_like(y) for y in first]) == []
    assert all(a is b for a, b in zip(first, again))
    assert [y.shape for y in first] == [(len(d), 32) for d in tiny_docs]
    twin = plain(tiny_bert).from_bytes(frozen.to_bytes())  # the same layer tree
    for a, b in zip(first, twin.predict(tiny_docs)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_the_cache_is_bounded(tiny_bert, tiny_docs):
    frozen = build(tiny_bert, max_cached=2)
    frozen.initialize(X=tiny_docs[:2])
    first = frozen.predict(tiny_docs)
    second = frozen.predict(tiny_docs)
    assert not any(a is b for a, b in zip(first, second))  # 4 docs > 2: not kept
    for a, b in zip(first, second):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
