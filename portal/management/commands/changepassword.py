"""Django's ``changepassword`` in the platform's scope (``portal.tenancy``): platform operators
belong to no agency, so row-level security would otherwise hide their accounts."""

from django.contrib.auth.management.commands.changepassword import Command as DjangoCommand

from portal.tenancy import system_command

Command = system_command(DjangoCommand)
