import AmforaCore

/// The PostgreSQL warehouse's schema, versioned like SQLite's (`Schema.migrations`) in a table
/// `amfora.schema_version`. Three schemas keep CPR numbers from analysts by the server's own
/// privileges:
/// - `amfora`: the tables, owned by `amfora_loader`; no other role may use the schema.
/// - `analyst`: the analyst views, readable by `amfora_analyst`. A person is a `person_key`
///   (`PersonKey`) with birth year and sex, never a CPR; raw lines and delivered values of a
///   rejected field are not there at all.
/// - `disclosure`: what the §54 extracts need, CPR included, readable by `amfora_disclosure` only.
/// The views run with their owner's rights (PostgreSQL's default), so reading one needs no right
/// on the tables beneath it.
enum PostgresSchema {
    static let loader = "amfora_loader"
    static let analyst = "amfora_analyst"
    static let disclosure = "amfora_disclosure"
    static var roles: [String] { [loader, analyst, disclosure] }

    /// Days are kept as the SQLite warehouse keeps them, days since 1970-01-01, so that the
    /// bookkeeping binds the same numbers in both; the views show them as dates.
    static func day(_ column: String) -> String { "(DATE '1970-01-01' + \(column))" }

    /// A layout field's column: as in SQLite (`RowSink.column`), typed for PostgreSQL. A CPR
    /// number is a number (its leading zero restored by the views that may show it).
    static func columnDefinition(_ f: FieldSpec) -> String {
        let type: String
        switch (f.kind, f.type) {
        case (.cpr, _): type = "bigint"
        case (_, "num"): type = "bigint"
        case (_, "date"): type = "integer"
        case (_, "bool"): type = "smallint"
        default: type = "text"
        }
        return "\(RowSink.column(f.name)) \(type)"
    }

    /// The field columns of migration 1, from the layouts (`layouts.tsv`) as they are at that
    /// version: a later layout's new field needs a migration of its own, like SQLite's.
    static func fieldColumns(_ kind: RecordKind) -> String {
        LayoutCatalog.standard.layout(for: kind).fields.map { "    " + columnDefinition($0) + "," }.joined(separator: "\n")
    }

    static var migrations: [String] { [first, insertionOrder, weeks, weekTables, weekIndexOnly, closedMeasures] }

    /// 6: the closes by measure in a recent log and a settled table, as SQLite's migration 19
    /// (`ClosedMeasures`), in place of the index of closed versions by activity id.
    static var closedMeasures: String { ClosedMeasures.migration(.postgres) }

    /// 2: the order rejects and reconciliation rows were written in, which SQLite keeps as the
    /// rowid: the report lists a delivery's first file-level failure and ties among history
    /// changes in that order, in both warehouses alike.
    static let insertionOrder = """
        ALTER TABLE amfora.reject ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
        ALTER TABLE amfora.reconciliation ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
        """

    /// Every version's own columns after its fields: as delivered, and when it was in force.
    static let history = """
            -- A value loaded with a warning that its column's type cannot hold, as delivered: {"column": "text"}.
            delivered_as jsonb,
            first_batch integer NOT NULL,
            last_batch integer,
            closed_in integer,
            source_file text NOT NULL,
            line_no bigint NOT NULL
        """

