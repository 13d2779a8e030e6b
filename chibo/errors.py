"""The error summary a long form shows at its top: every error of the form and its formsets, each a link to its
field, so that a secretary who saves a long page (the minutes) sees at once what to correct and where."""

from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext as _


def summary(parts):
    """[{"label", "message", "anchor"}] for `parts`, a list of (title, form or formset); empty when all is well
    (or nothing was posted)."""
    items = []
    for title, part in parts:
        if not part.is_bound:
            continue
        if isinstance(part, BaseFormSet):
            for message in part.non_form_errors():
                items.append({"label": title, "message": message, "anchor": ""})
            for row, form in enumerate(part.forms, start=1):
                items.extend(_form_errors(form, _("%(part)s, row %(row)s") % {"part": title, "row": row}))
        else:
            items.extend(_form_errors(part, title))
    return items


def _form_errors(form, title):
    items = []
    visible = [form[name] for name, field in form.fields.items() if not field.widget.is_hidden]
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{title}: {field.label}" if field is not None and field.label else str(title)
        if field is not None and not field.widget.is_hidden:
            anchor = form[name].id_for_label
        else:  # an error of the whole row: its first field
            anchor = visible[0].id_for_label if visible else ""
        for message in errors:
            items.append({"label": label, "message": message, "anchor": anchor})
    return items
