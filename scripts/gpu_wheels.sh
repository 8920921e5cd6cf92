#!/usr/bin/env bash
# Download into .whl/ the wheels scripts/gpu_check.sh needs on a GPU machine that has
# Python 3.12, PyTorch and CuPy but no package index (and a transformers too new for
# spacy-transformers 1.4): spacy-dynclean's own wheel and its dependencies, pinned to
# what this checkout's venv has. Run here, where pip reaches PyPI.
set -euo pipefail
rm -rf .whl && mkdir -p .whl
python3 -m pip wheel -q --no-deps -w .whl .
python3 -m pip freeze --exclude-editable \
  | grep -v -i -E '^(torch|nvidia-|triton|numpy|pytest|hypothesis|ruff|playwright)' > /tmp/gpu-reqs.txt
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform any -d .whl -r /tmp/gpu-reqs.txt
du -sh .whl
