import AmforaCore

/// The warehouse schema, versioned: migration N brings a database from version N-1 to N.
/// Analysts query the views (interfaces.md); the tables behind them are free to change.
///
/// Storage is compact: dates are day numbers (days since 1970-01-01) and become ISO text in
/// the views; record versions carry the first and last batch they were seen in (type-2
/// history), so a week with few changes adds few rows; the write-down is kept as segments.
enum Schema {
    /// The record tables' large indexes. A first load into an empty warehouse drops them and
    /// builds them once afterwards (sorting once is far cheaper than ten million random inserts);
    /// opening the warehouse recreates any that a killed first load left missing.
    static let bulkIndexes: [(name: String, sql: String)] = [
        ("activity_current", currentIndex("activity", "komnr")),
    ]

    /// Covers "the municipality's current versions and their hashes" without touching the table:
    /// the weekly comparison reads it for every record (`CurrentVersions.read`). Only current
    /// versions, in version order, so that a week's new versions are appended at the end of the
    /// municipality's range rather than scattered over it (by hash, each would dirty a page of its own).
    /// For activation records it also carries what the write-down reads of every current measure
    /// (`WriteDownStage.currentMeasures`), so that the write-down reads the dataset in force and
    /// not the table, which holds every closed version of every past Friday too. `closed_in` (NULL
    /// in every entry) is a column as well: SQLite takes a partial index as covering only when it
    /// holds every column the query names, its own WHERE's included.
    static func currentIndex(_ table: String, _ scope: String) -> String {
        let extra = table == "activity" ? ", activity_id, \(writeDownColumns)" : ""
        return "CREATE INDEX IF NOT EXISTS \(table)_current ON \(table) (\(scope), version_id, content_hash, line_hash\(extra), closed_in) WHERE closed_in IS NULL"
    }

    /// What the write-down reads of a measure beside its version, identity and municipality.
    static let writeDownColumns = "cprnr, startdt, slutdt, timetal, foranstalt"

