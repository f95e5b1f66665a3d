"""Channel-neutral conversation: messages, context, dispatch, routing, rendering."""
