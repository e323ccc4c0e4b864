"""Delivery of alerts to people and programs: SSE, signed webhooks, and the dispatcher between them.

Everything here reads the durable alert log (`sitrep:alerts:log`), never the pub/sub channel, so a
reader that was away resumes where it stopped and nothing is lost in between.
"""