    /// 1: the tables of the load and its bookkeeping, the analyst views and the disclosure view.
    static var first: String {
        """
        CREATE TABLE amfora.run (
            batch_date integer PRIMARY KEY,
            deadline text NOT NULL,
            started_at text NOT NULL,
            finished_at text,
            margin_seconds double precision,
            status text NOT NULL,
            judgement text,
            writedown_persons bigint,
            writedown_records bigint,
            writedown_hours double precision
        );
        CREATE TABLE amfora.run_stage (
            batch_date integer NOT NULL,
            stage text NOT NULL,
            started_at text NOT NULL,
            seconds double precision NOT NULL,
            detail text
        );
        CREATE TABLE amfora.delivery (
            batch_date integer NOT NULL,
            komnr integer NOT NULL,
            kind text NOT NULL,
            status text NOT NULL CHECK (status IN ('loaded','stale','held','missing','failed')),
            file text,
            sha256 text,
            bytes bigint,
            encoding text,
            lines bigint,
            records bigint,
            rejected bigint,
            warnings bigint,
            blank_lines bigint,
            started_at text,
            finished_at text,
            message text,
            PRIMARY KEY (batch_date, komnr, kind)
        );
        CREATE TABLE amfora.activity (
            version_id bigint PRIMARY KEY,
            activity_id bigint NOT NULL,
            content_hash bigint NOT NULL,
            line_hash bigint,
        \(fieldColumns(.amfora))
            -- What analysts see of the person (PersonKey), written by the loader.
            person_key text NOT NULL,
            birth_year smallint,
            sex char(1) CHECK (sex IN ('M','K')),
        \(history)
        );
        -- The dataset in force, in version order, with what matching reads of it: the load reads a
        -- municipality's current versions by an index-only scan (once autovacuum has marked the
        -- pages all-visible, which it does within minutes of a load, long before next Friday).
        CREATE INDEX activity_current ON amfora.activity (komnr, version_id) INCLUDE (content_hash, line_hash, activity_id, cprnr)
            WHERE closed_in IS NULL;
        CREATE TABLE amfora.aid (
            version_id bigint PRIMARY KEY,
            content_hash bigint NOT NULL,
            line_hash bigint,
            kind text NOT NULL,
            aid_type integer NOT NULL,
        \(fieldColumns(.hjaelp1))
            person_key text,
        \(history)
        );
        CREATE INDEX aid_current ON amfora.aid (komnr, kind, version_id) INCLUDE (content_hash, line_hash) WHERE closed_in IS NULL;
        CREATE TABLE amfora.writedown (
            version_id bigint PRIMARY KEY,
            cprnr bigint NOT NULL,
            hours integer NOT NULL,
            hours_written_down double precision NOT NULL,
            komnr integer
        );
        CREATE TABLE amfora.writedown_segment (
            version_id bigint NOT NULL,
            start_date integer NOT NULL,
            end_date integer NOT NULL,
            rate double precision NOT NULL
        );
        CREATE INDEX writedown_segment_version ON amfora.writedown_segment (version_id);
        CREATE TABLE amfora.reject (
            batch_date integer NOT NULL,
            komnr integer NOT NULL,
            kind text NOT NULL,
            file text NOT NULL,
            line_no bigint,
            severity text NOT NULL,
            rule text NOT NULL,
            field text,
            value text,
            message text NOT NULL
        );
        CREATE INDEX reject_delivery ON amfora.reject (batch_date, komnr, kind);
        CREATE TABLE amfora.quarantine (
            batch_date integer NOT NULL,
            komnr integer NOT NULL,
            kind text NOT NULL,
            file text NOT NULL,
            line_no bigint NOT NULL,
            raw bytea NOT NULL
        );
        CREATE INDEX quarantine_delivery ON amfora.quarantine (batch_date, komnr, kind);
        CREATE TABLE amfora.reconciliation (
            batch_date integer NOT NULL,
            komnr integer NOT NULL,
            kind text NOT NULL,
            change text NOT NULL CHECK (change IN ('changed','new','removed','reappeared')),
            activity_id bigint,
            version_id bigint,
            previous_version_id bigint,
            changed_fields text,
            history_change integer NOT NULL
        );
        CREATE INDEX reconciliation_delivery ON amfora.reconciliation (batch_date, komnr, kind);
        CREATE TABLE amfora.reconciliation_summary (
            batch_date integer NOT NULL,
            komnr integer NOT NULL,
            kind text NOT NULL,
            unchanged bigint NOT NULL,
            changed bigint NOT NULL,
            new bigint NOT NULL,
            removed bigint NOT NULL,
            reappeared bigint NOT NULL,
            duplicates bigint NOT NULL,
            history_changes bigint NOT NULL,
            records bigint NOT NULL,
            previous_records bigint NOT NULL,
            flags text NOT NULL,
            PRIMARY KEY (batch_date, komnr, kind)
        );
        -- "Did this measure exist before?" for measures that come back: only gone versions are indexed.
        CREATE INDEX activity_gone ON amfora.activity (activity_id) WHERE closed_in IS NOT NULL;
        CREATE TABLE amfora.load_change_set (
            batch_date integer NOT NULL,
            komnr integer NOT NULL,
            kind text NOT NULL,
            change text NOT NULL CHECK (change IN ('added','gone')),
            version_ids bigint[] NOT NULL,
            PRIMARY KEY (batch_date, komnr, kind, change)
        );
        CREATE TABLE amfora.pending_writedown (
            batch_date integer NOT NULL,
            komnr integer NOT NULL,
            kind text NOT NULL,
            persons bytea NOT NULL
        );
        CREATE TABLE amfora.pending_reconcile (
            batch_date integer NOT NULL,
            komnr integer NOT NULL,
            kind text NOT NULL,
            unchanged bigint NOT NULL,
            previous_records bigint NOT NULL,
            records bigint NOT NULL,
            added bigint NOT NULL,
            gone bigint NOT NULL,
            duplicates text NOT NULL,
            flags text NOT NULL,
            PRIMARY KEY (batch_date, komnr, kind)
        );
        CREATE TABLE amfora.code_list (
            list text NOT NULL,
            code integer NOT NULL,
            label text NOT NULL,
            valid_from integer,
            valid_to integer,
            attribute text NOT NULL,
            PRIMARY KEY (list, code)
        );
        CREATE TABLE amfora.municipality (komnr integer PRIMARY KEY, name text NOT NULL);
        CREATE TABLE amfora.code_list_source (fingerprint bigint NOT NULL);
        -- The person key's fingerprint (PersonKey.fingerprint): a run with another key is refused.
        CREATE TABLE amfora.person_key_source (fingerprint text NOT NULL);

        -- Free text may hold a CPR number anywhere (`CPR.scrub`): the analyst views mask every run
        -- of ten digits (six, a hyphen, four or more), with or without a birth date in it (over-
        -- masking is the safe side).
        CREATE FUNCTION analyst.scrub(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
            RETURN regexp_replace(t, '([0-9]{6})-?[0-9]{4}[0-9]*', '\\1-****', 'g');
        CREATE VIEW analyst.v_batch AS
            SELECT \(day("batch_date")) AS batch_date, lpad(komnr::text, 3, '0') AS komnr, kind, status,
                   file, sha256, records, rejected, warnings, started_at, finished_at, analyst.scrub(message) AS message
            FROM amfora.delivery;
        CREATE VIEW analyst.v_activity AS
            SELECT a.activity_id, (SELECT \(day("max(batch_date)")) FROM amfora.run) AS batch_date,
                   lpad(a.komnr::text, 3, '0') AS komnr, a.person_key, a.birth_year, a.sex, a.foranstalt,
                   \(day("a.startdt")) AS start_date, \(day("a.slutdt")) AS end_date,
                   a.timetal::double precision AS hours,
                   coalesce(w.hours_written_down, a.timetal::double precision) AS hours_written_down,
                   a.hovedydelse, a.abtilbud, a.stedkode, a.cvr, a.pnr, a.stillingsbetegnelse,
                   a.source_file, a.line_no, a.version_id
            FROM amfora.activity a LEFT JOIN amfora.writedown w ON w.version_id = a.version_id
            WHERE a.closed_in IS NULL;
        CREATE VIEW analyst.v_activity_history AS
            SELECT activity_id, \(day("first_batch")) AS first_batch, \(day("last_batch")) AS last_batch_seen,
                   CASE WHEN closed_in IS NULL THEN NULL ELSE \(day("last_batch")) END AS last_batch,
                   \(day("closed_in")) AS removed_in_batch,
                   lpad(komnr::text, 3, '0') AS komnr, person_key, birth_year, sex, foranstalt,
                   \(day("startdt")) AS start_date, \(day("slutdt")) AS end_date,
                   timetal AS hours, hovedydelse, abtilbud, \(day("stdtab")) AS open_offer_start,
                   \(day("sldtab")) AS open_offer_end, analyst.scrub(jobplanid) AS jobplanid,
                   \(day("jobplanoprettet")) AS jobplan_created, \(day("jobplanrevideret")) AS jobplan_revised,
                   beskaeftigelsesmaal AS employment_goal, stedkode, cvr, pnr, analyst.scrub(navn) AS navn,
                   analyst.scrub(adresse) AS adresse, lpad(postnummer::text, 4, '0') AS postnummer,
                   analyst.scrub("by") AS "by", ministeromraade, stillingsbetegnelse, kursuscvr, kursuspnr,
                   analyst.scrub(holdid) AS holdid, analyst.scrub(delivered_as::text) AS delivered_as,
                   source_file, line_no, version_id
            FROM amfora.activity;
        CREATE VIEW analyst.v_aid AS
            SELECT (SELECT \(day("max(batch_date)")) FROM amfora.run) AS batch_date,
                   lpad(komnr::text, 3, '0') AS komnr, aid_type, person_key, cvr, pnr,
                   \(day("startdtgod")) AS approved_date, source_file, line_no
            FROM amfora.aid WHERE closed_in IS NULL;
        CREATE VIEW analyst.v_reject AS
            SELECT \(day("batch_date")) AS batch_date, lpad(komnr::text, 3, '0') AS komnr, kind, file,
                   line_no, severity, rule, field, analyst.scrub(message) AS message
            FROM amfora.reject;
        CREATE VIEW analyst.v_reconciliation AS
            SELECT \(day("batch_date")) AS batch_date, lpad(komnr::text, 3, '0') AS komnr, kind, change,
                   activity_id, changed_fields, history_change, version_id, previous_version_id
            FROM amfora.reconciliation;
        CREATE VIEW analyst.v_reconciliation_summary AS
            SELECT \(day("batch_date")) AS batch_date, lpad(komnr::text, 3, '0') AS komnr, kind, unchanged,
                   changed, new, removed, reappeared, duplicates, history_changes, records, previous_records,
                   CASE WHEN previous_records > 0 THEN round((records - previous_records) * 100.0 / previous_records, 2) END AS change_pct,
                   flags
            FROM amfora.reconciliation_summary;
        CREATE VIEW analyst.v_code AS
            SELECT list, code, label, \(day("valid_from")) AS valid_from, \(day("valid_to")) AS valid_to, attribute
            FROM amfora.code_list;
        CREATE VIEW analyst.v_municipality AS SELECT lpad(komnr::text, 3, '0') AS komnr, name FROM amfora.municipality;

        CREATE VIEW disclosure.v_activity AS
            SELECT a.activity_id, lpad(a.komnr::text, 3, '0') AS komnr, lpad(a.cprnr::text, 10, '0') AS cpr, a.foranstalt,
                   \(day("a.startdt")) AS start_date, \(day("a.slutdt")) AS end_date, a.timetal AS hours,
                   coalesce(w.hours_written_down, a.timetal::double precision) AS hours_written_down,
                   a.hovedydelse, a.cvr, a.pnr, a.version_id
            FROM amfora.activity a LEFT JOIN amfora.writedown w ON w.version_id = a.version_id
            WHERE a.closed_in IS NULL;
        CREATE VIEW disclosure.v_aid AS
            SELECT lpad(komnr::text, 3, '0') AS komnr, aid_type, identnr, cvr, pnr, \(day("startdtgod")) AS approved_date
            FROM amfora.aid WHERE closed_in IS NULL;
        """
    }

