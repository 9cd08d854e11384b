-- Divorce applications in the statistics' daily rollup: their receipt and their close log
-- their days, like the other facts (see 2026-12-03-060000_statistics_rollup).
CREATE TRIGGER statistics_divorce_received AFTER INSERT ON divorce_applications BEGIN
    INSERT INTO statistics_dirty (day) VALUES (strftime('%Y-%m-%d', NEW.received_at, '+8 hours'));
END;
CREATE TRIGGER statistics_divorce_changed AFTER UPDATE ON divorce_applications BEGIN
    INSERT INTO statistics_dirty (day)
    SELECT d FROM (
        SELECT strftime('%Y-%m-%d', NEW.received_at, '+8 hours') AS d
        UNION SELECT strftime('%Y-%m-%d', OLD.received_at, '+8 hours')
        UNION SELECT strftime('%Y-%m-%d', NEW.closed_at, '+8 hours')
        UNION SELECT strftime('%Y-%m-%d', OLD.closed_at, '+8 hours')
    ) WHERE d IS NOT NULL;
END;
CREATE TRIGGER statistics_divorce_party AFTER INSERT ON divorce_parties BEGIN
    INSERT INTO statistics_dirty (day)
    SELECT d FROM (
        SELECT strftime('%Y-%m-%d', a.received_at, '+8 hours') AS d FROM divorce_applications a
        WHERE a.id = NEW.application_id
        UNION SELECT strftime('%Y-%m-%d', a.closed_at, '+8 hours') FROM divorce_applications a
        WHERE a.id = NEW.application_id
    ) WHERE d IS NOT NULL;
END;
INSERT INTO statistics_dirty (day)
SELECT d FROM (
    SELECT strftime('%Y-%m-%d', received_at, '+8 hours') AS d FROM divorce_applications
    UNION SELECT strftime('%Y-%m-%d', closed_at, '+8 hours') FROM divorce_applications
    WHERE closed_at IS NOT NULL
) ORDER BY d;
