"""The pg_dsn test (the role preflights' one check of a PostgreSQL connection string, over module_utils._pg_dsn)."""

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_dsn, _runtime
from ansible_collections.insightpulseai.workbench.plugins.test.pg_dsn import pg_dsn


@pytest.mark.parametrize(
    "value, any_form, uri_login",
    [
        ("postgresql://u:p@h:5432/db?sslmode=require", True, True),
        ("postgres://u:p@h/db", True, True),
        ("postgresql://postgres.abcdefghij:pw@pooler.supabase.com:6543/postgres", True, True),
        ("postgresql://u:p@[2001:db8::1]:5432/db", True, True),
        ("host=h user=u dbname=d password=p", True, False),  # libpq reads it; not a URI
        ("postgresql://h/db", True, False),  # no user
        ("postgresql://u@h", True, False),  # no database
        ("mysql://u:p@h:9/db", False, False),
        ("workbench_pipeline:pw@127.0.0.1/workbench", False, False),
        ("", False, False),
        (None, False, False),
        (["postgresql://u:p@h/db"], False, False),
    ],
)
def test_pg_dsn(value, any_form, uri_login):
    assert pg_dsn(value) is any_form
    assert pg_dsn(value, uri=True, login=True) is uri_login


def test_a_parse_error_is_a_spec_error_that_does_not_show_the_value():
    with pytest.raises(_runtime.SpecError) as info:
        _pg_dsn.parts("postgresql://u:s3cr3t-value@h/db?bogus=1")
    assert "s3cr3t-value" not in str(info.value) and info.value.written is False
    assert isinstance(info.value, ValueError)
