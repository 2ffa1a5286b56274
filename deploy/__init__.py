"""Operator-time tools for `chalice deploy`: the IAM policy, gateway responses, the CDN stack, the
frontend upload, stage settings.

Kept out of chalicelib/ on purpose: chalice packages only app.py and chalicelib/, and nothing
here is needed inside Lambda."""
