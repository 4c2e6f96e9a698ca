from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Render every form field, ours and allauth's, through templates/forms/field.html."""

    field_template_name = "forms/field.html"
