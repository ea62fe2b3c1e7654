-- Retention, second half: the notification outbox keeps the citizen's phone or e-mail as the address of
-- the receipts sent about their case (citizens have no account, so the address is the only recipient).
-- For the cases just anonymised (:ids) the address becomes a marker, and the dedupe key, which embeds
-- the address, is cleared. Rows addressed to accounts (user_id set) hold no reporter data and stay.
-- The recipient check (user_id or address) still holds: the marker is an address that reaches nobody.
UPDATE notification
   SET address = '(已匿名)', dedupe_key = NULL
 WHERE user_id IS NULL
   AND incident_id = ANY(:ids)
   AND address IS DISTINCT FROM '(已匿名)'
RETURNING id;
