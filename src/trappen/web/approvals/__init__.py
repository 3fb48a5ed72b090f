"""Approval of step-ups (issue #15 item 4): an intervention on a step the approval rules reserve
(``trappen/staircase/data/approvals.toml``) is stored as a request; the team leader approves it
(which starts the intervention through the register's service) or rejects it with a comment.
A placement without consent is the committee's decision (børn og unge-udvalget, Barnets Lov
§ 47): the team leader records the committee's decision and its date."""
