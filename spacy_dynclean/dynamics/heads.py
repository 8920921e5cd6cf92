"""Registered model architectures for the `dynclean` component's scoring heads."""

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Linear, Model, Relu, chain, with_array, zero_init
from thinc.types import Floats2d

from .samples import enumerate_spans


@registry.architectures("spacy-dynclean.TokenScorer.v1")
def build_token_scorer(
    tok2vec: Model[list[Doc], list[Floats2d]],
    hidden_width: int = 0,
    nO: int | None = None,
) -> Model[list[Doc], list[Floats2d]]:
    """Per-token logits over BILUO entity tags: tok2vec, an optional hidden
    ReLU layer, then a linear output layer. Outputs logits (no softmax): the
    component computes the softmax cross-entropy loss and the margins itself.
    """
    output_layer = Linear(nO=nO, init_W=zero_init)
    head = chain(Relu(nO=hidden_width), output_layer) if hidden_width else output_layer
    model = chain(tok2vec, with_array(head))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    return model


@registry.architectures("spacy-dynclean.SpanScorer.v1")
def build_span_scorer(
    tok2vec: Model[list[Doc], list[Floats2d]],
    max_span_length: int = 8,
    width_embedding: int = 32,
    hidden_width: int = 128,
    nO: int | None = None,
) -> Model[list[Doc], list[Floats2d]]:
    """Logits over the entity types plus "O" for every span of up to
    `max_span_length` tokens (the DynClean span model): start-token vector ⊕
    end-token vector ⊕ a learned width embedding, a ReLU layer, a linear output.
    One array per doc, rows in `samples.enumerate_spans` order.
    """
    output_layer = Linear(nO=nO, init_W=zero_init)
    scorer = (
        chain(Relu(nO=hidden_width), output_layer) if hidden_width else output_layer
    )
    model = Model(
        "span_scorer",
        _span_forward,
        init=_span_init,
        layers=[tok2vec, scorer],
        params={"W_width": None},
        dims={"width_embedding": width_embedding},
        attrs={"dynclean_head": "span", "max_span_length": max_span_length},
    )
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output_layer", output_layer)
    return model


def _span_init(model: Model, X: list[Doc] | None = None, Y=None) -> None:
    tok2vec, scorer = model.layers
    tok2vec.initialize(X=X)
    width = (
        tok2vec.get_dim("nO")
        if tok2vec.has_dim("nO")
        else tok2vec.predict(X[:1])[0].shape[1]
    )
    n_width = model.get_dim("width_embedding")
    scorer.initialize(X=model.ops.alloc2f(2, 2 * width + n_width))
    table = model.ops.asarray2f(
        numpy.random.default_rng(0).normal(
            0.0, 0.1, (model.attrs["max_span_length"], n_width)
        )
    )
    model.set_param("W_width", table)


def _span_forward(model: Model, docs: list[Doc], is_train: bool):
    tok2vec, scorer = model.layers
    ops = model.ops
    vectors, backprop_tok2vec = tok2vec(docs, is_train)
    lengths = numpy.array([len(doc) for doc in docs], dtype="int64")
    doc, start, end = enumerate_spans(lengths, model.attrs["max_span_length"])
    offsets = (
        numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]])
        if len(lengths)
        else lengths
    )
    first = ops.asarray1i(offsets[doc] + start)
    last = ops.asarray1i(offsets[doc] + end - 1)
    width = ops.asarray1i(end - start - 1)
    X = ops.flatten(vectors)
    W = model.get_param("W_width")
    H = ops.xp.hstack([X[first], X[last], W[width]])
    scores, backprop_scorer = scorer(H, is_train)
    n_spans = ops.asarray1i(numpy.bincount(doc, minlength=len(docs)))

    def backprop(d_scores: list[Floats2d]) -> list[Doc]:
        dH = backprop_scorer(ops.flatten(d_scores))
        n = X.shape[1]
        dX = ops.alloc2f(*X.shape)
        ops.scatter_add(dX, first, dH[:, :n])
        ops.scatter_add(dX, last, dH[:, n : 2 * n])
        dW = ops.alloc2f(*W.shape)
        ops.scatter_add(dW, width, dH[:, 2 * n :])
        model.inc_grad("W_width", dW)
        return backprop_tok2vec(ops.unflatten(dX, ops.asarray1i(lengths)))

    return ops.unflatten(scores, n_spans), backprop
