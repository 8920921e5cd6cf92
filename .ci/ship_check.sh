#!/usr/bin/env bash
# Shipping without spacy-dynclean: a pipeline trained with `dynclean` in it (tok2vec +
# ner + dynclean, plain `spacy train` on the corpus `spacy project run all` converted)
# is stripped with `dynclean strip` and packaged with `spacy package`; then
# spacy-dynclean is uninstalled and the package is installed and run. Needs the venv of
# the README's main command, after that command ran.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
python -m spacy init config "$out/own.cfg" --pipeline ner --force > /dev/null
python .ci/add_dynclean.py "$out/own.cfg"
python -m spacy train "$out/own.cfg" --output "$out/train" --paths.train corpus/train-ds.spacy \
    --paths.dev corpus/dev.spacy --training.max_steps 20 --training.eval_frequency 10 > "$out/train.log"
test -d "$out/train/model-last/dynclean/records"
python -m spacy_dynclean strip "$out/train/model-last" "$out/stripped"
mkdir "$out/packages"
python -m spacy package "$out/stripped" "$out/packages" --name shipcheck --version 0.0.1 --build none > /dev/null
python -m pip uninstall -y -q spacy-dynclean
python -m pip install -q "$out/packages/en_shipcheck-0.0.1"
(cd "$out" && python -c "
import importlib.util, spacy
assert importlib.util.find_spec('spacy_dynclean') is None, 'spacy-dynclean is still installed'
nlp = spacy.load('en_shipcheck')
assert nlp.pipe_names == ['tok2vec', 'ner'], nlp.pipe_names
print('shipped pipeline', nlp.pipe_names, 'runs without spacy-dynclean:', nlp('Alice lives in Paris').ents)
")
rm -rf "$out"
