"""The caseworkers' desk in a browser: a second front end on the same use cases as the chat.

``desk`` builds the aiohttp application (security headers, sessions, CSRF, rendering);
each other module holds the pages of one area and registers them on its ``routes``.
"""
