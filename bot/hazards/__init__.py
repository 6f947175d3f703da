from bot.core.severity import Severity

__all__ = ["Severity"]
