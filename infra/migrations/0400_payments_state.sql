-- Payments: what the webhook and the sync need beyond the base schema.

-- When a renewal payment first failed: past_due keeps premium for a grace period counted from here.
ALTER TABLE subscriptions ADD COLUMN past_due_since timestamptz;

-- Events name the Stripe customer; the user is found from it when an event carries no user id.
CREATE INDEX subscriptions_customer_idx ON subscriptions (stripe_customer_id)
    WHERE stripe_customer_id IS NOT NULL;

-- A payment is a paid invoice (a subscription's first one is paid during Checkout), recorded once.
ALTER TABLE payments ALTER COLUMN stripe_session_id DROP NOT NULL;
ALTER TABLE payments ADD COLUMN stripe_invoice_id text UNIQUE;
ALTER TABLE payments ADD CONSTRAINT payments_has_stripe_id
    CHECK (stripe_session_id IS NOT NULL OR stripe_invoice_id IS NOT NULL);
