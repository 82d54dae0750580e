"""`luodi makemessages`: Django's, also extracting strings marked with the `_lazy` alias
(`from django.utils.translation import gettext_lazy as _lazy`) used in modules that need
both `gettext` and `gettext_lazy`."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
