-- Divorce applications in the statistics' daily rollup (see 2026-12-03-060000_statistics_rollup).
CREATE FUNCTION statistics_mark_divorce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'divorce_parties' THEN
        INSERT INTO statistics_dirty (day)
        SELECT d FROM (
            SELECT statistics_day(a.received_at) AS d FROM divorce_applications a
            WHERE a.id = NEW.application_id
            UNION SELECT statistics_day(a.closed_at) FROM divorce_applications a
            WHERE a.id = NEW.application_id
        ) days WHERE d IS NOT NULL;
        RETURN NEW;
    END IF;
    INSERT INTO statistics_dirty (day) VALUES (statistics_day(NEW.received_at));
    IF NEW.closed_at IS NOT NULL THEN
        INSERT INTO statistics_dirty (day) VALUES (statistics_day(NEW.closed_at));
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.received_at <> NEW.received_at THEN
            INSERT INTO statistics_dirty (day) VALUES (statistics_day(OLD.received_at));
        END IF;
        IF OLD.closed_at IS NOT NULL THEN
            INSERT INTO statistics_dirty (day) VALUES (statistics_day(OLD.closed_at));
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER statistics_divorce AFTER INSERT OR UPDATE ON divorce_applications
    FOR EACH ROW EXECUTE FUNCTION statistics_mark_divorce();
CREATE TRIGGER statistics_divorce_party AFTER INSERT ON divorce_parties
    FOR EACH ROW EXECUTE FUNCTION statistics_mark_divorce();
INSERT INTO statistics_dirty (day)
SELECT d FROM (
    SELECT statistics_day(received_at) AS d FROM divorce_applications
    UNION SELECT statistics_day(closed_at) FROM divorce_applications WHERE closed_at IS NOT NULL
) days ORDER BY d;
