"""Logging helpers: nothing secret reaches a log line."""

import logging
import re

# A callback address ends in its generation's secret token (see veoui.studio.callbacks).
CALLBACK_TOKEN = re.compile(r"(/hooks/kie/(?:r/)?[0-9a-f-]{36}/)[^/\s\"']+")


class HideCallbackTokens(logging.Filter):
    """Django logs the path of a refused request ("Not Found: /hooks/kie/<id>/<token>/"): hide the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/hooks/kie/" in message:
            record.msg = CALLBACK_TOKEN.sub(r"\1[hidden]", message)
            record.args = ()
        return True
