"""/v2/account: the account the token belongs to."""

from __future__ import annotations

from .api import ROUTER, ok


@ROUTER.route("GET", "/v2/account")
def get_account(store, req):
    return ok({"account": store.data["account"]})
