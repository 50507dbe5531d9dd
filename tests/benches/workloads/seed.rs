//! The bench database: created as the owner role, migrated by the binary, seeded with bulk
//! `INSERT … SELECT generate_series` per tenant (each in its own transaction scoped with
//! `set_config('app.tenant_id', …, true)`, since every tenant table forces row-level security),
//! then read back for what the answers must hold. Also the W3 reset and the counters of
//! `pg_stat_database`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult,
    Statement, TransactionTrait, Value,
};
use uuid::Uuid;

use crate::{R, Settings};

/// A tenant of the bench: `bench-NNN`, with one steering account.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: String,
}

impl Tenant {
    /// The steering account's subject (a `staff_member` row; the token's `sub`).
    pub fn subject(&self) -> String {
        format!("steering@{}.example", self.slug)
    }
}

/// One participant of the first W1 page, in order.
pub struct W1Row {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub commune: String,
}

/// One cohort of the W2 page: its members' names by participant id.
pub struct W2Cohort {
    pub id: Uuid,
    pub members: Vec<(String, String)>,
}

/// A free (session, member) pair for W3, as global IDs.
pub struct Pair {
    pub tenant: usize,
    pub session: String,
    pub participant: String,
}

/// What the seeded database holds that the answers must show.
pub struct Data {
    pub tenants: Vec<Tenant>,
    /// Per tenant: W1's page.
    pub w1: Vec<Vec<W1Row>>,
    /// Per tenant: W2's page.
    pub w2: Vec<Vec<W2Cohort>>,
    /// The free pairs in `bench.w3_pairs` order (`g`), which mixes the tenants.
    pub pairs: Vec<Pair>,
}

/// The database of one bench run.
pub struct BenchDb {
    pub name: String,
    /// The owner role on the bench database.
    pub owner_url: String,
    /// The runtime role on the bench database.
    pub app_url: String,
    /// The owner role on its maintenance database (`TEST_POSTGRES_URL`).
    admin_url: String,
    pub app_user: String,
    data_dir: PathBuf,
}

/// The parts of a `postgres://user[:password]@host[:port]/database[?query]` URL.
pub struct PgUrl {
    pub user: String,
    pub password: Option<String>,
    pub host: String,
    pub port: String,
    query: String,
}

impl PgUrl {
    pub fn parse(url: &str) -> R<Self> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or("TEST_POSTGRES_URL: expected a postgres:// URL")?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let query = path
            .split_once('?')
            .map(|(_, q)| q.to_owned())
            .unwrap_or_default();
        let (userinfo, hostport) = authority.rsplit_once('@').unwrap_or(("", authority));
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u.to_owned(), Some(p.to_owned())),
            None => (userinfo.to_owned(), None),
        };
        let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "5432"));
        Ok(Self {
            user: if user.is_empty() {
                "postgres".into()
            } else {
                user
            },
            password,
            host: host.to_owned(),
            port: port.to_owned(),
            query,
        })
    }

    /// The URL of `database` as `user` (the password only for the URL's own user).
    pub fn url(&self, user: &str, database: &str) -> String {
        let password = match &self.password {
            Some(p) if user == self.user => format!(":{p}"),
            _ => String::new(),
        };
        let query = if self.query.is_empty() {
            String::new()
        } else {
            format!("?{}", self.query)
        };
        format!(
            "postgres://{user}{password}@{}:{}/{database}{query}",
            self.host, self.port
        )
    }
}

/// The binary, without the caller's `PARCOURS_*`, `DATABASE_*` and `AWS_*` settings.
pub fn parcours(bin: &Path) -> Command {
    let mut command = Command::new(bin);
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if ["PARCOURS_", "DATABASE_", "AWS_"]
            .iter()
            .any(|p| text.starts_with(p))
        {
            command.env_remove(&name);
        }
    }
    command
}

async fn connect(url: &str) -> R<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(0)
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .map_err(|e| format!("connecting to PostgreSQL: {e}"))
}

