"""Payment provider adapters: the outside services money goes through (Stripe)."""
