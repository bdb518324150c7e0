from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ counts|get_item:status }}``: a dictionary lookup by a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The current page's query string with another page number; filters and search stay,
    the live-update token goes."""
    params = context["request"].GET.copy()
    params.pop("v", None)
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def parse_iso(value):
    """An ISO 8601 time stored as text (a JSON log) as a datetime, for ``|date``."""
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(value) if isinstance(value, str) else value
    except ValueError:
        return None
