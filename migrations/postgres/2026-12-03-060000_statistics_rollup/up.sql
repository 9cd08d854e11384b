-- The statistics' daily rollup (issue 17): see the SQLite migration of the same name. Days are
-- Shanghai days (UTC+8 all year since 1991) of the facts' UTC timestamps.
CREATE TABLE statistics_dirty (
    id BIGSERIAL PRIMARY KEY,
    day TEXT NOT NULL
);
CREATE INDEX statistics_dirty_day ON statistics_dirty (day, id);

CREATE TABLE statistics_built (
    day TEXT PRIMARY KEY,
    region_prefix TEXT NOT NULL
);

CREATE TABLE statistics_rollup (
    day TEXT NOT NULL,
    metric TEXT NOT NULL,
    office_id TEXT NOT NULL,
    region TEXT NOT NULL,
    basis TEXT NOT NULL,
    sub TEXT NOT NULL,
    n BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (day, metric, office_id, region, basis, sub)
);
CREATE INDEX statistics_rollup_metric_day ON statistics_rollup (metric, day);

CREATE FUNCTION statistics_day(ts TIMESTAMPTZ) RETURNS TEXT LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(ts AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') $$;

CREATE FUNCTION statistics_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'appointments' THEN
        INSERT INTO statistics_dirty (day) VALUES (statistics_day(NEW.created_at));
        IF TG_OP = 'UPDATE' THEN
            IF OLD.created_at <> NEW.created_at THEN
                INSERT INTO statistics_dirty (day) VALUES (statistics_day(OLD.created_at));
            END IF;
            IF OLD.status IN ('cancelled', 'no_show') THEN
                INSERT INTO statistics_dirty (day) VALUES (statistics_day(OLD.updated_at));
            END IF;
            IF NEW.status IN ('cancelled', 'no_show') THEN
                INSERT INTO statistics_dirty (day) VALUES (statistics_day(NEW.updated_at));
            END IF;
        END IF;
    ELSIF TG_TABLE_NAME = 'appointment_parties' THEN
        INSERT INTO statistics_dirty (day)
        SELECT statistics_day(a.created_at) FROM appointments a WHERE a.id = NEW.appointment_id
        UNION SELECT statistics_day(a.updated_at) FROM appointments a
              WHERE a.id = NEW.appointment_id AND a.status IN ('cancelled', 'no_show');
    ELSIF TG_TABLE_NAME = 'appointment_holds' THEN
        INSERT INTO statistics_dirty (day)
        SELECT d FROM (
            SELECT statistics_day(NEW.confirmed_at) AS d
            UNION SELECT statistics_day(NEW.lapsed_at)
            UNION SELECT statistics_day(OLD.confirmed_at)
            UNION SELECT statistics_day(OLD.lapsed_at)
        ) ends WHERE d IS NOT NULL;
    ELSIF TG_TABLE_NAME = 'refusals' THEN
        INSERT INTO statistics_dirty (day) VALUES (statistics_day(NEW.refused_at));
    ELSIF TG_TABLE_NAME = 'registration_facts' THEN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO statistics_dirty (day) VALUES (statistics_day(OLD.registered_at));
            RETURN OLD;
        END IF;
        INSERT INTO statistics_dirty (day) VALUES (statistics_day(NEW.registered_at));
    ELSIF TG_TABLE_NAME = 'household_checks' THEN
        INSERT INTO statistics_dirty (day) VALUES (statistics_day(NEW.checked_at));
    ELSIF TG_TABLE_NAME = 'audit_events' THEN
        INSERT INTO statistics_dirty (day) VALUES (statistics_day(NEW.occurred_at));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER statistics_appointment AFTER INSERT OR UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION statistics_mark();
CREATE TRIGGER statistics_party_added AFTER INSERT ON appointment_parties
    FOR EACH ROW EXECUTE FUNCTION statistics_mark();
CREATE TRIGGER statistics_hold_ended AFTER UPDATE ON appointment_holds
    FOR EACH ROW EXECUTE FUNCTION statistics_mark();
CREATE TRIGGER statistics_refusal AFTER INSERT ON refusals
    FOR EACH ROW EXECUTE FUNCTION statistics_mark();
CREATE TRIGGER statistics_registration AFTER INSERT OR DELETE ON registration_facts
    FOR EACH ROW EXECUTE FUNCTION statistics_mark();
CREATE TRIGGER statistics_check AFTER INSERT ON household_checks
    FOR EACH ROW WHEN (NEW.source IN ('partner', 'supervisor_override'))
    EXECUTE FUNCTION statistics_mark();
CREATE TRIGGER statistics_partner_request AFTER INSERT ON audit_events
    FOR EACH ROW WHEN (NEW.action IN ('partner.household_verification.received', 'partner.request_refused'))
    EXECUTE FUNCTION statistics_mark();

INSERT INTO statistics_dirty (day)
SELECT d FROM (
    SELECT statistics_day(created_at) AS d FROM appointments
    UNION SELECT statistics_day(updated_at) FROM appointments WHERE status IN ('cancelled', 'no_show')
    UNION SELECT statistics_day(confirmed_at) FROM appointment_holds WHERE confirmed_at IS NOT NULL
    UNION SELECT statistics_day(lapsed_at) FROM appointment_holds WHERE lapsed_at IS NOT NULL
    UNION SELECT statistics_day(refused_at) FROM refusals
    UNION SELECT statistics_day(registered_at) FROM registration_facts
    UNION SELECT statistics_day(checked_at) FROM household_checks
          WHERE source IN ('partner', 'supervisor_override')
    UNION SELECT statistics_day(occurred_at) FROM audit_events
          WHERE action IN ('partner.household_verification.received', 'partner.request_refused')
) days ORDER BY d;
