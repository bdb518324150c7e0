"""Agency admins configure what trajectories use: action lists, prices, time categories."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory, modelformset_factory
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import access
from portal.decorators import agency_admin_required
from portal.models import Product, TimeCategory

from .. import services
from ..models import ActionTemplate, ActionTemplateItem

ProductFormSet = modelformset_factory(
    Product, fields=["price", "base_months", "budget_hours"], extra=0, can_delete=False
)


TimeCategoryFormSet = modelformset_factory(
    TimeCategory,
    fields=["name", "billable"],
    extra=2,
    can_delete=False,
)
ActionItemFormSet = inlineformset_factory(
    ActionTemplate,
    ActionTemplateItem,
    fields=["title", "week", "day", "performer", "reportable"],
    extra=3,
    can_delete=True,
)


class ActionTemplateForm(forms.ModelForm):
    class Meta:
        model = ActionTemplate
        fields = ["name"]


@agency_admin_required
def prices(request):
    user = request.user
    products = ProductFormSet(
        request.POST or None,
        queryset=Product.objects.visible_to(user),
        prefix="products",
    )
    categories = TimeCategoryFormSet(
        request.POST or None,
        queryset=TimeCategory.objects.visible_to(user),
        prefix="categories",
    )
    errors = []
    if request.method == "POST" and products.is_valid() and categories.is_valid():
        try:
            services.prices_update(
                actor=user,
                products=[
                    {"product": f.instance, **_without_id(f)} for f in products if f.has_changed()
                ],
                categories=[
                    {"category": f.instance if f.instance.pk else None, **_without_id(f)}
                    for f in categories
                    if f.cleaned_data
                ],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("trajecten:prices")
    return render(
        request,
        "trajecten/configuration/prices.html",
        {"products": products, "categories": categories, "errors": errors},
    )


def _without_id(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k not in ("id", "DELETE")}


@agency_admin_required
def action_lists(request):
    templates = ActionTemplate.objects.visible_to(request.user).prefetch_related("items")
    return render(request, "trajecten/configuration/action_lists.html", {"templates": templates})


@agency_admin_required
def action_list_edit(request, pk=None):
    stored = (
        access.get_visible_or_404(ActionTemplate.objects.visible_to(request.user), pk=pk)
        if pk
        else None
    )
    template = stored or ActionTemplate(agency_id=request.user.agency_id)
    form = ActionTemplateForm(request.POST or None, instance=template)
    items = ActionItemFormSet(request.POST or None, instance=template, prefix="items")
    errors = []
    if request.method == "POST" and form.is_valid() and items.is_valid():
        rows = [
            {"item": f.instance if f.instance.pk else None, "delete": f.cleaned_data.get("DELETE"),
             **_without_id(f)}
            for f in items
            if f.cleaned_data
        ]  # fmt: skip
        try:
            services.action_list_save(
                actor=request.user, template=stored, name=form.cleaned_data["name"], items=rows
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The action list has been saved."))
            return redirect("trajecten:action_lists")
    return render(
        request,
        "trajecten/configuration/action_list_form.html",
        {"form": form, "items": items, "template": template, "errors": errors},
    )
