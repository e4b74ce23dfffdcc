-- The first period reported under a regime: figures for earlier periods are refused.
ALTER TABLE regimes ADD COLUMN first_period TEXT;
