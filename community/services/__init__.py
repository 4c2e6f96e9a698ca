"""Every write goes through a service; one module per topic. Import the module you need:
`from community.services import forum`, or the account services directly from here."""

from community.services.accounts import create_school, ensure_profile, update_profile  # noqa: F401
