"""Subcommands of ``hwsim``, one module each (listed in ``hwsim.cli.COMMAND_MODULES``)."""
