#!/bin/sh
# Installs the PyTorch peer of `npm run bench` (Debian packages, system /usr/bin/python3):
# python3-torch, and the OpenMP build of OpenBLAS, which the bench selects with
# LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OPENBLAS_CORETYPE=SkylakeX
# (see shared/measurements.md: alone, torch links the reference BLAS; the pthread OpenBLAS
# fights torch's OpenMP threads; Debian's OpenBLAS mis-detects this CPU as Prescott).
# The numpy peer uses the pyenv `python3` with its bundled OpenBLAS and needs nothing here.
set -e
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3-torch libopenblas0-openmp