    /// 3: the week views (`v_activity_week`, `v_person_week`, `v_week_stats`) and old → new
    /// (`v_reconciliation_change`), with the answers of SQLite's. SQLite keeps week tables for
    /// them, maintained by the write-down; here the views reckon from the measures and the
    /// write-down's stretches, found for a week by their last days (`weekIndexesOfMigration3`): a measure
    /// gives its hours for each week it touches, and each written-down stretch the difference its
    /// rate makes there.
    static var weeks: String {
        let mondays = WeekCalendar.warehouse.mondays
        return """
        CREATE TABLE amfora.iso_week (
            week_start integer PRIMARY KEY,
            week_end integer NOT NULL,
            iso_week text NOT NULL UNIQUE,
            monday date NOT NULL UNIQUE
        );
        INSERT INTO amfora.iso_week
            SELECT d, d + 6, to_char(DATE '1970-01-01' + d, 'IYYY-"W"IW'), DATE '1970-01-01' + d
            FROM generate_series(\(mondays.first!.ordinal), \(mondays.last!.ordinal), 7) d;
        CREATE INDEX iso_week_end ON amfora.iso_week (week_end);
        \(weekIndexesOfMigration3.map { "CREATE INDEX \($0.name) ON \($0.on);" }.joined(separator: "\n"))
        -- Each current measure in each week it touches, as the hours it gives there and the change
        -- the write-down's stretches make to them: summed, a measure's week (writedown.md). In
        -- whole hour-days and micro-hour-days (a rate kept to a millionth of an hour, as SQLite's
        -- week figures keep it), so that a sum is the same whatever order its rows come in.
        CREATE VIEW amfora.measure_week AS
            SELECT a.version_id, a.activity_id, a.person_key, a.komnr, a.foranstalt, w.iso_week, w.monday,
                   a.timetal * (least(a.slutdt, w.week_end) - greatest(a.startdt, w.week_start) + 1) AS hour_days,
                   a.timetal * 1000000 * (least(a.slutdt, w.week_end) - greatest(a.startdt, w.week_start) + 1) AS micro_hour_days
            FROM amfora.iso_week w JOIN amfora.activity a
                ON a.slutdt >= w.week_start AND a.startdt <= w.week_end AND a.closed_in IS NULL
            UNION ALL
            SELECT a.version_id, a.activity_id, a.person_key, a.komnr, a.foranstalt, w.iso_week, w.monday, 0,
                   (round(s.rate * 1000000)::bigint - a.timetal * 1000000) * (least(s.end_date, w.week_end) - greatest(s.start_date, w.week_start) + 1)
            FROM amfora.iso_week w JOIN amfora.writedown_segment s
                ON s.end_date >= w.week_start AND s.start_date <= w.week_end
                -- (the write-down's stretches are of current versions only; said, so that a person's
                -- are found by the index of the current versions' person keys)
                JOIN amfora.activity a ON a.version_id = s.version_id AND a.closed_in IS NULL;
        CREATE VIEW analyst.v_activity_week AS
            SELECT activity_id, person_key, lpad(komnr::text, 3, '0') AS komnr, foranstalt, iso_week, monday AS week_start,
                   sum(hour_days) / 7.0::float8 AS hours, sum(micro_hour_days) / 7000000.0::float8 AS hours_written_down
            FROM amfora.measure_week
            GROUP BY version_id, activity_id, person_key, komnr, foranstalt, iso_week, monday;
        CREATE VIEW analyst.v_person_week AS
            SELECT person_key, iso_week, monday AS week_start,
                   sum(hour_days) / 7.0::float8 AS hours, sum(micro_hour_days) / 7000000.0::float8 AS hours_written_down
            FROM amfora.measure_week
            GROUP BY person_key, iso_week, monday;
        -- The published figures: a week × municipality × Foranstalt; a person counts once per row.
        CREATE VIEW analyst.v_week_stats AS
            SELECT monday AS week_start, iso_week, lpad(komnr::text, 3, '0') AS komnr, foranstalt,
                   count(DISTINCT person_key) AS persons, count(DISTINCT version_id) AS measures,
                   sum(hour_days) / 7.0::float8 AS hours, sum(micro_hour_days) / 7000000.0::float8 AS hours_written_down
            FROM amfora.measure_week
            GROUP BY monday, iso_week, komnr, foranstalt;
        \(reconciliationChange)
        """
    }