fn sql_err(what: &str) -> impl Fn(sea_orm::DbErr) -> String + '_ {
    move |e| format!("{what}: {e}")
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// Scope the transaction `tx` to `tenant`, as the service does.
async fn scope(tx: &impl ConnectionTrait, tenant: Uuid) -> R<()> {
    tx.execute_raw(statement(
        "SELECT set_config('app.tenant_id', $1, true)",
        vec![tenant.to_string().into()],
    ))
    .await
    .map(|_| ())
    .map_err(sql_err("set_config"))
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, i: usize) -> R<T> {
    row.try_get_by_index(i)
        .map_err(|e| format!("reading column {i}: {e:?}"))
}

/// A Relay global ID, as the service encodes them (api/src/graphql/ids.rs).
pub fn global_id(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The UUID inside a global ID.
pub fn uuid_of(global: &str) -> Option<Uuid> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(global).ok()?).ok()?;
    Uuid::parse_str(text.split_once(':')?.1).ok()
}

/// An SQL expression of a UUIDv7-shaped id: `base_ms + index` seconds as its timestamp (so ids
/// sort in creation order), the rest from md5 of (kind, tenant, index): deterministic.
fn uid(kind: &str, t: usize, index: &str, base_ms: i64) -> String {
    let key = format!("md5('{kind}-{t}-' || ({index}))");
    format!(
        "(lpad(to_hex({base_ms}::bigint + ({index})::bigint * 1000), 12, '0') || '7' || \
         substr({key}, 1, 3) || '8' || substr({key}, 4, 15))::uuid"
    )
}

const FIRST_NAMES: &str = "'{Amina,Camille,Chloe,Fatou,Ines,Julie,Lea,Manon,Nadia,Sarah,Sophie,\
    Yasmine,Aicha,Emma,Laura,Marie,Nathalie,Sandrine,Valerie,Zoe,Alexandre,Antoine,Bilal,David,\
    Karim,Kevin,Lucas,Mamadou,Mehdi,Nicolas,Olivier,Pierre,Rachid,Samir,Thomas,Yanis,Youssef,\
    Julien,Hugo,Moussa}'::text[]";
const LAST_NAMES: &str = "'{Martin,Bernard,Thomas,Petit,Robert,Richard,Durand,Dubois,Moreau,\
    Laurent,Simon,Michel,Lefebvre,Leroy,Roux,David,Bertrand,Morel,Fournier,Girard,Bonnet,Dupont,\
    Lambert,Fontaine,Rousseau,Vincent,Muller,Faure,Andre,Mercier,Blanc,Guerin,Boyer,Garnier,\
    Chevalier,Francois,Legrand,Gauthier,Garcia,Perrin,Diallo,Traore,Benali,Haddad,Nguyen,Kone,\
    Cisse,Mendes,Ferreira,Da Silva}'::text[]";
const COMMUNES: &str = "'{Lille,Roubaix,Tourcoing,Lens,Douai,Arras,Calais,Amiens,Reims,Troyes,\
    Dijon,Beaune,Auxerre,Nevers,Macon,Chalon,Lyon,Vienne,Valence,Grenoble,Annecy,Chambery,Nantes,\
    Angers,Tours,Orleans,Rennes,Brest,Vannes,Quimper}'::text[]";

