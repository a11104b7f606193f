"""Where scripts/install-helm.sh puts helm (the versioned tool cache), for tests and benchmarks."""

import os

HELM_VERSION = "3.19.0"
HELM = os.path.join(
    os.environ.get("WORKBENCH_CACHE") or os.path.expanduser("~/.cache/insightpulseai-workbench"),
    "helm-%s" % HELM_VERSION,
    "bin",
    "helm",
)