    /// The indexes migration 3 made, as it made them.
    static let weekIndexesOfMigration3: [(name: String, on: String)] = [
        ("activity_days", "amfora.activity (slutdt) WHERE closed_in IS NULL"),
        ("activity_person", "amfora.activity (person_key) WHERE closed_in IS NULL"),
        ("activity_cpr", "amfora.activity (cprnr) WHERE closed_in IS NULL"),
        ("writedown_segment_days", "amfora.writedown_segment (end_date)"),
    ]

    /// The indexes by which the write-down finds a person's measures and stretches, and the week
    /// views a week's stretches (one range of starts per level) and a person's. Kept up by every
    /// write-down after the first; a first Friday goes without them and builds them after its
    /// write-down, in one sorted pass each: kept up row by row, interval (GiST) indexes on the
    /// measures tripled a national first Friday, and building those took longer than the load.
    static let weekIndexes: [(name: String, on: String)] = [
        ("activity_person", "amfora.activity (person_key) WHERE closed_in IS NULL"),
        ("activity_cpr", "amfora.activity (cprnr) WHERE closed_in IS NULL"),
        weekSegmentWeek,
        ("week_segment_cpr", "amfora.week_segment (cprnr)"),
        ("week_segment_person", "amfora.week_segment (person_key)"),
    ]