/// Everything of tenant number `t` (1-based) but the tenant row; run scoped to the tenant.
fn tenant_sql(t: usize, tenant: &Tenant, participants: usize, cohorts: usize) -> String {
    let tid = format!("'{}'::uuid", tenant.id);
    let domain = format!("{}.example", tenant.slug);
    let structure = |s: &str| uid("st", t, s, 1_600_000_000_000);
    let staff = |n: &str| uid("sf", t, n, 1_600_100_000_000);
    let commune = |k: &str| uid("cm", t, k, 1_600_200_000_000);
    let participant = |i: &str| uid("p", t, i, 1_640_000_000_000);
    let cohort = |c: &str| uid("co", t, c, 1_700_000_000_000);
    let session = |x: &str| uid("se", t, x, 1_700_100_000_000);
    let convention = uid("cv", t, "1", 1_699_000_000_000);
    let submission = uid("sb", t, "1", 1_698_000_000_000);
    let call = uid("ca", t, "1", 1_697_000_000_000);
    let provider = structure("4");
    let start = "(date '2024-01-08' + 7 * (c - 1))";
    // Session k (1..24) of a cohort: week w, day d (Mon, Tue, Thu, Fri), half-day hd.
    let day = format!("({start} + 7 * w + (ARRAY[0, 1, 3, 4])[1 + d])");
    let k = "(w * 8 + d * 2 + hd + 1)";
    let sessions = "generate_series(0, 2) w, generate_series(0, 3) d, generate_series(0, 1) hd";
    format!(
        "
INSERT INTO commune (tenant_id, id, insee_code, name, priority_neighbourhoods)
SELECT {tid}, {commune_k}, lpad(k::text, 5, '0'), ({COMMUNES})[k],
       CASE WHEN k % 3 = 0 THEN jsonb_build_array('Quartier ' || k) ELSE '[]'::jsonb END
  FROM generate_series(1, 30) k;

INSERT INTO structure (tenant_id, id, name, kind, active, created_at, updated_at, version)
SELECT {tid}, {structure_s}, (ARRAY['PLIE steering', 'Referents A', 'Referents B', 'Provider'])[s],
       (ARRAY['steering_body', 'referent_carrier', 'referent_carrier', 'provider'])[s], true,
       timestamptz '2021-01-04 09:00+00', timestamptz '2021-01-04 09:00+00', 1
  FROM generate_series(1, 4) s;

-- staff n: 0 steering (structure 1), 1..4 referents (structures 2, 3), 5 the provider (4)
INSERT INTO staff_member (tenant_id, id, subject, display_name, email, role, structure_id, active,
                          created_at, updated_at, version)
SELECT {tid}, {staff_n}, x.subject, x.name, x.subject, x.role, {structure_x}, true,
       timestamptz '2021-01-04 10:00+00', timestamptz '2021-01-04 10:00+00', 1
  FROM generate_series(0, 5) n,
       LATERAL (SELECT CASE WHEN n = 0 THEN 'steering@{domain}'
                            WHEN n <= 4 THEN 'referent' || n || '@{domain}'
                            ELSE 'provider@{domain}' END AS subject,
                       CASE WHEN n = 0 THEN 'steering' WHEN n <= 4 THEN 'referent'
                            ELSE 'provider' END AS role,
                       CASE WHEN n = 0 THEN 'Direction du PLIE' ELSE 'Staff ' || n END AS name,
                       CASE WHEN n = 0 THEN 1 WHEN n <= 2 THEN 2 WHEN n <= 4 THEN 3
                            ELSE 4 END AS s) x;

INSERT INTO participant (tenant_id, id, first_name, last_name, search_name, birth_date,
    birth_year, gender, email, phone, postal_address, commune_id, long_term_job_seeker,
    rsa_beneficiary, priority_neighbourhood, education_level, recognised_disability,
    authorised_to_work, difficulties, consent_date, consent_scope, referent_id, status,
    entry_date, committee_date, refusal_reason, anonymised_at, created_at, updated_at, version)
SELECT {tid}, {participant_i}, f, l, lower(l || ' ' || f), date '1965-01-01' + h % 14600, NULL,
       (ARRAY['woman', 'man', 'woman', 'man', 'non_binary'])[1 + (h >> 4) % 5],
       lower(replace(f || '.' || l, ' ', '')) || i || '@exemple.fr',
       '06 ' || lpad((h % 100)::text, 2, '0') || ' ' || lpad((i % 100)::text, 2, '0') || ' 00 00',
       (1 + h % 120) || ' rue de la Gare', {commune_h}, h % 2 = 0, h % 5 = 0, h % 7 = 0,
       1 + (h >> 8) % 8, h % 11 = 0, true, '[]'::jsonb, date '2023-01-02' + h % 600,
       'accompagnement PLIE', {staff_ref}, 'active', date '2023-01-02' + h % 600,
       date '2023-01-12' + h % 600, NULL, NULL, created, created, 1
  FROM (SELECT i, hashtext('h-{t}-' || i) & 2147483647 AS h,
               ({FIRST_NAMES})[1 + (hashtext('f-{t}-' || i) & 2147483647) % 40] AS f,
               ({LAST_NAMES})[1 + (hashtext('l-{t}-' || i) & 2147483647) % 50] AS l,
               timestamptz '2021-12-31 09:00+00' + make_interval(secs => i * 1000) AS created
          FROM generate_series(1, {participants}) i) x;

INSERT INTO call_for_projects (tenant_id, id, reference, title, summary, specification,
    budget_cap_cents, target_participants_per_year, group_size_min, group_size_max, cadence_weeks,
    opens_at, deadline_at, expected_start, questions, status, created_at, updated_at, version)
VALUES ({tid}, {call}, 'AAP-2024-01', 'Remobilisation', 'Groupes hebdomadaires',
        'Cahier des charges', 4000000, 400, 8, 12, 1, timestamptz '2023-09-15 08:00+00',
        timestamptz '2023-10-31 16:00+00', date '2024-01-01', '[]'::jsonb, 'decided',
        timestamptz '2023-09-01 09:00+00', timestamptz '2023-11-20 14:00+00', 3);
INSERT INTO submission (tenant_id, id, call_id, structure_id, status, answers,
    requested_amount_cents, budget_lines, receipt_number, received_at, decision_reason,
    committee_date, created_at, updated_at, version)
VALUES ({tid}, {submission}, {call}, {provider}, 'accepted', '{{}}'::jsonb, 4000000, '[]'::jsonb,
        1, timestamptz '2023-10-10 10:00+00', 'Projet retenu', date '2023-11-20',
        timestamptz '2023-10-10 10:00+00', timestamptz '2023-11-20 14:00+00', 4);
INSERT INTO receipt_counter (tenant_id, last_number) VALUES ({tid}, 1);
INSERT INTO convention (tenant_id, id, submission_id, structure_id, number, amount_cents,
    start_date, end_date, renewals, created_at, updated_at, version)
VALUES ({tid}, {convention}, {submission}, {provider}, 'CONV-2024-0001', 4000000,
        date '2024-01-01', date '2025-12-31', 0, timestamptz '2023-12-01 10:00+00',
        timestamptz '2023-12-01 10:00+00', 1);

INSERT INTO cohort (tenant_id, id, convention_id, structure_id, label, start_date, end_date,
    size_min, size_max, status, created_at, updated_at, version)
SELECT {tid}, {cohort_c}, {convention}, {provider}, 'Groupe ' || lpad(c::text, 2, '0'),
       {start}, {start} + 18, 8, 12, 'closed',
       timestamptz '2023-12-15 09:00+00' + make_interval(days => c),
       timestamptz '2023-12-15 09:00+00' + make_interval(days => c), 3
  FROM generate_series(1, {cohorts}) c;

INSERT INTO cohort_session (tenant_id, id, cohort_id, day, half_day)
SELECT {tid}, {session_ck}, {cohort_c}, {day},
       CASE WHEN hd = 0 THEN 'morning' ELSE 'afternoon' END
  FROM generate_series(1, {cohorts}) c, {sessions};

-- member m of cohort c is participant (c - 1) * 10 + m
INSERT INTO cohort_member (tenant_id, cohort_id, participant_id, status, reason, prescribed_by,
    updated_at, version)
SELECT {tid}, {cohort_c}, {member}, 'enrolled', NULL, 'referent1@{domain}',
       {start} - 7 + time '10:00', 2
  FROM generate_series(1, {cohorts}) c, generate_series(1, 10) m;

-- the JSON shapes of domain/src/diagnostics.rs (serde's default names)
INSERT INTO diagnostic (tenant_id, cohort_id, participant_id, status, fle, mobility, clea,
    daq_orientation, recommendations, written_by, updated_at, version)
SELECT {tid}, {cohort_c}, {member}, 'final',
       jsonb_build_object('listening', cefr[1 + h % 8], 'reading', cefr[1 + (h >> 3) % 8],
                          'speaking', cefr[1 + (h >> 6) % 8], 'writing', cefr[1 + (h >> 9) % 8],
                          'training_needed', h % 2 = 0),
       jsonb_build_object('driving_licence', h % 3 = 0, 'vehicle_access', h % 4 = 0,
                          'public_transport_autonomy', h % 5 <> 0,
                          'acceptable_commute_minutes', 15 * (1 + h % 4),
                          'psychological_barriers', h % 7 = 0, 'platform_referral', h % 6 = 0),
       (SELECT jsonb_agg(acq[1 + (h >> (2 * j)) % 3] ORDER BY j) FROM generate_series(0, 6) j),
       h % 5 = 0, 'Parcours de formation sur les modules non acquis.', 'provider@{domain}',
       {start} + time '16:00' + interval '17 days', 2
  FROM generate_series(1, {cohorts}) c, generate_series(1, 10) m,
       LATERAL (SELECT hashtext('d-{t}-' || c || '-' || m) & 2147483647 AS h,
                       ARRAY['PreA1', 'A1_1', 'A1', 'A2', 'B1', 'B2', 'C1', 'C2'] AS cefr,
                       ARRAY['Acquired', 'PartlyAcquired', 'NotAcquired'] AS acq) x;

-- attendance of sessions 1..12 (sessions 13..24 stay free for W3)
INSERT INTO attendance (tenant_id, session_id, participant_id, status, signature,
    signed_on_paper, recorded_by, recorded_at)
SELECT {tid}, {session_ck}, {member}, st, NULL, st IN ('present', 'late'), 'provider@{domain}',
       {day} + CASE WHEN hd = 0 THEN time '12:00' ELSE time '17:00' END
  FROM generate_series(1, {cohorts}) c, generate_series(1, 10) m, {sessions},
       LATERAL (SELECT CASE WHEN x < 80 THEN 'present' WHEN x < 85 THEN 'late'
                            WHEN x < 92 THEN 'excused' ELSE 'absent' END AS st
                  FROM (SELECT (hashtext('a-{t}-' || c || '-' || m || '-' || w || d || hd)
                                & 2147483647) % 100 AS x) y) z
 WHERE {k} <= 12;

-- the free (session, member) pairs of this tenant
INSERT INTO bench.w3_stage (tenant, session, participant)
SELECT s.tenant_id, s.id, m.participant_id
  FROM cohort_session s
  JOIN cohort_member m ON m.tenant_id = s.tenant_id AND m.cohort_id = s.cohort_id
 WHERE s.tenant_id = {tid}
   AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.tenant_id = s.tenant_id
                      AND a.session_id = s.id AND a.participant_id = m.participant_id);
",
        commune_k = commune("k"),
        structure_s = structure("s"),
        staff_n = staff("n"),
        structure_x = structure("x.s"),
        participant_i = participant("i"),
        commune_h = commune("1 + h % 30"),
        staff_ref = staff("1 + i % 4"),
        cohort_c = cohort("c"),
        session_ck = session(&format!("(c - 1) * 24 + {k}")),
        member = participant("(c - 1) * 10 + m"),
    )
}

