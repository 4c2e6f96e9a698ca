from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self):
        from community.live import register_streams
        from community.services.data_sections import register_sections

        register_sections()  # the teacher's data (community/personal_data.py)
        register_streams()  # what threads and rooms mean to the live layer