    /// A week's stretches by level and start with every column the week views read, so that a
    /// week is read from the index alone, in the order SQLite's table keeps them (WITHOUT ROWID):
    /// from the table, a national week's 1.5 million stretches lay on every page and the planner
    /// read all 11 million (2 to 4 s; 0.2 s from this index).
    static let weekSegmentWeek = (name: "week_segment_week",
                                  on: "amfora.week_segment (level, start_date) INCLUDE (version_id, end_date, person_key, komnr, foranstalt, activity_id, hours, micro_rate)")

    /// The week table's indexes as migration 4 made them.
    static let weekSegmentIndexesOfMigration4 = [
        "CREATE INDEX week_segment_start ON amfora.week_segment (level, start_date);",
        "CREATE INDEX week_segment_cpr ON amfora.week_segment (cprnr);",
        "CREATE INDEX week_segment_person ON amfora.week_segment (person_key);",
    ]

    /// 5: a week read from the index alone (`weekSegmentWeek`). An index-only scan reads the table
    /// for pages not marked all-visible, which a Friday's changes leave behind: autovacuum marks
    /// them again after a hundredth of the table has changed, where by default it waited for a
    /// fifth (a week's changes are a fortieth).
    static var weekIndexOnly: String {
        """
        DROP INDEX IF EXISTS amfora.week_segment_start;
        CREATE INDEX IF NOT EXISTS \(weekSegmentWeek.name) ON \(weekSegmentWeek.on);
        ALTER TABLE amfora.week_segment SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);
        """
    }

