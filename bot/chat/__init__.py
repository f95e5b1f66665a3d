"""Channel-neutral conversation: incoming messages, context, dispatch, routing, buttons (its words: bot.words)."""
