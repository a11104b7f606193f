"""Reading a role's YAML as Ansible does, for tests: its ``!unsafe`` and ``!vault`` tags included."""

import yaml


class Unsafe(str):
    """A value tagged !unsafe: Ansible never renders it, so its braces are text, not a read."""


class RoleLoader(yaml.SafeLoader):
    """SafeLoader that reads Ansible's !unsafe (as Unsafe) and !vault (the encrypted text) tags."""


RoleLoader.add_constructor("!unsafe", lambda loader, node: Unsafe(loader.construct_scalar(node)))
RoleLoader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))


def load(text_or_file):
    """One YAML document (a string or an open file)."""
    return yaml.load(text_or_file, Loader=RoleLoader)  # noqa: S506 - a SafeLoader subclass


def load_all(text):
    """Every document of a YAML stream."""
    return list(yaml.load_all(text, Loader=RoleLoader))  # noqa: S506 - a SafeLoader subclass