    static let migrations: [String] = [
        // 1: the first schema.
        """
        CREATE TABLE run (
            batch_date INTEGER PRIMARY KEY,
            deadline TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            margin_seconds INTEGER,
            status TEXT NOT NULL,
            writedown_persons INTEGER,
            writedown_records INTEGER,
            writedown_hours REAL
        );
        CREATE TABLE run_stage (
            batch_date INTEGER NOT NULL,
            stage TEXT NOT NULL,
            started_at TEXT NOT NULL,
            seconds REAL NOT NULL,
            detail TEXT
        );
        CREATE TABLE delivery (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('loaded','stale','held','missing','failed')),
            file TEXT,
            sha256 TEXT,
            bytes INTEGER,
            encoding TEXT,
            lines INTEGER,
            records INTEGER,
            rejected INTEGER,
            warnings INTEGER,
            blank_lines INTEGER,
            started_at TEXT,
            finished_at TEXT,
            message TEXT,
            PRIMARY KEY (batch_date, komnr, kind)
        );
        CREATE TABLE activity (
            version_id INTEGER PRIMARY KEY,
            activity_id INTEGER NOT NULL,
            content_hash INTEGER NOT NULL,
            cprnr INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            foranstalt INTEGER,
            startdt INTEGER,
            slutdt INTEGER,
            timetal INTEGER,
            hovedydelse INTEGER,
            abtilbud INTEGER,
            stdtab INTEGER,
            sldtab INTEGER,
            jobplanid TEXT,
            jobplanoprettet INTEGER,
            jobplanrevideret INTEGER,
            beskaeftigelsesmaal INTEGER,
            stedkode INTEGER,
            cvr INTEGER,
            pnr INTEGER,
            navn TEXT,
            adresse TEXT,
            postnummer INTEGER,
            "by" TEXT,
            ministeromraade INTEGER,
            stillingsbetegnelse INTEGER,
            kursuscvr INTEGER,
            kursuspnr INTEGER,
            holdid TEXT,
            first_batch INTEGER NOT NULL,
            last_batch INTEGER,
            closed_in INTEGER,
            source_file TEXT NOT NULL,
            line_no INTEGER NOT NULL
        );
        CREATE TABLE aid (
            version_id INTEGER PRIMARY KEY,
            content_hash INTEGER NOT NULL,
            kind TEXT NOT NULL,
            aid_type INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            cvr INTEGER,
            pnr INTEGER,
            startdtgod INTEGER,
            identnr TEXT,
            first_batch INTEGER NOT NULL,
            last_batch INTEGER,
            closed_in INTEGER,
            source_file TEXT NOT NULL,
            line_no INTEGER NOT NULL
        );
        CREATE INDEX aid_current ON aid (komnr, kind, closed_in, content_hash);
        -- The person and reported hours are repeated here so the batch's totals need not touch
        -- the (large) activity table.
        CREATE TABLE writedown (
            version_id INTEGER PRIMARY KEY,
            cprnr INTEGER NOT NULL,
            hours INTEGER NOT NULL,
            hours_written_down REAL NOT NULL
        );
        CREATE TABLE writedown_segment (
            version_id INTEGER NOT NULL,
            start_date INTEGER NOT NULL,
            end_date INTEGER NOT NULL,
            rate REAL NOT NULL
        );
        CREATE INDEX writedown_segment_version ON writedown_segment (version_id);
        CREATE TABLE reject (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            file TEXT NOT NULL,
            line_no INTEGER,
            severity TEXT NOT NULL,
            rule TEXT NOT NULL,
            field TEXT,
            value TEXT,
            message TEXT NOT NULL
        );
        CREATE INDEX reject_delivery ON reject (batch_date, komnr, kind);
        CREATE TABLE quarantine (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            file TEXT NOT NULL,
            line_no INTEGER NOT NULL,
            raw BLOB NOT NULL
        );
        CREATE INDEX quarantine_delivery ON quarantine (batch_date, komnr, kind);
        CREATE TABLE iso_week (
            week_start INTEGER PRIMARY KEY,
            week_end INTEGER NOT NULL,
            iso_week TEXT NOT NULL
        );
        CREATE VIEW v_batch AS
            SELECT date(batch_date * 86400, 'unixepoch') AS batch_date, printf('%03d', komnr) AS komnr, kind, status,
                   file, sha256, records, rejected, warnings, started_at, finished_at, message
            FROM delivery;
        CREATE VIEW v_activity AS
            SELECT a.activity_id, (SELECT date(max(batch_date) * 86400, 'unixepoch') FROM run) AS batch_date,
                   printf('%03d', a.komnr) AS komnr, printf('%010d', a.cprnr) AS cpr, a.foranstalt,
                   date(a.startdt * 86400, 'unixepoch') AS start_date, date(a.slutdt * 86400, 'unixepoch') AS end_date,
                   CAST(a.timetal AS REAL) AS hours, coalesce(w.hours_written_down, CAST(a.timetal AS REAL)) AS hours_written_down,
                   a.hovedydelse, a.abtilbud, a.stedkode, a.cvr, a.pnr, a.stillingsbetegnelse,
                   a.source_file, a.line_no, a.version_id
            FROM activity a LEFT JOIN writedown w ON w.version_id = a.version_id
            WHERE a.closed_in IS NULL;
        CREATE VIEW activity_segment AS
            SELECT a.version_id, a.activity_id, a.cprnr, a.komnr, a.timetal AS hours, s.start_date, s.end_date, s.rate
            FROM activity a JOIN writedown_segment s ON s.version_id = a.version_id
            WHERE a.closed_in IS NULL
            UNION ALL
            SELECT a.version_id, a.activity_id, a.cprnr, a.komnr, a.timetal, a.startdt, a.slutdt, a.timetal
            FROM activity a
            WHERE a.closed_in IS NULL AND a.version_id NOT IN (SELECT version_id FROM writedown);
        CREATE VIEW v_activity_week AS
            SELECT s.activity_id, printf('%010d', s.cprnr) AS cpr, printf('%03d', s.komnr) AS komnr, w.iso_week,
                   date(w.week_start * 86400, 'unixepoch') AS week_start,
                   sum(s.hours * (min(s.end_date, w.week_end) - max(s.start_date, w.week_start) + 1) / 7.0) AS hours,
                   sum(s.rate * (min(s.end_date, w.week_end) - max(s.start_date, w.week_start) + 1) / 7.0) AS hours_written_down
            FROM activity_segment s
            JOIN iso_week w ON w.week_start BETWEEN s.start_date - 6 AND s.end_date
            GROUP BY s.version_id, w.week_start;
        CREATE VIEW v_person_week AS
            SELECT cpr, iso_week, week_start, sum(hours) AS hours, sum(hours_written_down) AS hours_written_down
            FROM v_activity_week GROUP BY cpr, week_start;
        CREATE VIEW v_activity_history AS
            SELECT activity_id, date(first_batch * 86400, 'unixepoch') AS first_batch,
                   date(last_batch * 86400, 'unixepoch') AS last_batch_seen,
                   CASE WHEN closed_in IS NULL THEN NULL ELSE date(last_batch * 86400, 'unixepoch') END AS last_batch,
                   date(closed_in * 86400, 'unixepoch') AS removed_in_batch,
                   printf('%03d', komnr) AS komnr, printf('%010d', cprnr) AS cpr, foranstalt,
                   date(startdt * 86400, 'unixepoch') AS start_date, date(slutdt * 86400, 'unixepoch') AS end_date,
                   timetal AS hours, hovedydelse, abtilbud, date(stdtab * 86400, 'unixepoch') AS open_offer_start,
                   date(sldtab * 86400, 'unixepoch') AS open_offer_end, jobplanid, stedkode, cvr, pnr, navn, adresse,
                   printf('%04d', postnummer) AS postnummer, "by", ministeromraade, stillingsbetegnelse, kursuscvr, kursuspnr, holdid,
                   source_file, line_no, version_id
            FROM activity;
        CREATE VIEW v_aid AS
            SELECT (SELECT date(max(batch_date) * 86400, 'unixepoch') FROM run) AS batch_date,
                   printf('%03d', komnr) AS komnr, aid_type, identnr, cvr, pnr,
                   date(startdtgod * 86400, 'unixepoch') AS approved_date, source_file, line_no
            FROM aid WHERE closed_in IS NULL;
        CREATE VIEW v_reject AS
            SELECT date(batch_date * 86400, 'unixepoch') AS batch_date, printf('%03d', komnr) AS komnr, kind, file,
                   line_no, severity, rule, field, message
            FROM reject;
        """,
        // 2: reconciliation of this Friday against last Friday (reconciliation.md).
        """
        CREATE TABLE reconciliation (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            change TEXT NOT NULL CHECK (change IN ('changed','new','removed','reappeared')),
            activity_id INTEGER,
            version_id INTEGER,
            previous_version_id INTEGER,
            changed_fields TEXT,
            history_change INTEGER NOT NULL
        );
        CREATE INDEX reconciliation_delivery ON reconciliation (batch_date, komnr, kind);
        CREATE TABLE reconciliation_summary (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            unchanged INTEGER NOT NULL,
            changed INTEGER NOT NULL,
            new INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            reappeared INTEGER NOT NULL,
            duplicates INTEGER NOT NULL,
            history_changes INTEGER NOT NULL,
            records INTEGER NOT NULL,
            previous_records INTEGER NOT NULL,
            flags TEXT NOT NULL,
            PRIMARY KEY (batch_date, komnr, kind)
        );
        -- What a load changed, so a rerun can undo exactly that without scanning the dataset.
        CREATE TABLE load_change (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            version_id INTEGER NOT NULL,
            change TEXT NOT NULL CHECK (change IN ('added','gone'))
        );
        CREATE INDEX load_change_delivery ON load_change (batch_date, komnr, kind);
        -- "Did this measure exist before?" for measures that come back: only gone versions are indexed.
        CREATE INDEX activity_gone ON activity (activity_id) WHERE closed_in IS NOT NULL;
        CREATE VIEW v_reconciliation AS
            SELECT date(batch_date * 86400, 'unixepoch') AS batch_date, printf('%03d', komnr) AS komnr, kind, change,
                   activity_id, changed_fields, history_change, version_id, previous_version_id
            FROM reconciliation;
        CREATE VIEW v_reconciliation_summary AS
            SELECT date(batch_date * 86400, 'unixepoch') AS batch_date, printf('%03d', komnr) AS komnr, kind, unchanged,
                   changed, new, removed, reappeared, duplicates, history_changes, records, previous_records,
                   CASE WHEN previous_records > 0 THEN round((records - previous_records) * 100.0 / previous_records, 2) END AS change_pct,
                   flags
            FROM reconciliation_summary;
        """,
        // 3: the current-version indexes only hold current versions, in version order (see `currentIndex`).
        """
        DROP INDEX IF EXISTS activity_current;
        CREATE INDEX activity_current ON activity (komnr, version_id, content_hash) WHERE closed_in IS NULL;
        DROP INDEX IF EXISTS aid_current;
        CREATE INDEX aid_current ON aid (komnr, kind, version_id, content_hash) WHERE closed_in IS NULL;
        """,
        // 4: a version loaded without a finding keeps the hash of its raw line (`LineHasher`), so
        // that next Friday the same line is recognised without being parsed again.
        """
        ALTER TABLE activity ADD COLUMN line_hash INTEGER;
        ALTER TABLE aid ADD COLUMN line_hash INTEGER;
        DROP INDEX IF EXISTS activity_current;
        \(currentIndex("activity", "komnr"));
        DROP INDEX IF EXISTS aid_current;
        \(currentIndex("aid", "komnr, kind"));
        """,
        // 5: what a load changed, one row per delivery and change holding the versions' ids as a
        // JSON array, instead of a row per version: a weekly load no longer writes 400,000 rows
        // that only a rerun of that batch ever reads.
        """
        CREATE TABLE load_change_set (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            change TEXT NOT NULL CHECK (change IN ('added','gone')),
            version_ids TEXT NOT NULL,
            PRIMARY KEY (batch_date, komnr, kind, change)
        );
        INSERT INTO load_change_set (batch_date, komnr, kind, change, version_ids)
            SELECT batch_date, komnr, kind, change, json_group_array(version_id)
            FROM (SELECT * FROM load_change ORDER BY batch_date, komnr, kind, change, version_id)
            GROUP BY batch_date, komnr, kind, change;
        DROP TABLE load_change;
        """,
        // 6: no index by person. Its only reader was the write-down, and the load paid for it
        // with a random page for every new version and, as closed_in was part of it, for every
        // closed one: about half of the pages a weekly load wrote. The write-down reads the
        // table in one pass instead (`WriteDownStage.currentMeasures`).
        """
        DROP INDEX IF EXISTS activity_person;
        """,
        // 7: what a load leaves for the later stages, written in the load's own transaction and
        // removed in the transaction of the stage that does it (`PendingWork`): after a crash the
        // next run finishes exactly that, so "already loaded" is never taken for "done".
        """
        CREATE TABLE pending_writedown (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            persons BLOB NOT NULL
        );
        CREATE TABLE pending_reconcile (
            batch_date INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            kind TEXT NOT NULL,
            unchanged INTEGER NOT NULL,
            previous_records INTEGER NOT NULL,
            records INTEGER NOT NULL,
            added INTEGER NOT NULL,
            gone INTEGER NOT NULL,
            duplicates TEXT NOT NULL,
            flags TEXT NOT NULL,
            PRIMARY KEY (batch_date, komnr, kind)
        );
        """,
        // 8: the deadline's judgement, made once per batch (`DeadlineJudgement`): complete,
        // incomplete, replay, or open while deliveries are still expected before 06:00.
        """
        ALTER TABLE run ADD COLUMN judgement TEXT;
        UPDATE run SET judgement = CASE WHEN margin_seconds IS NULL THEN NULL ELSE 'complete' END;
        """,
        // 9: a value loaded with a warning is kept as delivered (its trimmed text; in a number or
        // day column as a blob of that text, which SQLite's affinity leaves alone), so the views
        // show it as it came, and format a column only when it holds a number. The history gains the job plan's dates and employment goal.
        """
        DROP VIEW v_activity_history;
        CREATE VIEW v_activity_history AS
            SELECT activity_id, date(first_batch * 86400, 'unixepoch') AS first_batch,
                   date(last_batch * 86400, 'unixepoch') AS last_batch_seen,
                   CASE WHEN closed_in IS NULL THEN NULL ELSE date(last_batch * 86400, 'unixepoch') END AS last_batch,
                   date(closed_in * 86400, 'unixepoch') AS removed_in_batch,
                   printf('%03d', komnr) AS komnr, printf('%010d', cprnr) AS cpr, foranstalt,
                   date(startdt * 86400, 'unixepoch') AS start_date, date(slutdt * 86400, 'unixepoch') AS end_date,
                   timetal AS hours, hovedydelse, abtilbud, date(stdtab * 86400, 'unixepoch') AS open_offer_start,
                   date(sldtab * 86400, 'unixepoch') AS open_offer_end, jobplanid,
                   CASE WHEN typeof(jobplanoprettet) = 'integer' THEN date(jobplanoprettet * 86400, 'unixepoch') ELSE CAST(jobplanoprettet AS TEXT) END AS jobplan_created,
                   CASE WHEN typeof(jobplanrevideret) = 'integer' THEN date(jobplanrevideret * 86400, 'unixepoch') ELSE CAST(jobplanrevideret AS TEXT) END AS jobplan_revised,
                   CASE WHEN typeof(beskaeftigelsesmaal) = 'blob' THEN CAST(beskaeftigelsesmaal AS TEXT) ELSE beskaeftigelsesmaal END AS employment_goal,
                   stedkode, cvr, pnr, navn, adresse,
                   CASE WHEN typeof(postnummer) = 'integer' THEN printf('%04d', postnummer) ELSE CAST(postnummer AS TEXT) END AS postnummer,
                   "by", ministeromraade, stillingsbetegnelse, kursuscvr,
                   CASE WHEN typeof(kursuspnr) = 'blob' THEN CAST(kursuspnr AS TEXT) ELSE kursuspnr END AS kursuspnr, holdid,
                   source_file, line_no, version_id
            FROM activity;
        """,
        // 10: the code lists and municipalities in the warehouse, from the very data files the
        // validator reads (refreshed by `Warehouse.refreshCodeLists` whenever they differ), so a
        // label in an analyst's query can never disagree with a rule.
        """
        CREATE TABLE code_list (
            list TEXT NOT NULL,
            code INTEGER NOT NULL,
            label TEXT NOT NULL,
            valid_from INTEGER,
            valid_to INTEGER,
            attribute TEXT NOT NULL,
            PRIMARY KEY (list, code)
        );
        CREATE TABLE municipality (komnr INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE code_list_source (fingerprint INTEGER NOT NULL);
        CREATE VIEW v_code AS
            SELECT list, code, label, date(valid_from * 86400, 'unixepoch') AS valid_from,
                   date(valid_to * 86400, 'unixepoch') AS valid_to, attribute
            FROM code_list;
        CREATE VIEW v_municipality AS SELECT printf('%03d', komnr) AS komnr, name FROM municipality;
        """,
        // 11: old → new, one row per changed field of every changed or moved measure.
        reconciliationChangeView,
        // 12: week questions answered from an interval index instead of expanding every measure
        // into every week on every query (`AmforaCore/Weeks`, `WeekTables`): each current
        // measure's stretches at one rate, each person's stretches at one total, filed by level
        // and start; and the published figures per week × municipality × Foranstalt. The week
        // tables are built by the next write-down (`week_index_state` says whether they are).
        """
        CREATE TABLE week_level (level INTEGER PRIMARY KEY, span INTEGER NOT NULL);
        WITH RECURSIVE l(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM l WHERE n < \(IntervalLevel.count - 1))
            INSERT INTO week_level (level, span) SELECT n, 1 << n FROM l;
        ALTER TABLE iso_week ADD COLUMN monday TEXT;
        UPDATE iso_week SET monday = date(week_start * 86400, 'unixepoch');
        CREATE UNIQUE INDEX iso_week_monday ON iso_week (monday);
        CREATE UNIQUE INDEX iso_week_label ON iso_week (iso_week);
        CREATE TABLE week_segment (
            level INTEGER NOT NULL,
            start_date INTEGER NOT NULL,
            version_id INTEGER NOT NULL,
            end_date INTEGER NOT NULL,
            cprnr INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            foranstalt INTEGER,
            activity_id INTEGER NOT NULL,
            hours INTEGER NOT NULL,
            rate REAL,
            PRIMARY KEY (level, start_date, version_id)
        ) WITHOUT ROWID;
        CREATE TABLE person_segment (
            level INTEGER NOT NULL,
            start_date INTEGER NOT NULL,
            cprnr INTEGER NOT NULL,
            end_date INTEGER NOT NULL,
            hours INTEGER NOT NULL,
            PRIMARY KEY (level, start_date, cprnr)
        ) WITHOUT ROWID;
        CREATE TABLE week_stats (
            week_start INTEGER NOT NULL,
            komnr INTEGER NOT NULL,
            foranstalt INTEGER NOT NULL,
            persons INTEGER NOT NULL,
            measures INTEGER NOT NULL,
            hour_days INTEGER NOT NULL,
            micro_hour_days INTEGER NOT NULL,
            PRIMARY KEY (week_start, komnr, foranstalt)
        ) WITHOUT ROWID;
        CREATE TABLE week_index_state (built INTEGER NOT NULL);
        DROP VIEW v_person_week;
        DROP VIEW v_activity_week;
        DROP VIEW activity_segment;
        """,
        // 13: the §54 disclosure log (disclosures.md): what was passed on to whom, when, under
        // which paragraph — written with each extract, and again for each re-disclosure.
        """
        CREATE TABLE disclosure (
            id INTEGER PRIMARY KEY,
            batch_date INTEGER NOT NULL,
            recipient TEXT NOT NULL,
            legal_basis TEXT NOT NULL,
            file TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            rows INTEGER NOT NULL,
            persons INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            delivered_to TEXT,
            delivered_at TEXT
        );
        CREATE VIEW v_disclosure AS
            SELECT date(batch_date * 86400, 'unixepoch') AS batch_date, recipient, legal_basis, file, sha256, rows, persons,
                   created_at, delivered_to, delivered_at
            FROM disclosure;
        """,
        // 14: a person's weeks from the measures' stretches, with the stretches that share no
        // ISO week with another of their person's (most of them) filed apart, on levels of their
        // own (`IntervalLevel.together`), so that a week is one pass over them and only the rest
        // is grouped: the person-week table (and its 460 000 changed rows a Friday) is gone, and
        // a person's history comes through the index by person like their measures'. CPR and
        // municipality are kept as the views show them, so that a week's 800 000 rows are not
        // formatted on every question (a quarter of its time). The next write-down rebuilds the
        // tables and the figures.
        """
        DROP VIEW IF EXISTS v_person_week;
        DROP VIEW IF EXISTS v_activity_week;
        DROP TABLE week_segment;
        DROP TABLE person_segment;
        DROP TABLE week_level;
        CREATE TABLE week_level (level INTEGER PRIMARY KEY, span INTEGER NOT NULL, together INTEGER NOT NULL);
        WITH RECURSIVE l(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM l WHERE n < \(IntervalLevel.count - 1))
            INSERT INTO week_level (level, span, together)
            SELECT n, 1 << n, 0 FROM l UNION ALL SELECT n + \(IntervalLevel.together), 1 << n, 1 FROM l;
        \(stretchTable("week_segment"))
        \(weekSegmentPersonIndex);
        DELETE FROM week_stats;
        DELETE FROM week_index_state;
        \(weekViews(.oneTable))
        """,
        // 15: the current-version indexes cover their queries (`currentIndex`). Without
        // `closed_in` among their columns SQLite read every current version's row from the table
        // as well, and the write-down read the whole table, which also holds every closed version,
        // so that a pass over it grew with every Friday of history.
        """
        DROP INDEX IF EXISTS activity_current;
        \(currentIndex("activity", "komnr"));
        DROP INDEX IF EXISTS aid_current;
        \(currentIndex("aid", "komnr, kind"));
        """,
        // 16: a Friday's changed stretches go to a table of their own (`week_segment_recent`),
        // and those they replace are marked `superseded` where they lie, so that the large
        // index by person is left alone: its random pages, one per changed stretch, were 4 of
        // the write-down's 10 seconds of week tables nationally. `amfora maintain` folds the
        // recent table back in (`WeekTables.compact`). The figures are keyed by one integer
        // (`WeekTables.figuresKey`): SQLite updates a row of a rowid table in half the time of
        // one of a table keyed by three columns, and a Friday corrects one and a half million.
        """
        DROP VIEW v_activity_week;
        DROP VIEW v_person_week;
        DROP VIEW v_week_stats;
        ALTER TABLE week_segment ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
        \(stretchTable("week_segment_recent"))
        \(recentPersonIndex);
        CREATE TABLE week_figures (
            id INTEGER PRIMARY KEY,
            persons INTEGER NOT NULL,
            measures INTEGER NOT NULL,
            hour_days INTEGER NOT NULL,
            micro_hour_days INTEGER NOT NULL
        );
        INSERT INTO week_figures SELECT (week_start * 1000 + komnr) * 10000 + foranstalt + 1, persons, measures, hour_days, micro_hour_days
            FROM week_stats ORDER BY 1;
        DROP TABLE week_stats;
        ALTER TABLE week_figures RENAME TO week_stats;
        \(weekViews(.flagged))
        """,
        // 17: a written-down version keeps its measure's municipality, so that the report's
        // write-down by municipality reads the write-down alone: looking each of 860,000
        // versions up among the measures took 1.9 s of every report nationally, a rerun's too.
        """
        ALTER TABLE writedown ADD COLUMN komnr INTEGER;
        UPDATE writedown SET komnr = (SELECT a.komnr FROM activity a WHERE a.version_id = writedown.version_id);
        """,
        // 18: the large week table's stretches that a Friday replaced are listed by number in a
        // small table of their own (`week_segment_superseded`), not flagged where they lie: a
        // Friday's quarter of a million flags fell on nearly every page of its 600 MB, which the
        // commit and the checkpoint then wrote twice, about 4 of the write-down's seconds
        // nationally. A week's question probes the small table once per stretch it reads.
        """
        DROP VIEW v_activity_week;
        DROP VIEW v_person_week;
        CREATE TABLE week_segment_superseded (stretch INTEGER PRIMARY KEY);
        INSERT INTO week_segment_superseded SELECT \(stretchNumber("week_segment")) FROM week_segment WHERE superseded = 1 ORDER BY 1;
        ALTER TABLE week_segment DROP COLUMN superseded;
        \(weekViews(.listed, figures: false))
        """,
        // 19: "was this measure closed before?" from a small recent log of the closes and a settled
        // table it is folded into (`ClosedMeasures`), not from an index of closed versions by
        // activity id: that index's keys are hashes, so a Friday's closes fell on nearly every
        // one of its pages, and it grew by a Friday's closes every week.
        ClosedMeasures.migration(.sqlite),
    ]

