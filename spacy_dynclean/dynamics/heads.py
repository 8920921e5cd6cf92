"""Registered model architectures for the `dynclean` component's scoring heads."""
from typing import List, Optional

from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, Linear, Relu, chain, with_array, zero_init
from thinc.types import Floats2d


@registry.architectures("spacy-dynclean.TokenScorer.v1")
def build_token_scorer(
    tok2vec: Model[List[Doc], List[Floats2d]],
    hidden_width: int = 0,
    nO: Optional[int] = None,
) -> Model[List[Doc], List[Floats2d]]:
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