/// The W3 pairs of all tenants in one table that pgbench reads too (outside `public`, so the
/// service's start-up checks ignore it), in a pseudo-random order that mixes the tenants.
fn pairs_sql(app_user: &str) -> String {
    format!(
        "CREATE TABLE bench.w3_pairs AS
           SELECT (row_number() OVER (ORDER BY md5(session::text || participant::text)) - 1)::int AS g,
                  tenant, session, participant
             FROM bench.w3_stage;
         ALTER TABLE bench.w3_pairs ADD PRIMARY KEY (g);
         CREATE INDEX ON bench.w3_pairs (tenant, session, participant);
         DROP TABLE bench.w3_stage;
         GRANT USAGE ON SCHEMA bench TO \"{app_user}\";
         GRANT SELECT ON bench.w3_pairs TO \"{app_user}\";"
    )
}

/// Rows written by W3 (or by the limit's W3), per kind.
pub struct Written {
    pub attendance: u64,
    pub present: u64,
    pub idempotency: u64,
    pub audit: u64,
}

impl BenchDb {
    /// Create the database and run `parcours migrate` on it.
    pub async fn create(s: &Settings) -> R<Self> {
        let url = PgUrl::parse(&s.owner_url)?;
        let name = format!("pb_{}", Uuid::now_v7().simple());
        let admin = connect(&s.owner_url).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(sql_err(
                "CREATE DATABASE (TEST_POSTGRES_URL must be a role that may create databases)",
            ))?;
        admin.close().await.ok();
        let db = Self {
            owner_url: url.url(&url.user, &name),
            app_url: url.url(&s.app_user, &name),
            admin_url: s.owner_url.clone(),
            app_user: s.app_user.clone(),
            data_dir: std::env::temp_dir().join(&name),
            name,
        };
        std::fs::create_dir_all(&db.data_dir)
            .map_err(|e| format!("{}: {e}", db.data_dir.display()))?;
        let out = parcours(&s.bin)
            .arg("migrate")
            .envs(db.server_env())
            .env("PARCOURS_ENV", "development")
            .output()
            .map_err(|e| format!("running {} migrate: {e}", s.bin.display()))?;
        if !out.status.success() {
            let e = format!(
                "parcours migrate failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            db.drop_database().await.ok();
            return Err(e);
        }
        Ok(db)
    }

    /// The service's database settings (the rest is set by the caller).
    pub fn server_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PARCOURS_ENV", "production".into()),
            ("DATABASE_URL", self.app_url.clone()),
            ("DATABASE_OWNER_URL", self.owner_url.clone()),
            ("PARCOURS_LOG", "warn".into()),
            ("PARCOURS_DATA_DIR", self.data_dir.display().to_string()),
        ]
    }

    pub async fn drop_database(&self) -> R<()> {
        std::fs::remove_dir_all(&self.data_dir).ok();
        let admin = connect(&self.admin_url).await?;
        let result = admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .await;
        admin.close().await.ok();
        result
            .map(|_| ())
            .map_err(sql_err("dropping the bench database"))
    }

    /// Count what W3 wrote (attendance of the free pairs, idempotency keys, audit entries of
    /// attendance) in every tenant, then delete it.
    pub async fn reset_w3(&self, tenants: &[Tenant]) -> R<Written> {
        let conn = connect(&self.owner_url).await?;
        let tx = conn.begin().await.map_err(sql_err("begin"))?;
        let mut w = Written {
            attendance: 0,
            present: 0,
            idempotency: 0,
            audit: 0,
        };
        let free = "attendance a JOIN bench.w3_pairs p ON p.tenant = a.tenant_id \
                    AND p.session = a.session_id AND p.participant = a.participant_id";
        for t in tenants {
            scope(&tx, t.id).await?;
            let counts = format!(
                "SELECT (SELECT count(*) FROM {free} WHERE a.tenant_id = $1),
                        (SELECT count(*) FROM {free} WHERE a.tenant_id = $1 AND a.status = 'present'),
                        (SELECT count(*) FROM idempotency_key WHERE tenant_id = $1),
                        (SELECT count(*) FROM audit_entry WHERE tenant_id = $1
                            AND action = 'attendance.record')"
            );
            let row = tx
                .query_one_raw(statement(&counts, vec![t.id.into()]))
                .await
                .map_err(sql_err("counting W3's rows"))?
                .ok_or("no count")?;
            let n = |i| get::<i64>(&row, i).map(|v| v.unsigned_abs());
            w.attendance += n(0)?;
            w.present += n(1)?;
            w.idempotency += n(2)?;
            w.audit += n(3)?;
            for delete in [
                "DELETE FROM attendance a USING bench.w3_pairs p WHERE a.tenant_id = $1 \
                 AND p.tenant = a.tenant_id AND p.session = a.session_id \
                 AND p.participant = a.participant_id",
                "DELETE FROM idempotency_key WHERE tenant_id = $1",
                "DELETE FROM audit_entry WHERE tenant_id = $1",
            ] {
                tx.execute_raw(statement(delete, vec![t.id.into()]))
                    .await
                    .map_err(sql_err("deleting W3's rows"))?;
            }
        }
        tx.commit().await.map_err(sql_err("commit"))?;
        conn.close().await.ok();
        Ok(w)
    }
}

