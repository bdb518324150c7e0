"""Agency admins configure what trajectories use: action lists, prices, time categories."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.forms import inlineformset_factory, modelformset_factory
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import access, audit
from portal.constants import AuditAction
from portal.decorators import agency_admin_required
from portal.models import Product, TimeCategory

from ..models import ActionTemplate, ActionTemplateItem

ProductFormSet = modelformset_factory(
    Product, fields=["price", "base_months", "budget_hours"], extra=0, can_delete=False
)


class BaseTimeCategoryFormSet(forms.BaseModelFormSet):
    """Names are unique per agency; say so instead of failing on the constraint."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            name = (form.cleaned_data.get("name") or "").strip().lower()
            if not name:
                continue
            if name in seen:
                form.add_error("name", _("This name is used twice."))
            seen.add(name)


TimeCategoryFormSet = modelformset_factory(
    TimeCategory,
    fields=["name", "billable"],
    extra=2,
    can_delete=False,
    formset=BaseTimeCategoryFormSet,
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
    if request.method == "POST" and products.is_valid() and categories.is_valid():
        with transaction.atomic():
            products.save()
            for category in categories.save(commit=False):
                category.agency_id = user.agency_id
                category.save()
            audit.record(AuditAction.UPDATE, user.agency, details={"settings": "prices"})
        messages.success(request, _("The settings have been saved."))
        return redirect("trajecten:prices")
    return render(
        request,
        "trajecten/configuration/prices.html",
        {"products": products, "categories": categories},
    )


@agency_admin_required
def action_lists(request):
    templates = ActionTemplate.objects.visible_to(request.user).prefetch_related("items")
    return render(request, "trajecten/configuration/action_lists.html", {"templates": templates})


@agency_admin_required
def action_list_edit(request, pk=None):
    template = (
        access.get_visible_or_404(ActionTemplate.objects.visible_to(request.user), pk=pk)
        if pk
        else ActionTemplate(agency_id=request.user.agency_id)
    )
    form = ActionTemplateForm(request.POST or None, instance=template)
    items = ActionItemFormSet(request.POST or None, instance=template, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        with transaction.atomic():
            template = form.save()
            items.instance = template
            items.save()
            audit.record(
                AuditAction.UPDATE, request.user.agency, details={"action_list": template.name}
            )
        messages.success(request, _("The action list has been saved."))
        return redirect("trajecten:action_lists")
    return render(
        request,
        "trajecten/configuration/action_list_form.html",
        {"form": form, "items": items, "template": template},
    )
