"""What the stream does after a change: one handler per reaction (see chalicelib.streams)."""
