"""Build- and operator-time tools (CloudFormation template, frontend upload, stage settings).

Kept out of chalicelib/ on purpose: chalice packages only app.py and chalicelib/, and nothing
here is needed inside Lambda."""
