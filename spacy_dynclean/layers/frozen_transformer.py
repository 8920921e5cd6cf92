"""A frozen transformer as a tok2vec layer, its outputs computed once per doc.

Training with a transformer on CPU is slow because every update runs the encoder
forward and backward. With the encoder frozen, a doc's token vectors never change, so
this layer computes them once (no gradient) and reuses them in every later epoch and
evaluation of the same process: a run costs about one forward pass over train + dev,
then trains only the layers on top. It is spacy-transformers' `Tok2VecTransformer.v3`
(same arguments, same layer tree, so the same weights) with a caching forward and no
backward; `training/package.strip_dynclean` rewrites it to that architecture with
`grad_factor = 0`, so a shipped pipeline loads with spaCy and spacy-transformers
alone. To fine-tune the encoder (on a GPU), use the `*_trf_finetune` configs.

The cache lives with the model object, in memory, keyed by the doc's words and
whitespace; it holds at most `max_cached` docs (later docs are computed each time).
"""

from collections.abc import Callable

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model
from thinc.types import Floats2d, Ragged


@registry.architectures("spacy-dynclean.FrozenTransformer.v1")
def build_frozen_transformer(
    name: str,
    get_spans: Callable,
    tokenizer_config: dict,
    pooling: Model[Ragged, Floats2d],
    transformer_config: dict = {},
    mixed_precision: bool = False,
    grad_scaler_config: dict = {},
    max_cached: int = 1_000_000,
) -> Model[list[Doc], list[Floats2d]]:
    """Token vectors of a frozen transformer `name` (a hub name or a model folder),
    pooled over each token's wordpieces, computed once per doc (module docstring)."""
    from spacy_transformers.architectures import transformer_tok2vec_v3

    tok2vec = transformer_tok2vec_v3(
        name,
        get_spans,
        tokenizer_config,
        pooling,
        grad_factor=0.0,
        transformer_config=transformer_config,
        mixed_precision=mixed_precision,
        grad_scaler_config=grad_scaler_config,
    )
    cache: dict[int, Floats2d] = {}

    def forward(
        model: Model, docs: list[Doc], is_train: bool
    ) -> tuple[list[Floats2d], Callable]:
        keys = [doc_key(doc) for doc in docs]
        new = {key: doc for key, doc in zip(keys, docs) if key not in cache}
        computed: dict[int, Floats2d] = {}
        if new:
            encoder, pool = model.layers
            computed = dict(zip(new, pool.predict(encoder.predict(list(new.values())))))
            if len(cache) + len(computed) <= max_cached:
                cache.update(computed)
        outputs = [cache[key] if key in cache else computed[key] for key in keys]
        return outputs, lambda d_outputs: []

    return Model(
        tok2vec.name,
        forward,
        init=tok2vec.init,
        layers=tok2vec.layers,
        dims=dict(tok2vec._dims),
        refs=dict(tok2vec._refs),
    )


def doc_key(doc: Doc) -> int:
    """The cache key of a doc: its words and their whitespace."""
    return hash(tuple((t.text, t.whitespace_) for t in doc))
