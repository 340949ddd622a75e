from django import template

from veoui.team.models import KieBalance, TeamSettings

register = template.Library()


@register.inclusion_tag("team/balance_badge.html", takes_context=True)
def kie_balance(context: template.Context) -> dict:
    """kie.ai's balance as the worker last stored it; only ever a database read."""
    user = context.get("user")
    if user is None or not user.is_staff:
        return {"show": False}
    row = KieBalance.objects.filter(pk=1).first()
    team = TeamSettings.objects.filter(pk=1).first()
    threshold = team.low_balance_threshold if team else TeamSettings._meta.get_field("low_balance_threshold").default
    return {"show": True, "balance": row, "low": bool(row and row.is_low(threshold)), "threshold": threshold}
