import logging

from veoui.core.logs import HideCallbackTokens


def test_it_hides_the_secret_of_a_callback_address_in_log_lines() -> None:
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/hooks/kie/r/0b0e8f5c-1a2b-4c3d-8e9f-0123456789ab/s3cr3t-T0ken/",),
        None,
    )
    HideCallbackTokens().filter(record)
    assert record.getMessage() == "Not Found: /hooks/kie/r/0b0e8f5c-1a2b-4c3d-8e9f-0123456789ab/[hidden]/"