    /// 4: SQLite's week tables (`WeekTables`), kept by the write-down for exactly the persons it
    /// recomputes (`PostgresWeekTables`): each current measure's stretches at one rate, filed by
    /// interval level (`IntervalLevel`), and the published figures per week × municipality ×
    /// Foranstalt. Reckoned from the measures at each question, a national week took 5 s and a
    /// year of weekly totals nearly three minutes. The measures' and stretches' last-day indexes
    /// served only that reckoning and go; the next write-down fills the tables (`filled`).
    static var weekTables: String {
        """
        DROP VIEW analyst.v_week_stats;
        DROP VIEW analyst.v_person_week;
        DROP VIEW analyst.v_activity_week;
        DROP VIEW amfora.measure_week;
        DROP INDEX IF EXISTS amfora.activity_days;
        DROP INDEX IF EXISTS amfora.writedown_segment_days;
        CREATE TABLE amfora.week_level (level smallint PRIMARY KEY, span integer NOT NULL, together boolean NOT NULL);
        INSERT INTO amfora.week_level
            SELECT n, 1 << n, false FROM generate_series(0, \(IntervalLevel.count - 1)) n
            UNION ALL SELECT n + \(IntervalLevel.together), 1 << n, true FROM generate_series(0, \(IntervalLevel.count - 1)) n;
        -- Too small for autovacuum ever to analyse: without statistics the planner took it for a
        -- thousand levels.
        ANALYZE amfora.week_level;
        CREATE TABLE amfora.week_segment (
            level smallint NOT NULL,
            start_date integer NOT NULL,
            version_id bigint NOT NULL,
            end_date integer NOT NULL,
            cprnr bigint NOT NULL,
            person_key text NOT NULL,
            komnr integer NOT NULL,
            foranstalt integer,
            activity_id bigint NOT NULL,
            hours integer NOT NULL,
            -- Hours a week after the write-down in millionths (WeekStatsDelta's unit, so that sums
            -- are exact in any order); NULL where the write-down left the measure alone.
            micro_rate bigint
        );
        \(weekSegmentIndexesOfMigration4.joined(separator: "\n"))
        -- Foranstalt -1: no code in the field.
        CREATE TABLE amfora.week_stats (
            week_start integer NOT NULL,
            komnr integer NOT NULL,
            foranstalt integer NOT NULL,
            persons bigint NOT NULL,
            measures bigint NOT NULL,
            hour_days bigint NOT NULL,
            micro_hour_days bigint NOT NULL,
            PRIMARY KEY (week_start, komnr, foranstalt)
        -- Room on each page for a row's next version: a national Friday changes most of the rows,
        -- and an update that stays on its page leaves the index alone (half the time, measured).
        ) WITH (fillfactor = 50);
        -- Whether the write-down has filled the tables (a warehouse migrated from 3 has not).
        CREATE TABLE amfora.week_tables_state (filled boolean NOT NULL);
        \(weekViews)
        """
    }

