import logging

import pytest

from veoui.common.logs import HideCallbackTokens

PUBLIC_ID = "0b0e8f5c-1a2b-4c3d-8e9f-0123456789ab"


@pytest.mark.parametrize("route", ["/hooks/kie/", "/hooks/kie/r/"])
def test_it_hides_the_secret_of_a_callback_address_in_log_lines(route: str) -> None:
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"{route}{PUBLIC_ID}/s3cr3t-T0ken/",), None
    )
    HideCallbackTokens().filter(record)
    assert record.getMessage() == f"Not Found: {route}{PUBLIC_ID}/[hidden]/"
