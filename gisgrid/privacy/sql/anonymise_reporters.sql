-- Retention of reporters' personal data (个人信息保护): a case that ended more than :months months
-- before :now loses its reporter's name and contact (set to NULL). "Ended": closed (or closed and
-- evaluated) with closed_at before the cut-off, or rejected with its last step before it. Nothing
-- else of the case changes; open and reopened cases and those that ended later keep theirs.
-- Returns the ids it changed, so the job logs and audits exactly what it did.
UPDATE incident AS i
   SET reporter_name = NULL, reporter_contact = NULL
 WHERE (i.reporter_name IS NOT NULL OR i.reporter_contact IS NOT NULL)
   AND (   (i.state IN ('closed', 'evaluated')
            AND i.closed_at < CAST(:now AS timestamptz) - make_interval(months => :months))
        OR (i.state = 'rejected'
            AND (SELECT max(e.at) FROM incident_event AS e WHERE e.incident_id = i.id)
                < CAST(:now AS timestamptz) - make_interval(months => :months)))
RETURNING i.id;
