from bot.incidents.usecases import context_of, overdue_authority_reports

__all__ = ["context_of", "overdue_authority_reports"]
