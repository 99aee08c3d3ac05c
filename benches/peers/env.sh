# Sourced by run.sh and batch.sh (with $here set to this folder): the environment both
# peer scripts run in, and the virtual environment with `implicit`, made on first use.

# implicit's own BLAS must not compete with its thread pool (implicit check_blas_config).
export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kocrank-target}"

venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "implicit>=0.7,<0.8" numpy scipy pandas
fi