/// Seed the database and read back what the answers must hold.
pub async fn seed(s: &Settings, db: &BenchDb) -> R<Data> {
    let conn = connect(&db.owner_url).await?;
    conn.execute_unprepared(&format!(
        "INSERT INTO tenant (id, slug, name, status, created_at, updated_at, version,
                             clea_threshold_percent, retention_months)
         SELECT {id}, 'bench-' || lpad(t::text, 3, '0'), 'PLIE ' || t, 'active',
                timestamptz '2021-01-04 09:00+00', timestamptz '2021-01-04 09:00+00', 1, 75, 120
           FROM generate_series(1, {n}) t;
         CREATE SCHEMA bench;
         CREATE TABLE bench.w3_stage (tenant uuid NOT NULL, session uuid NOT NULL,
                                      participant uuid NOT NULL);",
        id = uid("t", 0, "t", 1_609_750_000_000),
        n = s.tenants
    ))
    .await
    .map_err(sql_err("inserting the tenants"))?;
    let tenants = conn
        .query_all_raw(statement(
            "SELECT id, slug FROM tenant ORDER BY slug",
            vec![],
        ))
        .await
        .map_err(sql_err("reading the tenants"))?
        .iter()
        .map(|row| {
            Ok(Tenant {
                id: get(row, 0)?,
                slug: get(row, 1)?,
            })
        })
        .collect::<R<Vec<_>>>()?;
    for (i, tenant) in tenants.iter().enumerate() {
        let tx = conn.begin().await.map_err(sql_err("begin"))?;
        scope(&tx, tenant.id).await?;
        tx.execute_unprepared(&tenant_sql(i + 1, tenant, s.participants, s.cohorts))
            .await
            .map_err(sql_err(&format!("seeding {}", tenant.slug)))?;
        tx.commit().await.map_err(sql_err("commit"))?;
    }
    conn.execute_unprepared(&pairs_sql(&db.app_user))
        .await
        .map_err(sql_err("building bench.w3_pairs"))?;
    conn.execute_unprepared("ANALYZE")
        .await
        .map_err(sql_err("ANALYZE"))?;
    let (mut w1, mut w2) = (Vec::new(), Vec::new());
    for tenant in &tenants {
        let tx = conn.begin().await.map_err(sql_err("begin"))?;
        scope(&tx, tenant.id).await?;
        let page = tx
            .query_all_raw(statement(
                "SELECT p.id, p.first_name, p.last_name, c.name
                   FROM participant p
                   JOIN commune c ON c.tenant_id = p.tenant_id AND c.id = p.commune_id
                  WHERE p.tenant_id = $1
                  ORDER BY p.search_name, p.id LIMIT 50",
                vec![tenant.id.into()],
            ))
            .await
            .map_err(sql_err("reading W1's page"))?;
        w1.push(
            page.iter()
                .map(|r| {
                    Ok(W1Row {
                        id: get(r, 0)?,
                        first_name: get(r, 1)?,
                        last_name: get(r, 2)?,
                        commune: get(r, 3)?,
                    })
                })
                .collect::<R<Vec<_>>>()?,
        );
        let members = tx
            .query_all_raw(statement(
                "SELECT c.id, p.first_name, p.last_name
                   FROM (SELECT id FROM cohort WHERE tenant_id = $1 ORDER BY id LIMIT 20) c
                   JOIN cohort_member m ON m.tenant_id = $1 AND m.cohort_id = c.id
                   JOIN participant p ON p.tenant_id = $1 AND p.id = m.participant_id
                  ORDER BY c.id, m.participant_id",
                vec![tenant.id.into()],
            ))
            .await
            .map_err(sql_err("reading W2's page"))?;
        let mut cohorts: Vec<W2Cohort> = Vec::new();
        for r in &members {
            let id: Uuid = get(r, 0)?;
            if cohorts.last().is_none_or(|c| c.id != id) {
                cohorts.push(W2Cohort {
                    id,
                    members: Vec::new(),
                });
            }
            if let Some(c) = cohorts.last_mut() {
                c.members.push((get(r, 1)?, get(r, 2)?));
            }
        }
        w2.push(cohorts);
        tx.commit().await.map_err(sql_err("commit"))?;
    }
    let index: std::collections::HashMap<Uuid, usize> =
        tenants.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let pairs = conn
        .query_all_raw(statement(
            "SELECT tenant, session, participant FROM bench.w3_pairs ORDER BY g",
            vec![],
        ))
        .await
        .map_err(sql_err("reading the W3 pairs"))?
        .iter()
        .map(|r| {
            let tenant: Uuid = get(r, 0)?;
            Ok(Pair {
                tenant: *index.get(&tenant).ok_or("a W3 pair of an unknown tenant")?,
                session: global_id("CohortSession", get(r, 1)?),
                participant: global_id("Participant", get(r, 2)?),
            })
        })
        .collect::<R<Vec<_>>>()?;
    conn.close().await.ok();
    Ok(Data {
        tenants,
        w1,
        w2,
        pairs,
    })
}

