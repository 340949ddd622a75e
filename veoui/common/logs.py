"""Logging helpers: nothing secret reaches a log line."""

import logging
import re

# A callback address ends in a secret token (see veoui.studio.callbacks): /hooks/kie/<id>/<token>/ for a video,
# /hooks/kie/r/<id>/<token>/ for its 1080P, 4K or extended version. Django's log lines and gunicorn's access log
# (veoui/gunicorn.conf.py) both hide it with this one pattern.
CALLBACK_TOKEN = re.compile(r"(/hooks/kie/(?:r/)?[^/\s\"'?#]+/)[^/\s\"'?#]+")


def hide_callback_tokens(text: str) -> str:
    return CALLBACK_TOKEN.sub(r"\1[hidden]", text)


class HideCallbackTokens(logging.Filter):
    """Django logs the path of a refused request ("Not Found: /hooks/kie/<id>/<token>/"): hide the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/hooks/kie/" in message:
            record.msg = hide_callback_tokens(message)
            record.args = ()
        return True


class QuietForbidden(logging.Filter):
    """A refused request (403) is an ordinary answer, not a fault: one line in the log, without the traceback
    Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
