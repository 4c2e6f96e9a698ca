from django.apps import AppConfig


class InquiryConfig(AppConfig):
    name = "inquiry"
    verbose_name = "Inquiry"

    def ready(self):
        from inquiry import community_hooks
        from inquiry.services.personal_data import register_sections

        register_sections()  # the teacher's data (community/personal_data.py)
        community_hooks.register()  # the CPD record, school priorities, the demo
