"""The edges: each module translates one platform's updates and sends to and from bot.chat.messages values."""
