"""The monitor: saved searches, matching new stories in the index, channels (Atom feed, webhook,
WeCom, DingTalk, Feishu, e-mail), durable delivery state, the daily digest and the weekly briefing.
It runs as its own worker (``jiancha alerts``) beside the indexer and reads the index through
``indexer``'s interface.
"""
