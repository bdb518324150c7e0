"""What an agency admin configures for trajectories: prices and time budgets of the products,
time categories, and action lists."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal import access, writes
from portal.constants import AuditAction
from portal.models import TimeCategory, User

from ..models import ActionTemplate, ActionTemplateItem


@transaction.atomic
def prices_update(*, actor: User, products: list[dict], categories: list[dict]) -> None:
    """``products``: ``{"product": Product, "price", "base_months", "budget_hours"}`` for the
    agency's products; ``categories``: ``{"category": TimeCategory | None, "name",
    "billable"}``, a new category without one. Names are unique per agency."""
    writes.allowed(access.can_manage_agency(actor))
    for row in products:
        product = writes.fresh(row["product"], actor, lock=True)
        writes.apply(product, {k: v for k, v in row.items() if k != "product"})
        product.save()
    names = [(row.get("name") or "").strip() for row in categories]
    if len({n.lower() for n in names if n}) != len([n for n in names if n]):
        writes.refuse(None, _("A time category's name is used twice."))
    for row, name in zip(categories, names, strict=True):
        if not name:
            continue
        category = row.get("category")
        if category is None:
            category = TimeCategory(agency_id=actor.agency_id)
            clash = TimeCategory.objects.visible_to(actor).filter(name__iexact=name)
            if clash.exists():
                writes.refuse(None, _("A time category's name is used twice."))
        else:
            category = writes.fresh(category, actor, lock=True)
        writes.apply(category, {"name": name, "billable": bool(row.get("billable"))})
        category.save()
    writes.record(AuditAction.UPDATE, actor.agency, actor=actor, details={"settings": "prices"})


@transaction.atomic
def action_list_save(
    *, actor: User, template: ActionTemplate | None = None, name: str, items: list[dict]
) -> ActionTemplate:
    """An action list with its items: ``{"item": ActionTemplateItem | None, "title", "week",
    "day", "performer", "reportable", "delete": bool}``."""
    writes.allowed(access.can_manage_agency(actor))
    creating = template is None
    template = (
        ActionTemplate(agency_id=actor.agency_id) if creating else writes.fresh(template, actor)
    )
    writes.apply(template, {"name": name.strip()})
    template.save()
    for row in items:
        item = row.get("item")
        if item is not None and item.template_id != template.pk:
            writes.refuse(None, _("This item belongs to another action list."))
        if row.get("delete"):
            if item is not None:
                item.delete()
            continue
        item = item or ActionTemplateItem(template=template)
        values = {
            k: row[k] for k in ("title", "week", "day", "performer", "reportable") if k in row
        }
        writes.apply(item, values, exclude=["template"])
        item.save()
    writes.record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        actor.agency,
        actor=actor,
        details={"action_list": template.name},
    )
    return template
