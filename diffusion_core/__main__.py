"""``python -m diffusion_core``: the command line.

numpy's BLAS would start one thread per core. At this model's sizes (matrices
of about 40 x 129 x 154) threads only add synchronisation, and when another
process keeps the cores busy each multiply waits for a descheduled thread:
names training took 11.7 s instead of 0.58 s on a loaded 2-core machine. So
the command line asks for one BLAS thread before numpy is imported, unless the
user has set a thread count themselves.
"""

import os
import sys

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

if not any(os.environ.get(v) for v in THREAD_VARS):
    for _v in THREAD_VARS:
        os.environ[_v] = "1"

from .cli import main  # noqa: E402  (numpy loads here, after the thread count is set)

sys.exit(main())
