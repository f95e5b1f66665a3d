"""kopsehat: chatbot for Indonesian cooperatives."""

__version__ = "0.1.0"