    /// The week views over `week_segment`, as SQLite's (`Schema.weekSelect`): a stretch alone in
    /// its weeks is a row by itself, the others are summed per measure (or person) and week —
    /// except a measure's only stretch, or one covering the whole week, which is its measure's
    /// row alone. One row per measure-week and per person-week.
    static var weekViews: String {
        func select(_ columns: String, together: Bool, grouped: Bool, condition: String? = nil, groupBy: String = "") -> String {
            let days = "(least(s.end_date, w.week_end) - greatest(s.start_date, w.week_start) + 1)"
            let hourDays = "s.hours * \(days)", microHourDays = "coalesce(s.micro_rate, s.hours * 1000000::bigint) * \(days)"
            let figures = grouped
                ? "sum(\(hourDays)) / 7.0::float8 AS hours, sum(\(microHourDays)) / 7000000.0::float8 AS hours_written_down"
                : "\(hourDays) / 7.0::float8 AS hours, \(microHourDays) / 7000000.0::float8 AS hours_written_down"
            return """
                SELECT \(columns), w.iso_week, w.monday AS week_start, \(figures)
                FROM amfora.iso_week w JOIN amfora.week_level l ON l.together = \(together)
                    JOIN amfora.week_segment s ON s.level = l.level
                        AND s.start_date BETWEEN w.week_start - l.span + 1 AND w.week_end AND s.end_date >= w.week_start
                \(condition.map { "WHERE \($0)" } ?? "")\(grouped ? "\nGROUP BY \(groupBy), w.monday, w.iso_week" : "")
                """
        }
        let measure = "s.activity_id, s.person_key, lpad(s.komnr::text, 3, '0') AS komnr, s.foranstalt"
        let whole = "(s.micro_rate IS NULL OR (s.start_date <= w.week_start AND s.end_date >= w.week_end))"
        return """
            CREATE VIEW analyst.v_activity_week AS
            \(select(measure, together: false, grouped: false))
            UNION ALL
            \(select(measure, together: true, grouped: false, condition: whole))
            UNION ALL
            \(select(measure, together: true, grouped: true, condition: "NOT \(whole)", groupBy: "s.version_id, s.activity_id, s.person_key, s.komnr, s.foranstalt"));
            CREATE VIEW analyst.v_person_week AS
            \(select("s.person_key", together: false, grouped: false))
            UNION ALL
            \(select("s.person_key", together: true, grouped: true, groupBy: "s.person_key"));
            -- The published figures: a week × municipality × Foranstalt; a person counts once per row.
            CREATE VIEW analyst.v_week_stats AS
                SELECT w.monday AS week_start, w.iso_week, lpad(t.komnr::text, 3, '0') AS komnr, nullif(t.foranstalt, -1) AS foranstalt,
                       t.persons, t.measures, t.hour_days / 7.0::float8 AS hours, t.micro_hour_days / 7000000.0::float8 AS hours_written_down
                FROM amfora.week_stats t JOIN amfora.iso_week w ON w.week_start = t.week_start;
            """
    }

