"""The simulator's knobs: set from the command line, changed later through ``POST /_sim/config``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from veoui.kie.simulator.contract import DEFAULT_PRICES

# The command line takes its keys from these too, so that they need not show in the process list.
API_KEY_VARIABLE = "KIE_SIMULATOR_API_KEY"
HMAC_KEY_VARIABLE = "KIE_SIMULATOR_WEBHOOK_HMAC_KEY"

CALLBACK_4K_SHAPES = ("camel", "snake", "alternate")


@dataclass
class SimConfig:
    # How long a generation runs, drawn uniformly per task; upgrades take upgrade_factor times as long.
    min_seconds: float = 10.0
    max_seconds: float = 20.0
    upgrade_factor: float = 1.0
    # The balance a fresh (or reset) simulator starts with.
    balance: float = 10000.0
    prices: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    # kie.ai: 20 new generations per 10 s per account; 0 turns the limit off.
    rate_limit: int = 20
    rate_window_seconds: float = 10.0
    # 4K callbacks come in two documented shapes; "alternate" switches on every callback.
    callback_4k_shape: str = "alternate"
    duplicate_callbacks: int = 0
    callback_attempts: int = 3
    callback_retry_seconds: float = 1.0
    callback_timeout_seconds: float = 15.0
    # False, or the HTTP status (404 or 410) that result files answer, as links do once kie.ai deletes them.
    result_files_unavailable: bool | int = False
    # Never shown by as_dict(): it is a secret shared with the receiver.
    webhook_hmac_key: str | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        shown = dataclasses.asdict(self)
        del shown["webhook_hmac_key"]
        shown["webhook_signing"] = bool(self.webhook_hmac_key)
        return shown

    def copy(self) -> SimConfig:
        return dataclasses.replace(self, prices=dict(self.prices))

    def update(self, options: dict) -> None:
        """Apply ``options`` all or nothing; ValueError names the first bad one."""
        candidate = self.copy()
        for name, value in options.items():
            if name == "prices":
                candidate.prices = {**candidate.prices, **_checked_prices(value)}
            else:
                setattr(candidate, name, _checked(name, value))
        if candidate.min_seconds > candidate.max_seconds:
            raise ValueError("min_seconds must not exceed max_seconds")
        for name in options:
            setattr(self, name, getattr(candidate, name))


_NUMBERS = {
    "min_seconds",
    "max_seconds",
    "upgrade_factor",
    "balance",
    "rate_window_seconds",
    "callback_retry_seconds",
    "callback_timeout_seconds",
}
_COUNTS = {"rate_limit", "duplicate_callbacks", "callback_attempts"}


def _checked(name: str, value: object) -> object:
    if name in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"{name} must be a number >= 0")
        return float(value)
    if name in _COUNTS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0")
        return value
    if name == "callback_4k_shape":
        if value not in CALLBACK_4K_SHAPES:
            raise ValueError(f"callback_4k_shape must be one of {', '.join(CALLBACK_4K_SHAPES)}")
        return value
    if name == "result_files_unavailable":
        if value is True:
            return 404
        if value is False or value in (403, 404, 410):
            return value
        raise ValueError("result_files_unavailable must be true, false, 403, 404 or 410")
    if name == "webhook_hmac_key":
        if value is not None and not (isinstance(value, str) and value):
            raise ValueError("webhook_hmac_key must be a non-empty string or null")
        return value
    raise ValueError(f"unknown option {name!r}")


def _checked_prices(value: object) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ValueError("prices must be an object of name to credits")
    prices = {}
    for key, price in value.items():
        if key not in DEFAULT_PRICES:
            raise ValueError(f"prices: unknown item {key!r}; known: {', '.join(DEFAULT_PRICES)}")
        if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
            raise ValueError(f"prices: {key} must be a number >= 0")
        prices[key] = float(price)
    return prices
