-- One row per email a task sends, written before the provider is called and marked with what the
-- call told us, so a redelivered task does not send again what SES already accepted.
CREATE TABLE email_deliveries (
    task_id      uuid NOT NULL,
    recipient    text NOT NULL,
    state        text NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'unknown')),
    attempted_at timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, recipient)
);
CREATE INDEX email_deliveries_attempted_idx ON email_deliveries (attempted_at);
