"""The international route: a case made ready for the UN Working Group on Enforced or
Involuntary Disappearances (WGEID), and what the Committee on Enforced Disappearances (CED)
can and cannot do for it.

``procedures`` holds the facts with their sources, ``checklist`` says what a case has and
lacks, ``translation`` which of the family's words still need an English translation, and
``submission`` renders the submission itself. Nothing here talks to Telegram or SQL.
"""
