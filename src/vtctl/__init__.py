"""vtctl: command-line administration of telehealth video sessions."""

__version__ = "0.1.0"