/// `pg_stat_database` and `pg_stat_activity` of the bench database, read from the
/// maintenance database (so that reading them adds no transaction to the bench database).
pub struct Stats {
    conn: DatabaseConnection,
    name: String,
}

impl Stats {
    pub async fn connect(s: &Settings, name: &str) -> R<Self> {
        Ok(Self {
            conn: connect(&s.owner_url).await?,
            name: name.to_owned(),
        })
    }

    /// Transactions committed or rolled back in the bench database so far.
    pub async fn xacts(&self) -> R<i64> {
        let row = self
            .conn
            .query_one_raw(statement(
                "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database WHERE datname = $1",
                vec![self.name.clone().into()],
            ))
            .await
            .map_err(sql_err("reading pg_stat_database"))?
            .ok_or("the bench database is not in pg_stat_database")?;
        get(&row, 0)
    }

    /// Wait (at most 10 s) until no backend is connected to the bench database: a backend
    /// flushes its counters when it exits.
    pub async fn wait_idle(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let busy = self
                .conn
                .query_one_raw(statement(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
                    vec![self.name.clone().into()],
                ))
                .await
                .ok()
                .flatten()
                .and_then(|row| get::<i64>(&row, 0).ok());
            if busy == Some(0) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        eprintln!("warning: connections to the bench database were still open after 10 s");
    }

    pub async fn close(self) {
        self.conn.close().await.ok();
    }
}

/// A CHECKPOINT, as a superuser.
pub async fn checkpoint(superuser_url: &str) -> R<()> {
    let conn = connect(superuser_url).await?;
    let result = conn.execute_unprepared("CHECKPOINT").await;
    conn.close().await.ok();
    result.map(|_| ()).map_err(|e| e.to_string())
}