    /// `v_reconciliation_change`: a branch per field of the §52.2 layout (the CPR number and the
    /// municipality are the measure's identity), as SQLite's (`Schema.reconciliationChangeView`);
    /// free text masked as everywhere in the analyst schema.
    static var reconciliationChange: String {
        let layout = LayoutCatalog.standard.layout(for: .amfora)
        let branches = layout.fields.filter { $0.name != "CPRnr" && $0.name != "Komnr" }.map { f -> String in
            func value(_ t: String) -> String { f.kind == .text ? "analyst.scrub(\(shown(t, f)))" : shown(t, f) }
            return """
                SELECT \(day("r.batch_date")) AS batch_date, lpad(r.komnr::text, 3, '0') AS komnr, r.kind, r.activity_id,
                       CASE WHEN ',' || r.changed_fields || ',' LIKE '%,Startdt,%' THEN 'moved' ELSE 'changed' END AS change,
                       '\(f.name)' AS field, \(value("p")) AS old_value, \(value("c")) AS new_value
                FROM amfora.reconciliation r JOIN amfora.activity c ON c.version_id = r.version_id
                    JOIN amfora.activity p ON p.version_id = r.previous_version_id
                WHERE r.change = 'changed' AND ',' || r.changed_fields || ',' LIKE '%,\(f.name),%'
                """
        }
        return "CREATE VIEW analyst.v_reconciliation_change AS\n" + branches.joined(separator: "\nUNION ALL\n") + ";"
    }

    /// A field's value in `table` as text the way the views show it (a day as an ISO date); a value
    /// kept with a warning that its column's type cannot hold is in `delivered_as`, the column NULL.
    static func shown(_ table: String, _ field: FieldSpec) -> String {
        let column = "\(table).\"\(field.name.lowercased())\""
        let typed = field.type == "date" ? "to_char(DATE '1970-01-01' + \(column), 'YYYY-MM-DD')" : "\(column)::text"
        return "coalesce(\(typed), \(table).delivered_as ->> '\(field.name.lowercased())')"
    }

    /// After every migration: each role reads its own schema's views, and nothing else of amfora's.
    static let grants = """
        REVOKE ALL ON SCHEMA amfora FROM PUBLIC;
        REVOKE ALL ON ALL TABLES IN SCHEMA amfora FROM PUBLIC;
        GRANT USAGE ON SCHEMA analyst TO amfora_analyst;
        GRANT SELECT ON ALL TABLES IN SCHEMA analyst TO amfora_analyst;
        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA amfora FROM PUBLIC;
        GRANT USAGE ON SCHEMA disclosure TO amfora_disclosure;
        GRANT SELECT ON ALL TABLES IN SCHEMA disclosure TO amfora_disclosure;
        """
}
