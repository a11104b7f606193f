"""Run a module's main() in-process with given arguments; exit_json/fail_json raise so tests read the payload."""

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


class ModuleExit(Exception):
    def __init__(self, kwargs):
        super().__init__(kwargs)
        self.result = kwargs


class ModuleFail(ModuleExit):
    pass


def _exit(self, **kwargs):
    raise ModuleExit(kwargs)


def _fail(self, msg, **kwargs):
    kwargs["msg"] = msg
    raise ModuleFail(kwargs)


def run_module(monkeypatch, main, args, check_mode=False):
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail)
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(ModuleExit) as info:
            main()
    return info.value
