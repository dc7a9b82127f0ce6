from django.apps import AppConfig
from django.db.models.signals import post_migrate


def install_scope_stamp_triggers(sender, using, **kwargs):
    # After every migrate and flush (tests too): the triggers that change the scope stamp, see `accounts.scope_stamp`.
    from accounts import scope_stamp

    scope_stamp.install(using)


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Institutions, people and accounts"

    def ready(self):
        post_migrate.connect(install_scope_stamp_triggers, sender=self)
