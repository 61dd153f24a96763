"""View functions of the chat: plain data from a use case in, text and buttons out.

One module per area (report, letters, follow-up, staff, exports…). A feature handler
imports views, never another feature handler.
"""
