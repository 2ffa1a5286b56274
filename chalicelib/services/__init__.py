"""Use cases: what a request asks for, told in the product's words (sign out everywhere, change a
password, ...). Each calls the domain rules and the store, and once its write has committed
announces what happened (``signals.emit``); subscribers (pushes, mail) react to that, so a new
reaction is a new subscriber, never a call inside another use case."""
