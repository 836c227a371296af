"""Built-in endpoints: ``openai`` (chat completions over aiohttp, streamed as SSE)."""