    /// A stretch's key (level, start, version) as one integer, as `WeekTables.StretchKey.number`
    /// computes it: the version in the low 40 bits, the start (a day number, 1990–2100 in
    /// `DeliveryDate`) in the next 17, the level above.
    static func stretchNumber(_ table: String) -> String {
        "((\(table).level * \(1 << WeekTables.StretchKey.startBits) + \(table).start_date) * \(Int64(1) << WeekTables.StretchKey.versionBits) + \(table).version_id)"
    }

    /// An analyst's `WHERE cpr = …` on `v_activity_week` or `v_person_week` finds the person's rows by it.
    static let weekSegmentPersonIndex = "CREATE INDEX IF NOT EXISTS week_segment_person ON week_segment (cpr)"
    static let recentPersonIndex = "CREATE INDEX IF NOT EXISTS week_segment_recent_person ON week_segment_recent (cpr)"

    /// A table of measure stretches (`AmforaCore/Weeks`), filed by interval level and start.
    static func stretchTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            level INTEGER NOT NULL,
            start_date INTEGER NOT NULL,
            version_id INTEGER NOT NULL,
            end_date INTEGER NOT NULL,
            cpr TEXT NOT NULL,
            komnr TEXT NOT NULL,
            foranstalt INTEGER,
            activity_id INTEGER NOT NULL,
            hours INTEGER NOT NULL,
            rate REAL,
            PRIMARY KEY (level, start_date, version_id)
        ) WITHOUT ROWID;
        """
    }

    /// The columns of a stretch, in both week tables.
    static let stretchColumns = "level, start_date, version_id, end_date, cpr, komnr, foranstalt, activity_id, hours, rate"

    /// The week views over the interval index. A week is found by one range of starts per level
    /// (`IntervalLevel`) among the stretches alone in their weeks, which are rows by themselves,
    /// and the same among the others, which are summed per measure (or person) and week — except
    /// a measure's only stretch, or one covering the whole week, which is its measure's row
    /// alone. The columns an analyst filters on are grouping columns, so SQLite moves such a
    /// filter into the view. As of migration 16 the stretches lie in two tables, each
    /// read the same way; a person's stretches that share weeks lie in one of them
    /// (`WeekTables`), so that each table's sums are whole. `figures`: `v_week_stats` as well.
    static func weekViews(_ form: WeekTablesForm, figures: Bool = true) -> String {
        let tables: [(String, String)]
        switch form {
        case .oneTable: tables = [("week_segment", "")]
        case .flagged: tables = [("week_segment", " AND s.superseded = 0"), ("week_segment_recent", "")]
        case .listed:
            tables = [("week_segment", " AND \(stretchNumber("s")) NOT IN (SELECT stretch FROM week_segment_superseded)"), ("week_segment_recent", "")]
        }
        func view(_ columns: String, alone: String?, groupBy: String) -> String {
            tables.map { weekSelect($0.0, live: $0.1, columns, alone: alone, groupBy: groupBy) }.joined(separator: "\nUNION ALL\n")
        }
        return """
            CREATE VIEW v_activity_week AS
                \(view("s.activity_id, s.cpr, s.komnr, s.foranstalt",
                        alone: "s.rate IS NULL", groupBy: "s.version_id, s.cpr, s.komnr, s.foranstalt, s.activity_id"));
            CREATE VIEW v_person_week AS
                \(view("s.cpr", alone: nil, groupBy: "s.cpr"));
            \(figures ? "CREATE VIEW v_week_stats AS\n    \(form == .oneTable ? figuresByColumns : figuresByKey);" : "")
            """
    }

    /// How the week tables were laid out, migration by migration (each migration keeps the
    /// views it wrote): one table (14); a recent table beside it, the large one's replaced
    /// stretches flagged `superseded` (16); those listed in `week_segment_superseded` (18).
    enum WeekTablesForm { case oneTable, flagged, listed }

    static let figuresByColumns = """
        SELECT w.monday AS week_start, w.iso_week, printf('%03d', t.komnr) AS komnr, nullif(t.foranstalt, -1) AS foranstalt,
               t.persons, t.measures, t.hour_days / 7.0 AS hours, t.micro_hour_days / 7000000.0 AS hours_written_down
        FROM week_stats t JOIN iso_week w ON w.week_start = t.week_start
        """

    /// A week's figures are one range of keys (`WeekTables.figuresKey`).
    static let figuresByKey = """
        SELECT w.monday AS week_start, w.iso_week, printf('%03d', t.id / 10000 % 1000) AS komnr, nullif(t.id % 10000 - 1, -1) AS foranstalt,
               t.persons, t.measures, t.hour_days / 7.0 AS hours, t.micro_hour_days / 7000000.0 AS hours_written_down
        FROM iso_week w JOIN week_stats t ON t.id BETWEEN w.week_start * 10000000 AND w.week_start * 10000000 + 9999999
        """

    /// `alone`: which of the stretches that share a week with others still make a row by
    /// themselves (nil: none do). `table`: the week table read (as `s`); `live`: the condition,
    /// if any, on which its rows are in force.
    static func weekSelect(_ table: String, live: String, _ columns: String, alone: String?, groupBy: String) -> String {
        let days = "(min(s.end_date, w.week_end) - max(s.start_date, w.week_start) + 1)"
        func from(together: Int) -> String {
            """
            FROM iso_week w JOIN week_level l ON l.together = \(together) JOIN \(table) s ON s.level = l.level
                AND s.start_date BETWEEN w.week_start - l.span + 1 AND w.week_end AND s.end_date >= w.week_start\(live)
            """
        }
        let row = """
            SELECT \(columns), w.iso_week, w.monday AS week_start,
                   s.hours * \(days) / 7.0 AS hours, coalesce(s.rate, s.hours) * \(days) / 7.0 AS hours_written_down
            """
        let sum = """
            SELECT \(columns), w.iso_week, w.monday AS week_start,
                   sum(s.hours * \(days)) / 7.0 AS hours, sum(coalesce(s.rate, s.hours) * \(days)) / 7.0 AS hours_written_down
            """
        let grouped = "GROUP BY \(groupBy), w.monday, w.iso_week"
        guard let alone else {
            return "\(row)\n\(from(together: 0))\nUNION ALL\n\(sum)\n\(from(together: 1))\n\(grouped)"
        }
        let whole = "(\(alone) OR (s.start_date <= w.week_start AND s.end_date >= w.week_end))"
        return """
            \(row)
            \(from(together: 0))
            UNION ALL
            \(row)
            \(from(together: 1))
            WHERE \(whole)
            UNION ALL
            \(sum)
            \(from(together: 1))
            WHERE NOT \(whole)
            \(grouped)
            """
    }

    /// `v_reconciliation_change`: a branch per field of the §52.2 layout (the CPR number and the
    /// municipality are the measure's identity and never change, nor appear as values). A measure
    /// whose Startdt changed is `moved`, else `changed`. Dates as ISO; a value kept with a warning
    /// as delivered.
    static var reconciliationChangeView: String {
        let layout = LayoutCatalog.standard.layout(for: .amfora)
        let branches = layout.fields.filter { $0.name != "CPRnr" && $0.name != "Komnr" }.map { f -> String in
            func value(_ t: String) -> String { shown("\(t).\"\(f.name.lowercased())\"", f) }
            return """
                SELECT date(r.batch_date * 86400, 'unixepoch') AS batch_date, printf('%03d', r.komnr) AS komnr, r.kind, r.activity_id,
                       CASE WHEN instr(',' || r.changed_fields || ',', ',Startdt,') > 0 THEN 'moved' ELSE 'changed' END AS change,
                       '\(f.name)' AS field, \(value("p")) AS old_value, \(value("c")) AS new_value
                FROM reconciliation r JOIN activity c ON c.version_id = r.version_id JOIN activity p ON p.version_id = r.previous_version_id
                WHERE r.change = 'changed' AND instr(',' || r.changed_fields || ',', ',\(f.name),') > 0
                """
        }
        return "CREATE VIEW v_reconciliation_change AS\n" + branches.joined(separator: "\nUNION ALL\n") + ";"
    }

    /// A field's column as the views show it: a day as an ISO date, anything else as text (a
    /// value kept with a warning as delivered).
    static func shown(_ column: String, _ field: FieldSpec) -> String {
        field.type == "date"
            ? "CASE WHEN typeof(\(column)) = 'integer' THEN date(\(column) * 86400, 'unixepoch') ELSE CAST(\(column) AS TEXT) END"
            : "CAST(\(column) AS TEXT)"
    }
}
