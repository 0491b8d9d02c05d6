"""engagements: track candidate lists' pledges against a collective's demands."""

__version__ = "0.1.0"
