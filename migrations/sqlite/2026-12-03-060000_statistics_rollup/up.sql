-- The statistics' daily rollup (issue 17): the figures of each Shanghai day at the finest grain
-- the reports group by (office, partner region, basis), so that a year is a sum of 365 days'
-- rows instead of a scan of every fact. Exact by construction: every write of a fact logs its
-- day in statistics_dirty (triggers below, in the writing transaction); a report adds up only
-- days that are built and not dirty, and counts the others from the facts as before. The sweep
-- rebuilds dirty days that are over.
CREATE TABLE statistics_dirty (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    day TEXT NOT NULL
);
CREATE INDEX statistics_dirty_day ON statistics_dirty (day, id);

CREATE TABLE statistics_built (
    day TEXT PRIMARY KEY NOT NULL,
    -- The region the rows were counted for (a region's "other region" depends on it).
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

CREATE TRIGGER statistics_appointment_created AFTER INSERT ON appointments BEGIN
    INSERT INTO statistics_dirty (day) VALUES (strftime('%Y-%m-%d', NEW.created_at, '+8 hours'));
END;
-- A changed appointment may move between the creation day's figures (walk-in or booked, its
-- office) and an end day's (cancelled, no-show).
CREATE TRIGGER statistics_appointment_changed AFTER UPDATE ON appointments BEGIN
    INSERT INTO statistics_dirty (day)
    SELECT strftime('%Y-%m-%d', NEW.created_at, '+8 hours')
    UNION SELECT strftime('%Y-%m-%d', OLD.created_at, '+8 hours')
    UNION SELECT strftime('%Y-%m-%d', OLD.updated_at, '+8 hours') WHERE OLD.status IN ('cancelled', 'no_show')
    UNION SELECT strftime('%Y-%m-%d', NEW.updated_at, '+8 hours') WHERE NEW.status IN ('cancelled', 'no_show');
END;
-- A party's hukou gives the appointment its partner region.
CREATE TRIGGER statistics_party_added AFTER INSERT ON appointment_parties BEGIN
    INSERT INTO statistics_dirty (day)
    SELECT strftime('%Y-%m-%d', a.created_at, '+8 hours') FROM appointments a WHERE a.id = NEW.appointment_id
    UNION SELECT strftime('%Y-%m-%d', a.updated_at, '+8 hours') FROM appointments a
          WHERE a.id = NEW.appointment_id AND a.status IN ('cancelled', 'no_show');
END;
-- A hold confirmed or lapsed counts on that day (contact mode).
CREATE TRIGGER statistics_hold_ended AFTER UPDATE ON appointment_holds BEGIN
    INSERT INTO statistics_dirty (day)
    SELECT d FROM (
        SELECT strftime('%Y-%m-%d', NEW.confirmed_at, '+8 hours') AS d
        UNION SELECT strftime('%Y-%m-%d', NEW.lapsed_at, '+8 hours')
        UNION SELECT strftime('%Y-%m-%d', OLD.confirmed_at, '+8 hours')
        UNION SELECT strftime('%Y-%m-%d', OLD.lapsed_at, '+8 hours')
    ) WHERE d IS NOT NULL;
END;
CREATE TRIGGER statistics_refusal AFTER INSERT ON refusals BEGIN
    INSERT INTO statistics_dirty (day) VALUES (strftime('%Y-%m-%d', NEW.refused_at, '+8 hours'));
END;
CREATE TRIGGER statistics_registration AFTER INSERT ON registration_facts BEGIN
    INSERT INTO statistics_dirty (day) VALUES (strftime('%Y-%m-%d', NEW.registered_at, '+8 hours'));
END;
CREATE TRIGGER statistics_registration_gone AFTER DELETE ON registration_facts BEGIN
    INSERT INTO statistics_dirty (day) VALUES (strftime('%Y-%m-%d', OLD.registered_at, '+8 hours'));
END;
CREATE TRIGGER statistics_check AFTER INSERT ON household_checks
WHEN NEW.source IN ('partner', 'supervisor_override') BEGIN
    INSERT INTO statistics_dirty (day) VALUES (strftime('%Y-%m-%d', NEW.checked_at, '+8 hours'));
END;
CREATE TRIGGER statistics_partner_request AFTER INSERT ON audit_events
WHEN NEW.action IN ('partner.household_verification.received', 'partner.request_refused') BEGIN
    INSERT INTO statistics_dirty (day) VALUES (strftime('%Y-%m-%d', NEW.occurred_at, '+8 hours'));
END;

-- Every day that already has facts is dirty: the first sweeps build them.
INSERT INTO statistics_dirty (day)
SELECT DISTINCT d FROM (
    SELECT strftime('%Y-%m-%d', created_at, '+8 hours') AS d FROM appointments
    UNION SELECT strftime('%Y-%m-%d', updated_at, '+8 hours') FROM appointments WHERE status IN ('cancelled', 'no_show')
    UNION SELECT strftime('%Y-%m-%d', confirmed_at, '+8 hours') FROM appointment_holds WHERE confirmed_at IS NOT NULL
    UNION SELECT strftime('%Y-%m-%d', lapsed_at, '+8 hours') FROM appointment_holds WHERE lapsed_at IS NOT NULL
    UNION SELECT strftime('%Y-%m-%d', refused_at, '+8 hours') FROM refusals
    UNION SELECT strftime('%Y-%m-%d', registered_at, '+8 hours') FROM registration_facts
    UNION SELECT strftime('%Y-%m-%d', checked_at, '+8 hours') FROM household_checks
          WHERE source IN ('partner', 'supervisor_override')
    UNION SELECT strftime('%Y-%m-%d', occurred_at, '+8 hours') FROM audit_events
          WHERE action IN ('partner.household_verification.received', 'partner.request_refused')
) ORDER BY d;
