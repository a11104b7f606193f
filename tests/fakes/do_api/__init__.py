"""A stateful fake of the DigitalOcean API v2, checked against DigitalOcean's published OpenAPI spec.

See tests/fakes/README.md for what it implements and where it is more forgiving than the real API.
"""

from .registry import push_image
from .server import DOApiFake

__all__ = ["DOApiFake", "push_image"]
